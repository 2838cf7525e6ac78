//! Payments: payment orders handed to the provider, and the provider's signed webhook.
//!
//! - [`signature`]: the webhook's HMAC signature.
//! - [`secrets`]: the webhook's signing secrets, from Secrets Manager.
//! - [`repo`]: the payments table (payments and the webhook events recorded against them).
//! - [`webhook`]: the provider's webhook, applied exactly once.
//! - [`Payments`]: the service that issues payment orders.
//! - [`api`]: the request body and answers of the payment routes.

pub mod api;
pub mod repo;
pub mod secrets;
pub mod signature;
pub mod webhook;

use crate::accounts::sessions::SessionsRepo;
use crate::auth::Customer;
use crate::aws::Aws;
use crate::clock;
use crate::config::ConfigError;
use crate::error::ApiError;
use crate::ids::new_id;
use crate::orders::order::{Actor, OrderStatus, PaymentMethod};
use crate::orders::repo::OrdersRepo;
use repo::{Payment, PaymentsRepo};

/// The payment functions' service, built once per cold start.
pub struct Payments {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    orders: OrdersRepo,
    payments: PaymentsRepo,
}

impl Payments {
    /// Reads `SESSIONS_TABLE`, `ORDERS_TABLE` and `PAYMENTS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            orders: OrdersRepo::from_env(dynamodb.clone())?,
            payments: PaymentsRepo::from_env(dynamodb)?,
        })
    }

    /// Issues the payment order number the buyer's client hands to the provider, for
    /// one of the buyer's unpaid, unexpired orders.
    ///
    /// # Errors
    /// 404 for anyone else's order; 409 `not_payable`; 500 when DynamoDB fails.
    pub async fn create(
        &self,
        buyer: &Customer,
        order_id: &str,
        method: PaymentMethod,
    ) -> Result<Payment, ApiError> {
        let order = self
            .orders
            .get_as(Actor::Buyer(&buyer.user_id), order_id)
            .await?;
        let now = clock::now();
        let expired = order.expires_at <= clock::rfc3339(now);
        if order.status != OrderStatus::PendingPayment || expired {
            let why = if expired && order.status == OrderStatus::PendingPayment {
                "expired"
            } else {
                order.status.as_str()
            };
            return Err(ApiError::Conflict {
                code: "not_payable",
                message: format!("The order is {why}; only unpaid, unexpired orders can be paid."),
            });
        }
        let payment = Payment {
            payment_id: new_id(),
            order_id: order.order_id,
            buyer_id: order.buyer_id,
            amount: order.total,
            currency: order.currency,
            method,
            status: "pending".to_owned(),
            created_at: clock::rfc3339(now),
        };
        self.payments.create(&payment).await?;
        tracing::info!(payment_id = %payment.payment_id, order_id = %payment.order_id, "payment created");
        Ok(payment)
    }
}
