//! Payments: payment orders handed to the provider, and the provider's signed webhook.
//!
//! - [`payment`]: a payment and its one state machine; refunds.
//! - [`provider`]: the provider's checkout links and refunds API.
//! - [`refunds`]: asking the provider for the refunds the shop owes.
//! - [`relay`]: relaying purchases to the behaviour queue.
//! - [`signature`]: the webhook's HMAC signature.
//! - [`secrets`]: the webhook's signing secrets, from Secrets Manager.
//! - [`repo`]: the payments table (payments and the webhook events recorded against them).
//! - [`webhook`]: the provider's webhook, applied exactly once.
//! - [`Payments`]: the service that issues payment orders.
//! - [`api`]: the request body and answers of the payment routes.

pub mod api;
pub mod payment;
pub mod provider;
pub mod refunds;
pub mod relay;
pub mod repo;
pub mod secrets;
pub mod signature;
pub mod webhook;

use crate::accounts::sessions::SessionsRepo;
use crate::auth::Customer;
use crate::aws::Aws;
use crate::clock;
use crate::error::{ApiError, BoxError};
use crate::ids::new_id;
use crate::orders::order::{OrderStatus, PaymentMethod};
use crate::orders::repo::OrdersRepo;
use crate::store::{cancellation, Cancellation};
use payment::{Payment, PaymentStatus};
use provider::{CheckoutParameters, Provider};
use repo::PaymentsRepo;

/// How long before its order's deadline a payment expires: the provider must not take
/// money for an order that is about to expire.
pub const PAYMENT_EXPIRY_MARGIN_SECS: i64 = 60;

/// What `POST /orders/{id}/payments` answers.
#[derive(Debug)]
pub enum Issued {
    /// A new payment (201).
    Created(Payment),
    /// The order's pending, unexpired payment, issued before (200).
    Existing(Payment),
}

/// The payment functions' service, built once per cold start.
pub struct Payments {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    orders: OrdersRepo,
    payments: PaymentsRepo,
    provider: Provider,
}

impl Payments {
    /// Reads `SESSIONS_TABLE`, `ORDERS_TABLE`, `PAYMENTS_TABLE` and the provider's
    /// endpoint and key.
    ///
    /// # Errors
    /// A missing variable, named; the provider's key unreadable.
    pub async fn load() -> Result<Self, BoxError> {
        let aws = Aws::from_env()?;
        let dynamodb = aws.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            orders: OrdersRepo::from_env(dynamodb.clone())?,
            payments: PaymentsRepo::from_env(dynamodb)?,
            provider: Provider::load(&aws).await?,
        })
    }

    /// Issues the payment order number the buyer's client hands to the provider, for
    /// one of the buyer's unpaid orders with at least a minute left; while the order has
    /// a pending, unexpired payment, answers that one instead. The claim on the order
    /// is a conditional write, so concurrent requests make one payment.
    ///
    /// # Errors
    /// 404 for anyone else's order; 409 `not_payable`; 500 when DynamoDB fails.
    pub async fn create(
        &self,
        buyer: &Customer,
        order_id: &str,
        method: PaymentMethod,
    ) -> Result<Issued, ApiError> {
        for attempt in 0..5 {
            let Some((order, refs)) = self.orders.get_with_payments(order_id).await? else {
                return Err(ApiError::NotFound);
            };
            if order.buyer_id != buyer.user_id {
                return Err(ApiError::NotFound);
            }
            let now = clock::now();
            let deadline = clock::parse_rfc3339(&order.expires_at)
                .map(|at| at.unix_timestamp())
                .unwrap_or_default();
            let expires_unix = deadline - PAYMENT_EXPIRY_MARGIN_SECS;
            if order.status != OrderStatus::PendingPayment {
                return Err(not_payable(order.status.as_str()));
            }
            if expires_unix <= now.unix_timestamp() {
                return Err(not_payable("about to expire"));
            }
            if let (Some(pending), Some(until)) =
                (&refs.pending_payment_id, refs.pending_payment_expires_unix)
            {
                if until > now.unix_timestamp() {
                    match self.payments.get(pending).await? {
                        Some(p) if p.status == PaymentStatus::Pending => {
                            return Ok(Issued::Existing(p))
                        }
                        // Failed or expired meanwhile: the claim is being released.
                        _ => {}
                    }
                }
            }
            let payment_id = new_id();
            let expires_at = clock::rfc3339_from_unix(expires_unix);
            let checkout_url = self.provider.checkout_url(&CheckoutParameters {
                payment_id: &payment_id,
                order_id: &order.order_id,
                amount: order.total,
                currency: &order.currency,
                expires_at: &expires_at,
            });
            let payment = Payment {
                payment_id,
                order_id: order.order_id.clone(),
                buyer_id: order.buyer_id.clone(),
                amount: order.total,
                currency: order.currency.clone(),
                method,
                status: PaymentStatus::Pending,
                created_at: clock::rfc3339(now),
                expires_at,
                checkout_url,
            };
            let writes = vec![
                self.payments.put_new(&payment)?,
                self.orders.claim_payment(
                    &order.order_id,
                    &payment.payment_id,
                    expires_unix,
                    now.unix_timestamp(),
                )?,
            ];
            match self.payments.transact(writes).await {
                Ok(()) => {
                    tracing::info!(payment_id = %payment.payment_id, order_id = %payment.order_id, "payment created");
                    return Ok(Issued::Created(payment));
                }
                Err(e) => match cancellation(e)? {
                    // Another payment claimed the order, or it left pending_payment:
                    // read it again and answer accordingly.
                    Cancellation::ConditionsFailed(_) => {}
                    Cancellation::Conflict => crate::store::backoff(attempt).await,
                },
            }
        }
        Err(ApiError::internal("the payment claim kept conflicting"))
    }
}

fn not_payable(why: &str) -> ApiError {
    ApiError::Conflict {
        code: "not_payable",
        message: format!(
            "The order is {why}; only unpaid orders with at least a minute left can be paid."
        ),
    }
}
