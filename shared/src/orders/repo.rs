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
            .map(|i| i.order))
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
        shipment: Option<Shipment>,
        extra_writes: Vec<TransactWriteItem>,
    ) -> Result<Order, TransitionError> {
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
        let mut expression = format!("SET {}", sets.join(", "));
        if *from == OrderStatus::PendingPayment {
            expression.push_str(" REMOVE gsi_pending");
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
                Ok(()) => return Ok(current.after(transition, shipment)),
                Err(e) => match cancellation(e)? {
                    // The order left the status it was read in: say which it was in.
                    Cancellation::ConditionsFailed(failed) if failed.contains(&0) => {
                        return Err(TransitionError::Invalid(current.status))
                    }
                    Cancellation::ConditionsFailed(_) => {
                        return Err(TransitionError::OtherWriteRefused)
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
            TransitionError::OtherWriteRefused => ApiError::Conflict {
                code: "conflict",
                message: "The order changed meanwhile; read it and try again.".into(),
            },
            TransitionError::Store(store) => store.into(),
        }
    }
}
