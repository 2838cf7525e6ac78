//! The payments table: payment orders handed to the provider, and the webhook events
//! the provider sent about them.
//!
//! Key layout (`pk`, S):
//! - `PAYMENT#<payment_id>`: a payment ([`Payment`]): order, amount, currency, method,
//!   status (see [`super::payment`]), `gsi_order` = its order's id.
//! - `REFUND#<payment_id>`: the refund of that payment ([`Refund`]), written in the same
//!   transaction as the payment's move to `refund_pending`. The table's stream carries
//!   it to `request-refunds`, which asks the provider for it.
//! - `PURCHASED#<buyer_id>#<goods_id>`: the buyer has paid for the goods ([`Purchase`],
//!   written with the payment's transition): what allows a review, and, through the
//!   table's stream (`relay-purchases`), the purchase recommendations learn from.
//! - `EVENT#<event_id>`: a webhook event as received, with what was done about it
//!   (`outcome`). Written with `attribute_not_exists(pk)` in the same transaction as its
//!   effect, so each event applies exactly once however often it is delivered.
//!
//! Global secondary indexes (projection ALL):
//! - `by_order` (`gsi_order`, `pk`): an order's payments, for the order's own view.
//! - `open_refunds` (`gsi_open_refund` = `"OPEN"`, `requested_at`): refunds not refunded
//!   yet, oldest first; the attribute is removed when the refund completes, so the index
//!   holds only the open ones (a handful at any time), for `watch-refunds`.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use super::payment::{Payment, PaymentStatus, PaymentSummary, Refund, RefundState};
use crate::config::{self, ConfigError};
use crate::store::{string_value, StoreError};

/// A webhook event as the provider sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WebhookEvent {
    /// The provider's event id: the deduplication key.
    pub event_id: String,
    /// `payment.succeeded`, `payment.failed` or `payment.refunded`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Our payment id.
    pub payment_id: String,
    /// Our order id.
    pub order_id: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// When the provider created it.
    pub created_at: String,
}

/// The payments table.
#[derive(Debug, Clone)]
pub struct PaymentsRepo {
    client: Client,
    table: String,
}

#[derive(Serialize)]
struct PaymentItem<'a> {
    pk: String,
    #[serde(flatten)]
    payment: &'a Payment,
    buyer_id: &'a str,
    gsi_order: &'a str,
}

/// A paid order line, as the `PURCHASED#<buyer_id>#<goods_id>` item records it (the
/// buyer's latest purchase of the goods).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    /// Who paid.
    pub buyer_id: String,
    /// For what.
    pub goods_id: String,
    /// In which order.
    pub order_id: String,
    /// Units.
    pub quantity: u32,
    /// Unit price paid, minor units.
    pub unit_price: i64,
    /// ISO 4217.
    pub currency: String,
    /// When it was paid (RFC 3339).
    pub at: String,
}

#[derive(Serialize)]
struct PurchaseItem {
    pk: String,
    #[serde(flatten)]
    purchase: Purchase,
}

#[derive(Serialize)]
struct RefundItem<'a> {
    pk: String,
    #[serde(flatten)]
    refund: &'a Refund,
    /// Present while the refund is open (not yet refunded): the `open_refunds` index.
    gsi_open_refund: &'static str,
}

/// The `open_refunds` index's one partition value.
const OPEN_REFUND: &str = "OPEN";

fn payment_key(payment_id: &str) -> aws_sdk_dynamodb::types::AttributeValue {
    string_value(format!("PAYMENT#{payment_id}"))
}

fn refund_key(payment_id: &str) -> aws_sdk_dynamodb::types::AttributeValue {
    string_value(format!("REFUND#{payment_id}"))
}

impl PaymentsRepo {
    /// Uses the table named by `PAYMENTS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `PAYMENTS_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self {
            client,
            table: config::required("PAYMENTS_TABLE")?,
        })
    }

    /// Uses the table named `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Whether the webhook event `event_id` was recorded (applied) before.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn event_recorded(&self, event_id: &str) -> Result<bool, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", string_value(format!("EVENT#{event_id}")))
            .projection_expression("pk")
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out.item.is_some())
    }

    /// The transaction item that stores a new payment.
    ///
    /// # Errors
    /// [`StoreError`] if the item can't be built (a bug).
    pub fn put_new(&self, payment: &Payment) -> Result<TransactWriteItem, StoreError> {
        let item = PaymentItem {
            pk: format!("PAYMENT#{}", payment.payment_id),
            payment,
            buyer_id: &payment.buyer_id,
            gsi_order: &payment.order_id,
        };
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// A payment by id.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get(&self, payment_id: &str) -> Result<Option<Payment>, StoreError> {
        self.get_item(payment_key(payment_id)).await
    }

    /// The refund of a payment, if one was asked for.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn refund(&self, payment_id: &str) -> Result<Option<Refund>, StoreError> {
        self.get_item(refund_key(payment_id)).await
    }

    async fn get_item<T: serde::de::DeserializeOwned>(
        &self,
        key: aws_sdk_dynamodb::types::AttributeValue,
    ) -> Result<Option<T>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", key)
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Refunds asked for before `before` (RFC 3339) and not refunded yet: up to `limit`,
    /// oldest first, from the sparse `open_refunds` index.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn open_refunds(&self, before: &str, limit: i32) -> Result<Vec<Refund>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("open_refunds")
            .key_condition_expression("gsi_open_refund = :open AND requested_at < :before")
            .expression_attribute_values(":open", string_value(OPEN_REFUND))
            .expression_attribute_values(":before", string_value(before))
            .limit(limit)
            .send()
            .await
            .map_err(StoreError::new)?;
        crate::store::items_of(out.items)
    }

    /// An order's payments, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn of_order(&self, order_id: &str) -> Result<Vec<PaymentSummary>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("by_order")
            .key_condition_expression("gsi_order = :order")
            .expression_attribute_values(":order", string_value(order_id))
            .send()
            .await
            .map_err(StoreError::new)?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|item| Ok(serde_dynamo::from_item::<_, Payment>(item)?.into()))
            .collect()
    }

    /// The transaction item moving a payment from `from` to `to`, on the condition that
    /// it is still `from`.
    ///
    /// # Errors
    /// [`StoreError`] when the lifecycle doesn't allow the move (a bug) or the item
    /// can't be built.
    pub fn move_status(
        &self,
        payment_id: &str,
        from: PaymentStatus,
        to: PaymentStatus,
        at: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        if !from.allows(to) {
            return Err(StoreError::new(format!(
                "a payment can't move from {} to {}",
                from.as_str(),
                to.as_str()
            )));
        }
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", payment_key(payment_id))
            .update_expression("SET #status = :to, updated_at = :at")
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", string_value(from.as_str()))
            .expression_attribute_values(":to", string_value(to.as_str()))
            .expression_attribute_values(":at", string_value(at))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The transaction item recording a refund request (once per payment).
    ///
    /// # Errors
    /// [`StoreError`] if the item can't be built (a bug).
    pub fn put_refund(&self, refund: &Refund) -> Result<TransactWriteItem, StoreError> {
        let item = RefundItem {
            pk: format!("REFUND#{}", refund.payment_id),
            refund,
            gsi_open_refund: OPEN_REFUND,
        };
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Records that the provider accepted the refund; `false` when it had moved on
    /// already (accepted before, or refunded).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn refund_submitted(
        &self,
        payment_id: &str,
        provider_refund_id: &str,
        at: &str,
    ) -> Result<bool, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", refund_key(payment_id))
            .update_expression(
                "SET #status = :submitted, submitted_at = :at, provider_refund_id = :id",
            )
            .condition_expression("#status = :requested")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(
                ":submitted",
                string_value(RefundState::Submitted.as_str()),
            )
            .expression_attribute_values(
                ":requested",
                string_value(RefundState::Requested.as_str()),
            )
            .expression_attribute_values(":at", string_value(at))
            .expression_attribute_values(":id", string_value(provider_refund_id))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e) if crate::store::is_condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::new(e)),
        }
    }

    /// The transaction item completing a refund, on the condition that it isn't
    /// complete yet.
    ///
    /// # Errors
    /// [`StoreError`] if the item can't be built (a bug).
    pub fn refund_completed(
        &self,
        payment_id: &str,
        at: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", refund_key(payment_id))
            .update_expression("SET #status = :refunded, completed_at = :at REMOVE gsi_open_refund")
            .condition_expression("#status IN (:requested, :submitted)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":refunded", string_value(RefundState::Refunded.as_str()))
            .expression_attribute_values(
                ":requested",
                string_value(RefundState::Requested.as_str()),
            )
            .expression_attribute_values(
                ":submitted",
                string_value(RefundState::Submitted.as_str()),
            )
            .expression_attribute_values(":at", string_value(at))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The transaction item recording an event with its outcome; fails if the event was
    /// recorded before.
    ///
    /// # Errors
    /// [`StoreError`] if the item can't be built (a bug).
    pub fn record_event(
        &self,
        event: &WebhookEvent,
        outcome: &str,
        received_at: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item: crate::store::Item = serde_dynamo::to_item(event)?;
        item.insert(
            "pk".into(),
            string_value(format!("EVENT#{}", event.event_id)),
        );
        item.insert("outcome".into(), string_value(outcome));
        item.insert("received_at".into(), string_value(received_at));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The transaction item recording that `buyer_id` paid for an order line: what
    /// allows a review, and (through the table's stream, see [`Purchase`]) what
    /// recommendations learn a purchase from.
    ///
    /// # Errors
    /// [`StoreError`] if the item can't be built (a bug).
    pub fn purchased(
        &self,
        buyer_id: &str,
        line: &crate::orders::OrderLine,
        order_id: &str,
        currency: &str,
        at: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let item = PurchaseItem {
            pk: format!("PURCHASED#{buyer_id}#{}", line.goods_id),
            purchase: Purchase {
                buyer_id: buyer_id.to_owned(),
                goods_id: line.goods_id.clone(),
                order_id: order_id.to_owned(),
                quantity: line.quantity,
                unit_price: line.unit_price,
                currency: currency.to_owned(),
                at: at.to_owned(),
            },
        };
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item)?))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Whether `buyer_id` has paid for `goods_id`.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn has_purchased(&self, buyer_id: &str, goods_id: &str) -> Result<bool, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(
                "pk",
                string_value(format!("PURCHASED#{buyer_id}#{goods_id}")),
            )
            .projection_expression("pk")
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out.item.is_some())
    }

    /// Which of `goods_ids` `buyer_id` has paid for, in one BatchGetItem per 100.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn purchased_among(
        &self,
        buyer_id: &str,
        goods_ids: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let prefix = format!("PURCHASED#{buyer_id}#");
        let keys = goods_ids
            .iter()
            .map(|g| {
                std::collections::HashMap::from([(
                    "pk".to_owned(),
                    string_value(format!("{prefix}{g}")),
                )])
            })
            .collect();
        let found = crate::store::batch_get(
            &self.client,
            &self.table,
            keys,
            Some(("pk", Default::default())),
            false,
        )
        .await?;
        Ok(found
            .iter()
            .filter_map(|item| match item.get("pk") {
                Some(aws_sdk_dynamodb::types::AttributeValue::S(pk)) => {
                    pk.strip_prefix(&prefix).map(str::to_owned)
                }
                _ => None,
            })
            .collect())
    }

    /// Runs a transaction on this table's client.
    ///
    /// # Errors
    /// The SDK's error, for [`crate::store::cancellation`] to read.
    pub async fn transact(
        &self,
        writes: Vec<TransactWriteItem>,
    ) -> Result<(), crate::store::TransactError> {
        crate::store::transact(&self.client, writes).await
    }
}
