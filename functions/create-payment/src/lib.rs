//! `POST /orders/{order_id}/payments` `{method}`: creates the payment order number the
//! buyer's client hands to the payment provider, for an unpaid, unexpired order.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::Role;
use shop::aws::Aws;
use shop::clock;
use shop::config::ConfigError;
use shop::error::ApiError;
use shop::http;
use shop::ids::new_id;
use shop::orders::order::{OrderStatus, PaymentMethod};
use shop::orders::Orders;
use shop::payments::repo::{Payment, PaymentsRepo};

/// What the function needs, built once per cold start.
pub struct Context {
    orders: Orders,
    payments: PaymentsRepo,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            orders: Orders::from_env()?,
            payments: PaymentsRepo::from_env(Aws::from_env()?.dynamodb())?,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PayBody {
    method: PaymentMethod,
}

#[utoipa::path(
    post,
    operation_id = "create_payment",
    path = "/orders/{order_id}/payments",
    tag = "cart and orders",
    summary = "Create the payment order number for the provider",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = PayBody,
    responses(
        (status = 201, description = "the pending payment", body = shop::payments::repo::Payment),
        (status = 401, description = "unauthenticated: no session, or an invalid, expired or revoked one", body = shop::error::ErrorBody),
        (status = 403, description = "forbidden: merchants", body = shop::error::ErrorBody),
        (status = 404, description = "not_found", body = shop::error::ErrorBody),
        (status = 409, description = "not_payable", body = shop::error::ErrorBody),
        (status = 400, description = "invalid_json", body = shop::error::ErrorBody),
        (status = 413, description = "payload_too_large (over 64 KiB)", body = shop::error::ErrorBody),
        (status = 415, description = "unsupported_media_type", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed, with fields", body = shop::error::ErrorBody),
        (
            status = 500,
            description = "internal_error: an unexpected failure; nothing about it is revealed",
            body = shop::error::ErrorBody
        )
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Handles one request.
///
/// # Errors
/// 401, 403 (merchants), 404, 409 `not_payable`, 422; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.orders.caller(&req, Role::Customer).await?;
    let order_id = Orders::order_id(&req)?;
    let body: PayBody = http::json_body(&req)?;
    let order = ctx.orders.own_order(&caller, &order_id).await?;
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
        order_id,
        buyer_id: caller.user_id,
        amount: order.total,
        currency: order.currency,
        method: body.method,
        status: "pending".to_owned(),
        created_at: clock::rfc3339(now),
    };
    ctx.payments.create(&payment).await?;
    tracing::info!(payment_id = %payment.payment_id, order_id = %payment.order_id, "payment created");
    http::created(&payment)
}
