//! Orders: what a customer buys from one merchant, from placing to delivery.
//!
//! - [`order`]: the order and its one state machine; quantities and payment methods.
//! - [`address`]: shipping addresses.
//! - [`place`]: placing an order, atomically across goods, orders, cart and idempotency.
//! - [`repo`]: the orders table, whose conditional writes carry every status change.
//! - [`Orders`]: the service the order functions call, one method per use case.
//! - [`api`]: the request bodies of placing and shipping an order, checked into the above.

pub mod address;
pub mod api;
pub mod order;
pub mod place;
pub mod repo;

pub use address::ShippingAddress;
pub use order::{Actor, Order, OrderLine, OrderStatus, Shipment, Transition, TransitionError};

use crate::accounts::sessions::SessionsRepo;
use crate::auth::{Customer, Merchant};
use crate::aws::Aws;
use crate::catalogue::repo::GoodsRepo;
use crate::clock;
use crate::config::ConfigError;
use crate::error::{ApiError, ErrorChain};
use crate::http::PageParams;
use repo::OrdersRepo;
use time::OffsetDateTime;

/// Unpaid orders the expiry job examines per Query.
const EXPIRY_PAGE: i32 = 25;
/// Pages per expiry run; whatever is left waits for the next run.
const EXPIRY_MAX_PAGES: usize = 20;

/// A page of orders, newest first, as the API shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrderPage {
    /// The orders.
    pub items: Vec<Order>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// The order functions' service, built once per cold start.
pub struct Orders {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    /// The orders table.
    pub orders: OrdersRepo,
    /// The goods table: the stock a cancellation gives back.
    pub goods: GoodsRepo,
}

impl Orders {
    /// Reads `SESSIONS_TABLE`, `ORDERS_TABLE` and `GOODS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            orders: OrdersRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
        })
    }

    /// The buyer's own order; anyone else's is 404.
    ///
    /// # Errors
    /// 404 when missing or someone else's; 500 when DynamoDB fails.
    pub async fn own(&self, buyer: &Customer, order_id: &str) -> Result<Order, ApiError> {
        self.orders
            .get_as(Actor::Buyer(&buyer.user_id), order_id)
            .await
    }

    /// Moves `order` to `to` for `actor`, giving its stock back when the move says so.
    async fn apply(
        &self,
        order: &Order,
        to: OrderStatus,
        actor: Actor<'_>,
        shipment: Option<Shipment>,
    ) -> Result<Order, TransitionError> {
        let transition = order.transition(to, actor, &clock::rfc3339(clock::now()))?;
        let returns = if transition.returns_stock() {
            self.goods.release(&order.items)?
        } else {
            Vec::new()
        };
        self.orders
            .transition(order, &transition, shipment, returns)
            .await
    }

    /// A page of the buyer's orders, newest first.
    ///
    /// # Errors
    /// 400 `invalid_cursor`; 500 when DynamoDB fails.
    pub async fn bought(&self, buyer: &Customer, page: &PageParams) -> Result<OrderPage, ApiError> {
        let owner = Actor::Buyer(&buyer.user_id);
        self.orders
            .list(owner, None, page.limit, page.cursor.as_deref())
            .await
    }

    /// A page of the orders for the merchant's goods (in one status, when given),
    /// newest first.
    ///
    /// # Errors
    /// 400 `invalid_cursor`; 500 when DynamoDB fails.
    pub async fn sold(
        &self,
        merchant: &Merchant,
        status: Option<OrderStatus>,
        page: &PageParams,
    ) -> Result<OrderPage, ApiError> {
        let owner = Actor::Merchant(&merchant.user_id);
        self.orders
            .list(owner, status, page.limit, page.cursor.as_deref())
            .await
    }

    /// The buyer cancels an unpaid order; its stock returns in the same transaction.
    ///
    /// # Errors
    /// 404; 409 `not_cancellable` once paid or cancelled; 500 when DynamoDB fails.
    pub async fn cancel(&self, buyer: &Customer, order_id: &str) -> Result<Order, ApiError> {
        let order = self.own(buyer, order_id).await?;
        let cancelled = self
            .apply(
                &order,
                OrderStatus::Cancelled,
                Actor::Buyer(&buyer.user_id),
                None,
            )
            .await
            .map_err(|e| match e {
                TransitionError::Invalid(status) => ApiError::Conflict {
                    code: "not_cancellable",
                    message: format!(
                        "The order is {}; only unpaid orders can be cancelled.",
                        status.as_str()
                    ),
                },
                other => other.into(),
            })?;
        tracing::info!(order_id = %order_id, "order cancelled");
        Ok(cancelled)
    }

    /// The merchant hands a paid order to a carrier.
    ///
    /// # Errors
    /// 404 for another merchant's order; 409 `invalid_transition` unless paid.
    pub async fn ship(
        &self,
        merchant: &Merchant,
        order_id: &str,
        shipment: Shipment,
    ) -> Result<Order, ApiError> {
        let actor = Actor::Merchant(&merchant.user_id);
        let order = self.orders.get_as(actor, order_id).await?;
        let shipped = self
            .apply(&order, OrderStatus::Shipped, actor, Some(shipment))
            .await?;
        tracing::info!(order_id = %order_id, "order shipped");
        Ok(shipped)
    }

    /// The buyer confirms a shipped order arrived.
    ///
    /// # Errors
    /// 404; 409 `invalid_transition` unless shipped.
    pub async fn confirm_delivery(
        &self,
        buyer: &Customer,
        order_id: &str,
    ) -> Result<Order, ApiError> {
        let order = self.own(buyer, order_id).await?;
        let delivered = self
            .apply(
                &order,
                OrderStatus::Delivered,
                Actor::Buyer(&buyer.user_id),
                None,
            )
            .await?;
        tracing::info!(order_id = %order_id, "order delivered");
        Ok(delivered)
    }

    /// Cancels unpaid orders whose 30 minutes have passed and returns their stock, each
    /// in one transaction conditional on the order still being unpaid, so a payment that
    /// lands at the same moment wins or loses cleanly. Answers how many expired.
    ///
    /// # Errors
    /// When DynamoDB fails to list them (the next run tries again).
    pub async fn expire_overdue(&self) -> Result<usize, ApiError> {
        let mut expired = 0;
        for _ in 0..EXPIRY_MAX_PAGES {
            let now = clock::now();
            // Boxed, as the expiry below: inline, the sweep's future is too deep for the
            // compiler to lay out (its query depth limit).
            let overdue = Box::pin(self.orders.overdue(now.unix_timestamp(), EXPIRY_PAGE)).await?;
            if overdue.is_empty() {
                break;
            }
            let mut progressed = false;
            for order in overdue {
                match Box::pin(self.expire(&order, now)).await {
                    Ok(done) => {
                        expired += usize::from(done);
                        progressed = true;
                    }
                    // Paid or cancelled meanwhile: nothing to do.
                    Err(TransitionError::Invalid(_) | TransitionError::NotFound) => {
                        progressed = true
                    }
                    Err(e) => {
                        tracing::error!(order_id = %order.order_id, error = %ErrorChain(&e), "order not expired")
                    }
                }
            }
            if !progressed {
                break;
            }
        }
        Ok(expired)
    }

    /// Cancels `order` and returns its stock if it is still unpaid and its deadline has
    /// passed at `now`; answers whether it did. The sweep passes the clock's time; a test
    /// passes a later one to expire one order without waiting half an hour.
    ///
    /// # Errors
    /// `Invalid` when the order was paid or cancelled meanwhile; a storage failure.
    pub async fn expire(
        &self,
        order: &Order,
        now: OffsetDateTime,
    ) -> Result<bool, TransitionError> {
        let overdue =
            clock::parse_rfc3339(&order.expires_at).is_some_and(|deadline| deadline <= now);
        if !overdue {
            return Ok(false);
        }
        self.apply(order, OrderStatus::Cancelled, Actor::System, None)
            .await?;
        tracing::info!(order_id = %order.order_id, "unpaid order expired");
        Ok(true)
    }
}
