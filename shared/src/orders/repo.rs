//! The orders table.
//!
//! Key layout: `order_id` (S, partition key). An order holds one merchant's goods in one
//! currency; its lines copy name and unit price, so history survives goods changes.
//!
//! Global secondary indexes (projection ALL):
//! - `by_buyer` (`buyer_id`, `order_id`): a buyer's orders, newest first.
//! - `by_merchant` (`merchant_id`, `order_id`): a merchant's orders, newest first.
//! - `by_merchant_status` (`gsi_merchant_status` = `<merchant>#<status>`, `order_id`): a
//!   merchant's orders in one status.
//! - `pending_by_expiry` (`gsi_pending` = `"PENDING#<shard>"`, `expires_at`): unpaid
//!   orders by deadline, for the expiry job; the attribute exists only while pending.
//!   Every order writes it twice (placed, then paid or expired), so it is written across
//!   [`PENDING_SHARDS`] partition keys (from the order id's random bits): at 1,000 orders
//!   a second of 1–2 KB that is 2,000–4,000 write units a second, two to four times what
//!   one partition takes (1,000), and an eighth of it per shard. The expiry job queries
//!   every shard, once a minute.
//!
//! Every status change is a conditional write on the current status (and on who may
//! make it), so concurrent changes can't both win; cancelling returns the stock in the
//! same transaction.
//!
//! Payments: `pending_payment_id` / `pending_payment_expires_unix` name the order's one
//! pending payment while it can be paid (claimed by a conditional write, so two
//! concurrent requests can't both create one; released when it fails, removed when the
//! order is paid or cancelled); `paid_payment_id` names the payment that paid it, the
//! one a refund gives back.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use super::order::{Actor, Order, OrderStatus, Shipment, Transition, TransitionError};
use super::OrderPage;
use crate::config::{self, ConfigError};
use crate::error::ApiError;
use crate::store::{cancellation, number_value, string_value, Cancellation, StoreError};

/// How many partition keys `pending_by_expiry` spreads unpaid orders over.
pub const PENDING_SHARDS: u32 = 8;

/// The stored form: the order plus its index attributes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OrderItem {
    #[serde(flatten)]
    order: Order,
    expires_at_unix: i64,
    gsi_merchant_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi_pending: Option<String>,
    #[serde(flatten)]
    payments: PaymentRefs,
}

/// The payments an order item names (see the module header).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRefs {
    /// The pending payment, while one is claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_payment_id: Option<String>,
    /// When the pending payment expires (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_payment_expires_unix: Option<i64>,
    /// The payment that paid the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_payment_id: Option<String>,
}

/// What a move stores besides the status (and the refund, which the move implies).
#[derive(Debug, Clone, Default)]
pub struct MoveDetails {
    /// The carrier, when it ships.
    pub shipment: Option<Shipment>,
    /// The payment that paid it, when it is paid.
    pub paid_by: Option<String>,
}

/// The orders table.
#[derive(Debug, Clone)]
pub struct OrdersRepo {
    client: Client,
    table: String,
}

impl OrdersRepo {
    /// Uses the table named by `ORDERS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `ORDERS_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(client, config::required("ORDERS_TABLE")?))
    }

    /// Uses the table named `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The transaction item that stores a new order.
    ///
    /// # Errors
    /// [`StoreError`] if the order can't be mapped (a bug).
    pub fn put_new(
        &self,
        order: &Order,
        expires_at_unix: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let item = OrderItem {
            gsi_merchant_status: format!("{}#{}", order.merchant_id, order.status.as_str()),
            gsi_pending: (order.status == OrderStatus::PendingPayment).then(|| {
                format!(
                    "PENDING#{}",
                    crate::ids::shard(&order.order_id, PENDING_SHARDS)
                )
            }),
            expires_at_unix,
            order: order.clone(),
            payments: PaymentRefs::default(),
        };
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item)?))
            .condition_expression("attribute_not_exists(order_id)")
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().put(put).build())
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

    /// An order by id.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        Ok(self
            .get_with_payments(order_id)
            .await?
            .map(|(order, _)| order))
    }

    /// An order by id, with the payments it names.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get_with_payments(
        &self,
        order_id: &str,
    ) -> Result<Option<(Order, PaymentRefs)>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("order_id", string_value(order_id))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out
            .item
            .map(serde_dynamo::from_item::<_, OrderItem>)
            .transpose()?
            .map(|i| (i.order, i.payments)))
    }

    /// The transaction item that makes `payment_id` the order's one pending payment
    /// until `expires_unix`: on the condition that the order is still unpaid and names
    /// no other pending payment that is still unexpired at `now_unix`.
    ///
    /// # Errors
    /// [`StoreError`] if the item can't be built (a bug).
    pub fn claim_payment(
        &self,
        order_id: &str,
        payment_id: &str,
        expires_unix: i64,
        now_unix: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key("order_id", string_value(order_id))
            .update_expression(
                "SET pending_payment_id = :payment, pending_payment_expires_unix = :expires",
            )
            .condition_expression(
                "#status = :pending AND (attribute_not_exists(pending_payment_id) OR pending_payment_expires_unix <= :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", string_value(OrderStatus::PendingPayment.as_str()))
            .expression_attribute_values(":payment", string_value(payment_id))
            .expression_attribute_values(":expires", number_value(expires_unix))
            .expression_attribute_values(":now", number_value(now_unix))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The transaction item that frees the order of its pending payment `payment_id`
    /// (refused by the provider), on the condition that it still names it.
    ///
    /// # Errors
    /// [`StoreError`] if the item can't be built (a bug).
    pub fn release_payment(
        &self,
        order_id: &str,
        payment_id: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key("order_id", string_value(order_id))
            .update_expression("REMOVE pending_payment_id, pending_payment_expires_unix")
            .condition_expression("pending_payment_id = :payment")
            .expression_attribute_values(":payment", string_value(payment_id))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The order, when it is `actor`'s (the buyer's or the merchant's); anyone else's
    /// is 404 like a missing one, so ids reveal nothing.
    ///
    /// # Errors
    /// 404; 500 when DynamoDB fails.
    pub async fn get_as(&self, actor: Actor<'_>, order_id: &str) -> Result<Order, ApiError> {
        let order = self.get(order_id).await?;
        order
            .filter(|o| match actor {
                Actor::Buyer(id) => o.buyer_id == id,
                Actor::Merchant(id) => o.merchant_id == id,
                Actor::System => true,
            })
            .ok_or(ApiError::NotFound)
    }

    /// A buyer's orders, or a merchant's (optionally in one status), newest first.
    ///
    /// # Errors
    /// 400 `invalid_cursor` for a cursor not issued here, or a store failure.
    pub async fn list(
        &self,
        owner: Actor<'_>,
        status: Option<OrderStatus>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<OrderPage, ApiError> {
        let (index, attribute, value) = match (owner, status) {
            (Actor::Buyer(id), _) => ("by_buyer", "buyer_id", id.to_owned()),
            (Actor::Merchant(id), Some(status)) => (
                "by_merchant_status",
                "gsi_merchant_status",
                format!("{id}#{}", status.as_str()),
            ),
            (Actor::Merchant(id), None) => ("by_merchant", "merchant_id", id.to_owned()),
            (Actor::System, _) => return Err(ApiError::internal("no listing for the system")),
        };
        let start = cursor
            .map(|c| {
                let id = crate::cursor::id_after(c)?;
                Ok::<_, ApiError>(HashMap::from([
                    ("order_id".to_owned(), string_value(id)),
                    (attribute.to_owned(), string_value(&value)),
                ]))
            })
            .transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", attribute)
            .expression_attribute_values(":pk", string_value(&value))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(100))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(StoreError::new)?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|i| serde_dynamo::from_item::<_, OrderItem>(i).map(|i| i.order))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)?;
        let next_cursor = out
            .last_evaluated_key
            .and_then(|key| match key.get("order_id") {
                Some(AttributeValue::S(id)) => Some(crate::cursor::after_id(id)),
                _ => None,
            });
        Ok(OrderPage { items, next_cursor })
    }

    /// Stores `transition` of `current` (with `shipment`, when it ships) in one
    /// transaction with `extra_writes` (the stock a cancel returns, a webhook's records),
    /// conditional on the status it was read in and on the actor's ownership; answers
    /// the order as changed, without reading it again.
    ///
    /// # Errors
    /// [`TransitionError::Invalid`] when the order changed meanwhile,
    /// [`TransitionError::OtherWriteRefused`] when another write's condition failed.
    pub async fn transition(
        &self,
        current: &Order,
        transition: &Transition<'_>,
        details: MoveDetails,
        extra_writes: Vec<TransactWriteItem>,
    ) -> Result<Order, TransitionError> {
        let MoveDetails { shipment, paid_by } = details;
        let changed = current.after(transition, shipment.clone());
        let Transition {
            from,
            to,
            actor,
            at,
        } = transition;
        let mut values: HashMap<String, AttributeValue> = HashMap::from([
            (":from".to_owned(), string_value(from.as_str())),
            (":to".to_owned(), string_value(to.as_str())),
            (
                ":change".to_owned(),
                AttributeValue::L(vec![AttributeValue::M(HashMap::from([
                    ("status".to_owned(), string_value(to.as_str())),
                    ("at".to_owned(), string_value(at)),
                ]))]),
            ),
            (
                ":merchant_status".to_owned(),
                string_value(format!("{}#{}", current.merchant_id, to.as_str())),
            ),
        ]);
        let mut condition = "#status = :from".to_owned();
        match actor {
            Actor::Buyer(id) => {
                condition.push_str(" AND buyer_id = :actor");
                values.insert(":actor".into(), string_value(*id));
            }
            Actor::Merchant(id) => {
                condition.push_str(" AND merchant_id = :actor");
                values.insert(":actor".into(), string_value(*id));
            }
            Actor::System => {}
        }
        let mut sets = vec![
            "#status = :to",
            "status_history = list_append(status_history, :change)",
            "gsi_merchant_status = :merchant_status",
        ];
        if let Some(shipment) = &shipment {
            sets.push("shipment = :shipment");
            values.insert(
                ":shipment".into(),
                AttributeValue::M(serde_dynamo::to_item(shipment).map_err(StoreError::from)?),
            );
        }
        if let Some(paid_by) = &paid_by {
            sets.push("paid_payment_id = :paid_by");
            values.insert(":paid_by".into(), string_value(paid_by));
        }
        if changed.refund != current.refund {
            if let Some(refund) = &changed.refund {
                sets.push("refund = :refund");
                values.insert(
                    ":refund".into(),
                    AttributeValue::M(serde_dynamo::to_item(refund).map_err(StoreError::from)?),
                );
            }
        }
        let mut expression = format!("SET {}", sets.join(", "));
        if *from == OrderStatus::PendingPayment {
            expression
                .push_str(" REMOVE gsi_pending, pending_payment_id, pending_payment_expires_unix");
        }
        let update = Update::builder()
            .table_name(&self.table)
            .key("order_id", string_value(&current.order_id))
            .update_expression(expression)
            .condition_expression(condition)
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(StoreError::new)?;
        let mut writes = vec![TransactWriteItem::builder().update(update).build()];
        writes.extend(extra_writes);
        for attempt in 0..5u32 {
            match self.transact(writes.clone()).await {
                Ok(()) => return Ok(changed),
                Err(e) => match cancellation(e)? {
                    // The order left the status it was read in: say which it was in.
                    Cancellation::ConditionsFailed(failed) if failed.contains(&0) => {
                        return Err(TransitionError::Invalid(current.status))
                    }
                    Cancellation::ConditionsFailed(_) => {
                        return Err(TransitionError::OtherWriteRefused(current.status))
                    }
                    Cancellation::Conflict => crate::store::backoff(attempt).await,
                },
            }
        }
        Err(StoreError::new("the status change kept conflicting").into())
    }

    /// Unpaid orders whose deadline has passed: up to `limit` of each shard, oldest
    /// deadline first (one Query per shard, all at once).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn overdue(&self, now: i64, limit: i32) -> Result<Vec<Order>, StoreError> {
        let queries = (0..PENDING_SHARDS).map(|shard| {
            self.client
                .query()
                .table_name(&self.table)
                .index_name("pending_by_expiry")
                .key_condition_expression("gsi_pending = :pending AND expires_at_unix <= :now")
                .expression_attribute_values(":pending", string_value(format!("PENDING#{shard}")))
                .expression_attribute_values(":now", number_value(now))
                .limit(limit)
                .send()
        });
        let mut overdue = Vec::new();
        for out in futures::future::join_all(queries).await {
            for item in out.map_err(StoreError::new)?.items.unwrap_or_default() {
                let stored: OrderItem = serde_dynamo::from_item(item)?;
                overdue.push((stored.expires_at_unix, stored.order));
            }
        }
        overdue.sort_by_key(|a| a.0);
        Ok(overdue.into_iter().map(|(_, order)| order).collect())
    }
}

impl From<TransitionError> for ApiError {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::NotFound => ApiError::NotFound,
            TransitionError::Invalid(status) => ApiError::Conflict {
                code: "invalid_transition",
                message: format!(
                    "The order is {}; that change isn't possible now.",
                    status.as_str()
                ),
            },
            TransitionError::OtherWriteRefused(_) => ApiError::Conflict {
                code: "conflict",
                message: "The order changed meanwhile; read it and try again.".into(),
            },
            TransitionError::Store(store) => store.into(),
        }
    }
}
