//! The payments table: payment orders handed to the provider, and the webhook events
//! the provider sent about them.
//!
//! Key layout (`pk`, S):
//! - `PAYMENT#<payment_id>`: a payment ([`Payment`]): order, amount, currency, method,
//!   status (`pending`, `succeeded`, `failed`, `refund_required`).
//! - `PURCHASED#<buyer_id>#<goods_id>`: the buyer has paid for the goods (written with
//!   the payment's transition; what allows a review).
//! - `EVENT#<event_id>`: a webhook event as received, with what was done about it
//!   (`outcome`). Written with `attribute_not_exists(pk)` in the same transaction as its
//!   effect, so each event applies exactly once however often it is delivered.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use crate::config::{self, ConfigError};
use crate::store::{string_value, StoreError};

/// A payment order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Payment {
    /// Id handed to the provider.
    pub payment_id: String,
    /// The order it pays.
    pub order_id: String,
    /// The buyer.
    #[serde(skip_serializing)]
    #[serde(default)]
    pub buyer_id: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// `alipay`, `wechat_pay` or `card`.
    pub method: crate::orders::order::PaymentMethod,
    /// `pending`, `succeeded`, `failed` or `refund_required`.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A webhook event as the provider sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WebhookEvent {
    /// The provider's event id: the deduplication key.
    pub event_id: String,
    /// `payment.succeeded` or `payment.failed`.
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

    /// Stores a new payment.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn create(&self, payment: &Payment) -> Result<(), StoreError> {
        let item = PaymentItem {
            pk: format!("PAYMENT#{}", payment.payment_id),
            payment,
            buyer_id: &payment.buyer_id,
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    /// A payment by id.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get(&self, payment_id: &str) -> Result<Option<Payment>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", string_value(format!("PAYMENT#{payment_id}")))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
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

    /// The transaction item setting a payment's status.
    ///
    /// # Errors
    /// [`StoreError`] if the item can't be built (a bug).
    pub fn set_status(
        &self,
        payment_id: &str,
        status: &str,
        at: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", string_value(format!("PAYMENT#{payment_id}")))
            .update_expression("SET #status = :status, updated_at = :at")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", string_value(status))
            .expression_attribute_values(":at", string_value(at))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The transaction item recording that `buyer_id` paid for `goods_id`.
    ///
    /// # Errors
    /// [`StoreError`] if the item can't be built (a bug).
    pub fn purchased(
        &self,
        buyer_id: &str,
        goods_id: &str,
        order_id: &str,
        at: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .item(
                "pk",
                string_value(format!("PURCHASED#{buyer_id}#{goods_id}")),
            )
            .item("order_id", string_value(order_id))
            .item("at", string_value(at))
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
