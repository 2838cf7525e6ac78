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
pub use order::{
    Actor, Order, OrderLine, OrderStatus, Shipment, StockEffect, Transition, TransitionError,
};

use crate::accounts::sessions::SessionsRepo;
use crate::auth::{Customer, Merchant};
use crate::aws::Aws;
use crate::catalogue::repo::GoodsRepo;
use crate::clock;
use crate::config::ConfigError;
use crate::error::{ApiError, ErrorChain};
use crate::http::PageParams;
use crate::payments::payment::{PaymentStatus, PaymentSummary, Refund, RefundReason};
use crate::payments::repo::PaymentsRepo;
use aws_sdk_dynamodb::types::TransactWriteItem;
use repo::{MoveDetails, OrdersRepo, PaymentRefs};
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

/// One order as its buyer sees it: with its payments.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrderView {
    /// The order.
    #[serde(flatten)]
    pub order: Order,
    /// Its payments, oldest first.
    pub payments: Vec<PaymentSummary>,
}

/// The order functions' service, built once per cold start.
pub struct Orders {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    /// The orders table.
    pub orders: OrdersRepo,
    /// The goods table: the stock a cancellation gives back.
    pub goods: GoodsRepo,
    /// The payments table, when the function moves or shows payments
    /// (`PAYMENTS_TABLE`).
    payments: Option<PaymentsRepo>,
}

impl Orders {
    /// Reads `SESSIONS_TABLE`, `ORDERS_TABLE`, `GOODS_TABLE` and, when set,
    /// `PAYMENTS_TABLE` (the functions that refund, expire or show payments have it).
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        let payments = crate::config::optional("PAYMENTS_TABLE")
            .map(|table| PaymentsRepo::new(dynamodb.clone(), table));
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            orders: OrdersRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
            payments,
        })
    }

    /// The service on these repositories (tests, and jobs run by hand).
    pub fn new(
        sessions: SessionsRepo,
        orders: OrdersRepo,
        goods: GoodsRepo,
        payments: Option<PaymentsRepo>,
    ) -> Self {
        Self {
            sessions,
            orders,
            goods,
            payments,
        }
    }

    fn payments(&self) -> Result<&PaymentsRepo, ApiError> {
        self.payments
            .as_ref()
            .ok_or_else(|| ApiError::internal("PAYMENTS_TABLE is not set for this function"))
    }

    /// The buyer's own order with its payments; anyone else's is 404.
    ///
    /// The payments are read first and the order after them (a consistent read): a
    /// move that changes both in one transaction (paid, refunded) is never shown as a
    /// payment ahead of its order. The order may be the newer of the two, since the
    /// payments come from an index.
    ///
    /// # Errors
    /// 404 when missing or someone else's; 500 when DynamoDB fails.
    pub async fn view(&self, buyer: &Customer, order_id: &str) -> Result<OrderView, ApiError> {
        let payments = self.payments()?.of_order(order_id).await?;
        let order = self.own(buyer, order_id).await?;
        Ok(OrderView { order, payments })
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

    /// Moves `order` to `to` for `actor` with `writes`, giving its stock back when the
    /// move says so.
    async fn apply(
        &self,
        order: &Order,
        to: OrderStatus,
        actor: Actor<'_>,
        shipment: Option<Shipment>,
        mut writes: Vec<TransactWriteItem>,
    ) -> Result<Order, TransitionError> {
        let transition = order.transition(to, actor, &clock::rfc3339(clock::now()))?;
        writes.extend(match transition.stock_effect() {
            StockEffect::None => Vec::new(),
            StockEffect::Release => self.goods.release(&order.items)?,
            StockEffect::Restock => self.goods.restock(&order.items)?,
        });
        let details = MoveDetails {
            shipment,
            paid_by: None,
        };
        self.orders
            .transition(order, &transition, details, writes)
            .await
    }

    /// The writes that refund the payment that paid `order` (moved with the order's
    /// own move to `refund_pending`, in one transaction).
    fn refund_writes(
        &self,
        order: &Order,
        refs: &PaymentRefs,
        reason: RefundReason,
        note: Option<String>,
    ) -> Result<Vec<TransactWriteItem>, ApiError> {
        let payment_id = refs
            .paid_payment_id
            .as_deref()
            .ok_or_else(|| ApiError::internal("a paid order names no payment"))?;
        let at = clock::rfc3339(clock::now());
        let refund = Refund {
            note,
            ..Refund::requested(
                payment_id,
                &order.order_id,
                order.total,
                &order.currency,
                reason,
                &at,
            )
        };
        let payments = self.payments()?;
        Ok(vec![
            payments.move_status(
                payment_id,
                PaymentStatus::Succeeded,
                PaymentStatus::RefundPending,
                &at,
            )?,
            payments.put_refund(&refund)?,
        ])
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

    /// The buyer cancels an order: an unpaid one becomes `cancelled` and its reserved
    /// stock returns; a paid one (not shipped yet) becomes `refund_pending`, its sold
    /// stock returns and its payment's refund is requested — each in one transaction.
    ///
    /// # Errors
    /// 404; 409 `not_cancellable` once shipped, cancelled or refunded; 500 when
    /// DynamoDB fails.
    pub async fn cancel(&self, buyer: &Customer, order_id: &str) -> Result<Order, ApiError> {
        let actor = Actor::Buyer(&buyer.user_id);
        let mut attempt = 0;
        let moved = loop {
            let (order, refs) = self.stored_as(actor, order_id).await?;
            let moved = match order.status {
                OrderStatus::Paid => {
                    let writes =
                        self.refund_writes(&order, &refs, RefundReason::BuyerCancelled, None)?;
                    self.apply(&order, OrderStatus::RefundPending, actor, None, writes)
                        .await
                }
                _ => {
                    let writes = self.expire_payment_writes(&refs).await?;
                    self.apply(&order, OrderStatus::Cancelled, actor, None, writes)
                        .await
                }
            };
            match moved {
                // Its payment moved meanwhile (failed): read both again.
                Err(TransitionError::OtherWriteRefused(_)) if attempt < 3 => attempt += 1,
                Err(TransitionError::Invalid(status) | TransitionError::OtherWriteRefused(status)) => {
                    return Err(ApiError::Conflict {
                        code: "not_cancellable",
                        message: format!(
                            "The order is {}; only unpaid orders, or paid ones not yet shipped, can be cancelled.",
                            status.as_str()
                        ),
                    })
                }
                other => break other?,
            }
        };
        tracing::info!(order_id = %order_id, status = moved.status.as_str(), "order cancelled");
        Ok(moved)
    }

    /// The order's merchant refunds a paid order it can't fulfil: `refund_pending`, its
    /// sold stock returns and its payment's refund is requested, in one transaction.
    ///
    /// # Errors
    /// 404 for another merchant's order; 409 `invalid_transition` unless paid.
    pub async fn refund(
        &self,
        merchant: &Merchant,
        order_id: &str,
        reason: String,
    ) -> Result<Order, ApiError> {
        let actor = Actor::Merchant(&merchant.user_id);
        let (order, refs) = self.stored_as(actor, order_id).await?;
        if order.status != OrderStatus::Paid {
            return Err(TransitionError::Invalid(order.status).into());
        }
        let writes =
            self.refund_writes(&order, &refs, RefundReason::MerchantRefund, Some(reason))?;
        let moved = self
            .apply(&order, OrderStatus::RefundPending, actor, None, writes)
            .await?;
        tracing::info!(order_id = %order_id, "order refunded by its merchant");
        Ok(moved)
    }

    /// The order with the payments it names, when it is `actor`'s.
    async fn stored_as(
        &self,
        actor: Actor<'_>,
        order_id: &str,
    ) -> Result<(Order, PaymentRefs), ApiError> {
        let (order, refs) = self
            .orders
            .get_with_payments(order_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let owns = match actor {
            Actor::Buyer(id) => order.buyer_id == id,
            Actor::Merchant(id) => order.merchant_id == id,
            Actor::System => true,
        };
        if !owns {
            return Err(ApiError::NotFound);
        }
        Ok((order, refs))
    }

    /// The write that expires the order's pending payment with the order (none when it
    /// names none, or the function has no payments table).
    async fn expire_payment_writes(
        &self,
        refs: &PaymentRefs,
    ) -> Result<Vec<TransactWriteItem>, TransitionError> {
        let (Some(payment_id), Some(payments)) = (&refs.pending_payment_id, &self.payments) else {
            return Ok(Vec::new());
        };
        let at = clock::rfc3339(clock::now());
        Ok(vec![payments.move_status(
            payment_id,
            PaymentStatus::Pending,
            PaymentStatus::Expired,
            &at,
        )?])
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
            .apply(
                &order,
                OrderStatus::Shipped,
                actor,
                Some(shipment),
                Vec::new(),
            )
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
                Vec::new(),
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
                    // Its payment moved meanwhile (failed): the next run reads it again.
                    Err(TransitionError::OtherWriteRefused(_)) => {}
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
    /// passed at `now`, expiring its pending payment in the same transaction; answers
    /// whether it did. The sweep passes the clock's time; a test passes a later one to
    /// expire one order without waiting half an hour.
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
        let Some((order, refs)) = self.orders.get_with_payments(&order.order_id).await? else {
            return Err(TransitionError::NotFound);
        };
        let writes = self.expire_payment_writes(&refs).await?;
        self.apply(&order, OrderStatus::Cancelled, Actor::System, None, writes)
            .await?;
        tracing::info!(order_id = %order.order_id, "unpaid order expired");
        Ok(true)
    }
}
