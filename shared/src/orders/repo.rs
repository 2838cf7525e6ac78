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
//! - `pending_by_expiry` (`gsi_pending` = `"PENDING"`, `expires_at`): unpaid orders by
//!   deadline, for the expiry job; the attribute exists only while pending.
//!
//! Every status change is a conditional write on the current status (and on who may
//! make it), so concurrent changes can't both win; cancelling returns the stock in the
//! same transaction.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use crate::config::{self, ConfigError};
use crate::error::ApiError;
use crate::orders::order::{OrderStatus, PaymentMethod, ShippingAddress};
use crate::store::{cancellation, id_cursor, n, s, Cancellation, StoreError};

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderLine {
    /// Goods id.
    pub goods_id: String,
    /// Name when ordered.
    pub name: String,
    /// Unit price when ordered, minor units.
    pub unit_price: i64,
    /// Units.
    pub quantity: u32,
}

/// One entry of the status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusChange {
    /// The new status.
    pub status: OrderStatus,
    /// When (RFC 3339).
    pub at: String,
}

/// Carrier and tracking number of a shipped order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shipment {
    /// Carrier.
    pub carrier: String,
    /// Tracking number.
    pub tracking_number: String,
}

/// A stored order; also the API's view (index attributes are skipped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Order {
    /// Partition key (ULID).
    pub order_id: String,
    /// Who ordered.
    pub buyer_id: String,
    /// Whose goods.
    pub merchant_id: String,
    /// Current status.
    pub status: OrderStatus,
    /// Lines.
    pub items: Vec<OrderLine>,
    /// Sum of lines, minor units.
    pub total: i64,
    /// ISO 4217.
    pub currency: String,
    /// Where to deliver.
    pub shipping_address: ShippingAddress,
    /// How the buyer pays.
    pub payment_method: PaymentMethod,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when an unpaid order expires.
    pub expires_at: String,
    /// Oldest first.
    pub status_history: Vec<StatusChange>,
    /// Set once shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment: Option<Shipment>,
}

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

/// Why a status change was refused.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    /// No such order, or not the caller's: 404.
    #[error("not found")]
    NotFound,
    /// The order isn't in a status that allows the change: 409.
    #[error("the order is {0}")]
    Invalid(&'static str),
    /// The order could change, but a condition of another write in the same
    /// transaction failed (a webhook event recorded before): nothing changed.
    #[error("another write of the transaction was refused")]
    OtherWriteRefused,
    /// Unexpected.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who may make a change.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// The buyer with this id.
    Buyer(&'a str),
    /// The merchant with this id.
    Merchant(&'a str),
    /// The system (expiry).
    System,
}

/// A status change: from, to, and when (RFC 3339).
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// The status the order must be in.
    pub from: OrderStatus,
    /// The status it moves to.
    pub to: OrderStatus,
    /// When.
    pub at: &'a str,
}

/// One page of orders.
#[derive(Debug, Clone)]
pub struct OrderPage {
    /// Newest first.
    pub items: Vec<Order>,
    /// Where the next page starts.
    pub next_cursor: Option<String>,
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
        Ok(Self {
            client,
            table: config::required("ORDERS_TABLE")?,
        })
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
            gsi_pending: (order.status == OrderStatus::PendingPayment)
                .then(|| "PENDING".to_owned()),
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
            .key("order_id", s(order_id))
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
                let id = id_cursor::decode(c)?;
                Ok::<_, ApiError>(HashMap::from([
                    ("order_id".to_owned(), s(id)),
                    (attribute.to_owned(), s(&value)),
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
            .expression_attribute_values(":pk", s(&value))
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
                Some(AttributeValue::S(id)) => Some(id_cursor::encode(id)),
                _ => None,
            });
        Ok(OrderPage { items, next_cursor })
    }

    /// Moves `current` from `from` to `to`, if `actor` may, in one transaction with
    /// `extra_writes` (the stock a cancel returns, a webhook's records); answers the
    /// order as changed, without reading it again.
    ///
    /// # Errors
    /// [`TransitionError::NotFound`] when it doesn't exist or isn't the actor's,
    /// [`TransitionError::Invalid`] when its status doesn't allow the change.
    pub async fn transition(
        &self,
        current: &Order,
        actor: Actor<'_>,
        change: Change<'_>,
        shipment: Option<Shipment>,
        extra_writes: Vec<TransactWriteItem>,
    ) -> Result<Order, TransitionError> {
        let Change { from, to, at } = change;
        let order_id = current.order_id.as_str();
        let mut values: HashMap<String, AttributeValue> = HashMap::from([
            (":from".to_owned(), s(from.as_str())),
            (":to".to_owned(), s(to.as_str())),
            (
                ":change".to_owned(),
                AttributeValue::L(vec![AttributeValue::M(HashMap::from([
                    ("status".to_owned(), s(to.as_str())),
                    ("at".to_owned(), s(at)),
                ]))]),
            ),
        ]);
        let mut condition = "#status = :from".to_owned();
        match actor {
            Actor::Buyer(id) => {
                condition.push_str(" AND buyer_id = :actor");
                values.insert(":actor".into(), s(id));
            }
            Actor::Merchant(id) => {
                condition.push_str(" AND merchant_id = :actor");
                values.insert(":actor".into(), s(id));
            }
            Actor::System => {}
        }
        let mut sets = vec![
            "#status = :to".to_owned(),
            "status_history = list_append(status_history, :change)".to_owned(),
            "gsi_merchant_status = :merchant_status".to_owned(),
        ];
        if let Some(shipment) = &shipment {
            sets.push("shipment = :shipment".to_owned());
            values.insert(
                ":shipment".into(),
                AttributeValue::M(serde_dynamo::to_item(shipment).map_err(StoreError::from)?),
            );
        }
        values.insert(
            ":merchant_status".into(),
            s(format!("{}#{}", current.merchant_id, to.as_str())),
        );
        let mut expression = format!("SET {}", sets.join(", "));
        if from == OrderStatus::PendingPayment {
            expression.push_str(" REMOVE gsi_pending");
        }
        let update = Update::builder()
            .table_name(&self.table)
            .key("order_id", s(order_id))
            .update_expression(expression)
            .condition_expression(condition)
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(StoreError::new)?;
        let refused = || match actor {
            Actor::Buyer(id) if current.buyer_id != id => TransitionError::NotFound,
            Actor::Merchant(id) if current.merchant_id != id => TransitionError::NotFound,
            _ => TransitionError::Invalid(current.status.as_str()),
        };
        let mut writes = vec![TransactWriteItem::builder().update(update).build()];
        writes.extend(extra_writes);
        for attempt in 0..5u64 {
            match self
                .client
                .transact_write_items()
                .set_transact_items(Some(writes.clone()))
                .send()
                .await
            {
                Ok(_) => {
                    let mut changed = current.clone();
                    changed.status = to;
                    changed.status_history.push(StatusChange {
                        status: to,
                        at: at.to_owned(),
                    });
                    changed.shipment = shipment.or(changed.shipment);
                    return Ok(changed);
                }
                Err(e) => match cancellation(e)? {
                    Cancellation::ConditionsFailed(failed) if failed.contains(&0) => {
                        return Err(refused())
                    }
                    Cancellation::ConditionsFailed(_) => {
                        return Err(TransitionError::OtherWriteRefused)
                    }
                    Cancellation::Conflict => {
                        tokio::time::sleep(std::time::Duration::from_millis(20 * (attempt + 1)))
                            .await
                    }
                },
            }
        }
        Err(StoreError::new("the status change kept conflicting").into())
    }

    /// Unpaid orders whose deadline has passed, oldest deadline first (one page).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn overdue(&self, now: i64, limit: i32) -> Result<Vec<Order>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("pending_by_expiry")
            .key_condition_expression("gsi_pending = :pending AND expires_at_unix <= :now")
            .expression_attribute_values(":pending", s("PENDING"))
            .expression_attribute_values(":now", n(now))
            .limit(limit)
            .send()
            .await
            .map_err(StoreError::new)?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|i| {
                serde_dynamo::from_item::<_, OrderItem>(i)
                    .map(|i| i.order)
                    .map_err(StoreError::from)
            })
            .collect()
    }
}

impl From<TransitionError> for ApiError {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::NotFound => ApiError::NotFound,
            TransitionError::Invalid(status) => ApiError::Conflict {
                code: "invalid_transition",
                message: format!("The order is {status}; that change isn't possible now."),
            },
            TransitionError::OtherWriteRefused => ApiError::Conflict {
                code: "conflict",
                message: "The order changed meanwhile; read it and try again.".into(),
            },
            TransitionError::Store(store) => store.into(),
        }
    }
}

/// The transaction items that return each line's units to its goods.
///
/// # Errors
/// [`StoreError`] if a builder rejects its input (a bug).
pub fn return_stock(
    goods_table: &str,
    lines: &[OrderLine],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    lines
        .iter()
        .map(|line| {
            let update = Update::builder()
                .table_name(goods_table)
                .key("goods_id", s(&line.goods_id))
                .update_expression("SET stock = stock + :q")
                .condition_expression("attribute_exists(goods_id)")
                .expression_attribute_values(":q", n(line.quantity))
                .build()
                .map_err(StoreError::new)?;
            Ok(TransactWriteItem::builder().update(update).build())
        })
        .collect()
}
