//! The payment provider's webhook (`POST /payments/webhook`): a payment's outcome,
//! applied exactly once.
//!
//! The `Payment-Signature` is verified over the raw body before anything is parsed
//! (400 `invalid_signature`, nothing changes). Each `event_id` applies exactly once:
//! the event's record is written with `attribute_not_exists` in the same transaction as
//! its effect, so 50 concurrent deliveries make one transition. A business rejection
//! (an amount or currency that differs from the order, an order no longer payable) is
//! recorded and answered 200, so the provider doesn't retry it; a success for an order
//! that was cancelled meanwhile is recorded as `refund_required`, never applied.
//! A successful payment publishes one `purchase` event per order line.

use super::repo::{PaymentsRepo, WebhookEvent};
use super::secrets::WebhookSecrets;
use super::signature;
use crate::aws::Aws;
use crate::catalogue::repo::GoodsRepo;
use crate::clock;
use crate::config::{self, ConfigError};
use crate::error::{ApiError, BoxError};
use crate::events::{Envelope, Event, Publisher, Purchased};
use crate::http;
use crate::orders::order::OrderStatus;
use crate::orders::repo::OrdersRepo;
use crate::orders::{Actor, Order, TransitionError};
use crate::store::{cancellation, Cancellation};

/// The webhook service, built once per cold start.
pub struct Webhook {
    orders: OrdersRepo,
    goods: GoodsRepo,
    payments: PaymentsRepo,
    events: Publisher,
    /// The signing secrets (several while rotating), from Secrets Manager.
    secrets: WebhookSecrets,
}

impl Webhook {
    /// Builds the service at cold start: reads `ORDERS_TABLE`, `GOODS_TABLE`, `PAYMENTS_TABLE`,
    /// `EVENTS_QUEUE_URL`, and the signing secrets from the Secrets Manager secret named
    /// by `PAYMENT_WEBHOOK_SECRET_ARN`.
    ///
    /// # Errors
    /// A missing variable, named; a secret that can't be read or lists no secret.
    pub async fn load() -> Result<Self, BoxError> {
        let aws = Aws::from_env()?;
        let secret_id = config::required("PAYMENT_WEBHOOK_SECRET_ARN")?;
        let secrets = WebhookSecrets::load(aws.secrets_manager(), secret_id).await?;
        Ok(Self::with_secrets(&aws, secrets)?)
    }

    /// The service with these secrets (for tests and benches: no Secrets Manager).
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn with_secrets(aws: &Aws, secrets: WebhookSecrets) -> Result<Self, ConfigError> {
        let dynamodb = aws.dynamodb();
        Ok(Self {
            orders: OrdersRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb.clone())?,
            payments: PaymentsRepo::from_env(dynamodb)?,
            events: Publisher::from_env(aws.sqs(), "EVENTS_QUEUE_URL")?,
            secrets,
        })
    }

    /// Verifies the signature over the raw `body`, then applies the event once.
    ///
    /// # Errors
    /// 400 `invalid_signature` (nothing changes); 422 for a body that is not an event;
    /// 500 when DynamoDB fails (the provider retries).
    pub async fn receive(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
    ) -> Result<(), ApiError> {
        let now = clock::now();
        let check = |secrets: &[String]| {
            signature::verify(signature_header, body, secrets, now.unix_timestamp())
        };
        let mut verified = self.secrets.with_current(check);
        if matches!(verified, Err(signature::SignatureError::Mismatch))
            && self.secrets.refresh_if_stale().await
        {
            verified = self.secrets.with_current(check);
        }
        verified.map_err(|e| {
            tracing::warn!(reason = %e, "webhook signature refused");
            match e {
                signature::SignatureError::TooLarge => ApiError::PayloadTooLarge,
                _ => ApiError::BadRequest {
                    code: "invalid_signature",
                    message: "The Payment-Signature is missing, invalid or stale.".into(),
                },
            }
        })?;
        let event: WebhookEvent = http::parse_json(body)?;
        let at = clock::rfc3339(now);

        let payment = self.payments.get(&event.payment_id).await?;
        let order = self.orders.get(&event.order_id).await?;
        let (Some(payment), Some(order)) = (payment, order) else {
            return record_only(self, &event, "unknown_payment", &at).await;
        };
        if payment.order_id != order.order_id {
            return record_only(self, &event, "order_mismatch", &at).await;
        }
        match event.event_type.as_str() {
            "payment.failed" => {
                let writes = vec![
                    self.payments.record_event(&event, "payment_failed", &at)?,
                    self.payments
                        .set_status(&payment.payment_id, "failed", &at)?,
                ];
                apply(self, writes).await?;
                Ok(())
            }
            "payment.succeeded"
                if event.amount != order.total || event.currency != order.currency =>
            {
                tracing::warn!(order_id = %order.order_id, "payment amount or currency differs from the order");
                record_only(self, &event, "amount_mismatch", &at).await
            }
            "payment.succeeded" if order.status != OrderStatus::PendingPayment => {
                refund(self, &event, &payment.payment_id, &at).await
            }
            "payment.succeeded" => {
                let record = self.payments.record_event(&event, "applied", &at)?;
                let succeeded = self
                    .payments
                    .set_status(&payment.payment_id, "succeeded", &at)?;
                let mut writes = vec![record, succeeded];
                // The reserved units become the buyer's: they leave the goods' count.
                writes.extend(self.goods.commit(&order.items)?);
                for line in &order.items {
                    writes.push(self.payments.purchased(
                        &order.buyer_id,
                        &line.goods_id,
                        &order.order_id,
                        &at,
                    )?);
                }
                let paid = match order.transition(OrderStatus::Paid, Actor::System, &at) {
                    Ok(transition) => {
                        self.orders
                            .transition(&order, &transition, None, writes)
                            .await
                    }
                    Err(refused) => Err(refused),
                };
                match paid {
                    Ok(paid) => {
                        tracing::info!(order_id = %paid.order_id, "order paid");
                        publish_purchases(self, &paid).await;
                        Ok(())
                    }
                    // Our event record was there already (a redelivery), or the order left
                    // pending_payment meanwhile; the event table tells which.
                    Err(TransitionError::Invalid(_)) => {
                        refund(self, &event, &payment.payment_id, &at).await
                    }
                    Err(TransitionError::OtherWriteRefused) => Ok(()),
                    Err(e) => Err(e.into()),
                }
            }
            _ => record_only(self, &event, "ignored_type", &at).await,
        }
    }
}

/// Records the event with its outcome, changing nothing else (a duplicate is fine).
async fn record_only(
    ctx: &Webhook,
    event: &WebhookEvent,
    outcome: &str,
    at: &str,
) -> Result<(), ApiError> {
    apply(ctx, vec![ctx.payments.record_event(event, outcome, at)?]).await?;
    Ok(())
}

/// A success that can't be applied: recorded, and the payment marked for refund.
async fn refund(
    ctx: &Webhook,
    event: &WebhookEvent,
    payment_id: &str,
    at: &str,
) -> Result<(), ApiError> {
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
    Ok(())
}

/// Runs the writes; `false` when the event had been recorded before (a redelivery).
async fn apply(
    ctx: &Webhook,
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

async fn publish_purchases(ctx: &Webhook, order: &Order) {
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
