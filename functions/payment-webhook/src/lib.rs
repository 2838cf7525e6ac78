//! `POST /payments/webhook`: the payment provider reports a payment's outcome.
//!
//! The `Payment-Signature` is verified over the raw body before anything is parsed
//! (400 `invalid_signature`, nothing changes). Each `event_id` applies exactly once:
//! the event's record is written with `attribute_not_exists` in the same transaction as
//! its effect, so 50 concurrent deliveries make one transition. A business rejection
//! (an amount or currency that differs from the order, an order no longer payable) is
//! recorded and answered 200, so the provider doesn't retry it; a success for an order
//! that was cancelled meanwhile is recorded as `refund_required`, never applied.
//! A successful payment publishes one `purchase` event per order line.

use lambda_http::{Body, Request, Response};
use shop::aws::Aws;
use shop::clock;
use shop::config::{self, ConfigError};
use shop::error::ApiError;
use shop::events::{Envelope, Event, Publisher, Purchased};
use shop::http;
use shop::orders::order::OrderStatus;
use shop::orders::repo::OrdersRepo;
use shop::orders::{Actor, Order, TransitionError};
use shop::payments::repo::{PaymentsRepo, WebhookEvent};
use shop::payments::signature;
use shop::store::{cancellation, Cancellation};

/// What the function needs, built once per cold start.
pub struct Context {
    orders: OrdersRepo,
    payments: PaymentsRepo,
    events: Publisher,
    /// Active secrets (`PAYMENT_WEBHOOK_SECRETS`, comma-separated while rotating).
    secrets: Vec<String>,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        let dynamodb = aws.dynamodb();
        let secrets: Vec<String> = config::required("PAYMENT_WEBHOOK_SECRETS")?
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Self {
            orders: OrdersRepo::from_env(dynamodb.clone())?,
            payments: PaymentsRepo::from_env(dynamodb)?,
            events: Publisher::from_env(aws.sqs(), "EVENTS_QUEUE_URL")?,
            secrets,
        })
    }
}

/// The acknowledgement the provider gets.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct WebhookAnswer {
    /// Always true: the event was applied or recorded.
    received: bool,
}

fn received() -> Result<Response<Body>, ApiError> {
    http::ok(&WebhookAnswer { received: true })
}

#[utoipa::path(
    post,
    operation_id = "payment_webhook",
    path = "/payments/webhook",
    tag = "cart and orders",
    summary = "The payment provider reports an outcome (signed with Payment-Signature)",
    params(("Payment-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>; several v1 allowed")),
    request_body = shop::payments::repo::WebhookEvent,
    responses(
        (status = 200, description = "received (applied once, or recorded)", body = WebhookAnswer),
        (status = 400, description = "invalid_signature or invalid_json", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed, with fields", body = shop::error::ErrorBody),
        (status = 413, description = "payload_too_large (over 64 KiB)", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    )
)]
/// The payment provider reports an outcome (signed with Payment-Signature).
///
/// # Errors
/// 400 `invalid_signature` / `invalid_json`, 422 for a signed body of the wrong shape;
/// 500 when AWS fails (the provider retries).
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let body: &[u8] = match req.body() {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    let header = req
        .headers()
        .get("payment-signature")
        .and_then(|v| v.to_str().ok());
    let now = clock::now();
    signature::verify(header, body, &ctx.secrets, now.unix_timestamp()).map_err(|e| {
        tracing::warn!(reason = %e, "webhook signature refused");
        ApiError::BadRequest {
            code: "invalid_signature",
            message: "The Payment-Signature is missing, invalid or stale.".into(),
        }
    })?;
    let event: WebhookEvent = http::parse_json(body)?;
    let at = clock::rfc3339(now);

    let payment = ctx.payments.get(&event.payment_id).await?;
    let order = ctx.orders.get(&event.order_id).await?;
    let (Some(payment), Some(order)) = (payment, order) else {
        return record_only(ctx, &event, "unknown_payment", &at).await;
    };
    if payment.order_id != order.order_id {
        return record_only(ctx, &event, "order_mismatch", &at).await;
    }
    match event.event_type.as_str() {
        "payment.failed" => {
            let writes = vec![
                ctx.payments.record_event(&event, "payment_failed", &at)?,
                ctx.payments
                    .set_status(&payment.payment_id, "failed", &at)?,
            ];
            apply(ctx, writes).await?;
            received()
        }
        "payment.succeeded" if event.amount != order.total || event.currency != order.currency => {
            tracing::warn!(order_id = %order.order_id, "payment amount or currency differs from the order");
            record_only(ctx, &event, "amount_mismatch", &at).await
        }
        "payment.succeeded" if order.status != OrderStatus::PendingPayment => {
            refund(ctx, &event, &payment.payment_id, &at).await
        }
        "payment.succeeded" => {
            let record = ctx.payments.record_event(&event, "applied", &at)?;
            let succeeded = ctx
                .payments
                .set_status(&payment.payment_id, "succeeded", &at)?;
            let mut writes = vec![record, succeeded];
            for line in &order.items {
                writes.push(ctx.payments.purchased(
                    &order.buyer_id,
                    &line.goods_id,
                    &order.order_id,
                    &at,
                )?);
            }
            let paid = match order.transition(OrderStatus::Paid, Actor::System, &at) {
                Ok(transition) => {
                    ctx.orders
                        .transition(&order, &transition, None, writes)
                        .await
                }
                Err(refused) => Err(refused),
            };
            match paid {
                Ok(paid) => {
                    tracing::info!(order_id = %paid.order_id, "order paid");
                    publish_purchases(ctx, &paid).await;
                    received()
                }
                // Our event record was there already (a redelivery), or the order left
                // pending_payment meanwhile; the event table tells which.
                Err(TransitionError::Invalid(_)) => {
                    refund(ctx, &event, &payment.payment_id, &at).await
                }
                Err(TransitionError::OtherWriteRefused) => received(),
                Err(e) => Err(e.into()),
            }
        }
        _ => record_only(ctx, &event, "ignored_type", &at).await,
    }
}

/// Records the event with its outcome, changing nothing else (a duplicate is fine).
async fn record_only(
    ctx: &Context,
    event: &WebhookEvent,
    outcome: &str,
    at: &str,
) -> Result<Response<Body>, ApiError> {
    apply(ctx, vec![ctx.payments.record_event(event, outcome, at)?]).await?;
    received()
}

/// A success that can't be applied: recorded, and the payment marked for refund.
async fn refund(
    ctx: &Context,
    event: &WebhookEvent,
    payment_id: &str,
    at: &str,
) -> Result<Response<Body>, ApiError> {
    let writes = vec![
        ctx.payments.record_event(event, "refund_required", at)?,
        ctx.payments.set_status(payment_id, "refund_required", at)?,
    ];
    if apply(ctx, writes).await? {
        tracing::warn!(
            payment_id,
            "payment for an order that can't take it: refund required"
        );
    }
    received()
}

/// Runs the writes; `false` when the event had been recorded before (a redelivery).
async fn apply(
    ctx: &Context,
    writes: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
) -> Result<bool, ApiError> {
    match ctx.payments.transact(writes).await {
        Ok(()) => Ok(true),
        Err(e) => match cancellation(e)? {
            Cancellation::ConditionsFailed(_) => Ok(false),
            Cancellation::Conflict => Err(ApiError::internal(
                "webhook transaction conflicted; the provider will retry",
            )),
        },
    }
}

async fn publish_purchases(ctx: &Context, order: &Order) {
    for line in &order.items {
        let purchased = Purchased {
            order_id: order.order_id.clone(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            currency: order.currency.clone(),
        };
        let event = Envelope::new(
            Event::Purchase(purchased),
            Some(&order.buyer_id),
            Some(&line.goods_id),
        );
        ctx.events.publish_or_log(&event).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop::testing::{event, offline_env, status_and_body};

    async fn answer(json: &str) -> (u16, serde_json::Value) {
        offline_env();
        let ctx = Context::from_env().unwrap();
        status_and_body(
            handler(&ctx, event(json))
                .await
                .unwrap_or_else(ApiError::into_response),
        )
    }

    #[tokio::test]
    async fn an_unsigned_event_is_refused_before_anything_is_read() {
        let (status, body) = answer(include_str!(
            "../../../events/payment-webhook/unsigned.json"
        ))
        .await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_signature");
    }

    #[tokio::test]
    async fn a_stale_forged_signature_is_refused() {
        let (status, body) =
            answer(include_str!("../../../events/payment-webhook/valid.json")).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_signature");
    }
}
