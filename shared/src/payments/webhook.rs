//! The payment provider's webhook (`POST /payments/webhook`): a payment's outcome or a
//! refund's completion, applied exactly once.
//!
//! The `Payment-Signature` is verified over the raw body before anything is parsed
//! (400 `invalid_signature`, nothing changes). Each `event_id` applies exactly once:
//! the event's record is written with `attribute_not_exists` in the same transaction as
//! its effect, and every move is conditional on the status it was read in, so 50
//! concurrent deliveries make one transition and a late or out-of-order event can't move
//! anything backwards. What an event does is [`decide`]'s, from the payment, order and
//! refund as read:
//! - `payment.succeeded` for the order's pending payment pays the order; money captured
//!   for an order that can't take it (cancelled, expired, or paid by another payment) is
//!   refunded automatically (the payment moves to `refund_pending` and its refund is
//!   recorded in the same transaction; `request-refunds` asks the provider for it).
//! - `payment.failed` fails a pending payment and frees the order for another; after a
//!   success it changes nothing.
//! - `payment.refunded` completes the payment's refund, and the order's when the refund
//!   was the order's (`refund_pending → refunded`).
//!
//! A business rejection (an amount or currency that differs) is recorded and answered
//! 200, so the provider doesn't retry it. A successful payment records one purchase per
//! order line in the same transaction; the payments table's stream relays them to the
//! behaviour queue (`relay-purchases`), so no purchase is lost to a queue that was down.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::payment::{Payment, PaymentStatus, Refund, RefundReason, RefundState};
use super::repo::{PaymentsRepo, WebhookEvent};
use super::secrets::WebhookSecrets;
use super::signature;
use crate::aws::Aws;
use crate::catalogue::repo::GoodsRepo;
use crate::clock;
use crate::config::{self, ConfigError};
use crate::error::{ApiError, BoxError};
use crate::http;
use crate::orders::order::OrderStatus;
use crate::orders::repo::{MoveDetails, OrdersRepo};
use crate::orders::{Actor, Order, TransitionError};
use crate::store::{cancellation, Cancellation};

/// Times an event is planned again after a concurrent change refused its writes.
const ATTEMPTS: u32 = 5;

/// What an event does, given what was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Record the event with this outcome; change nothing else.
    Record(&'static str),
    /// The order's pending payment succeeded: the order is paid.
    Pay,
    /// The pending payment failed: it is failed, and the order free for another.
    Fail,
    /// Money was captured that the order can't take: refund it, from this status.
    RefundCapture(PaymentStatus, RefundReason),
    /// The provider refunded the payment; the order moves too when it says so.
    CompleteRefund {
        /// Whether the order moves `refund_pending → refunded`.
        order_moves: bool,
    },
}

/// What an event does to a payment (with its order and refund, as read).
pub fn decide(
    event: &WebhookEvent,
    payment: &Payment,
    order: &Order,
    refund: Option<&Refund>,
) -> Decision {
    use PaymentStatus::*;
    match event.event_type.as_str() {
        "payment.succeeded" => {
            if event.amount != payment.amount || event.currency != payment.currency {
                return Decision::Record("amount_mismatch");
            }
            match (payment.status, order.status) {
                (Succeeded | RefundPending | Refunded, _) => Decision::Record("already_captured"),
                (Pending, OrderStatus::PendingPayment) => Decision::Pay,
                (from, OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Delivered) => {
                    Decision::RefundCapture(from, RefundReason::DuplicatePayment)
                }
                (from, _) => Decision::RefundCapture(from, RefundReason::OrderNotPayable),
            }
        }
        "payment.failed" if payment.status == Pending => Decision::Fail,
        "payment.failed" => Decision::Record("late_failure_ignored"),
        "payment.refunded" => match refund {
            None => Decision::Record("unknown_refund"),
            Some(r) if r.status == RefundState::Refunded => Decision::Record("already_refunded"),
            Some(r) if event.amount != r.amount || event.currency != r.currency => {
                Decision::Record("amount_mismatch")
            }
            Some(_) if payment.status != RefundPending => Decision::Record("not_refunding"),
            Some(r) => Decision::CompleteRefund {
                order_moves: r.reason.moves_the_order()
                    && order.status == OrderStatus::RefundPending,
            },
        },
        _ => Decision::Record("ignored_type"),
    }
}

/// Whether an attempt's writes went through or a concurrent change refused them.
enum Attempt {
    Done,
    Refused,
}

/// The webhook service, built once per cold start.
pub struct Webhook {
    orders: OrdersRepo,
    goods: GoodsRepo,
    payments: PaymentsRepo,
    /// The signing secrets (several while rotating), from Secrets Manager.
    secrets: WebhookSecrets,
}

impl Webhook {
    /// Builds the service at cold start: reads `ORDERS_TABLE`, `GOODS_TABLE`,
    /// `PAYMENTS_TABLE`, and the signing secrets from the Secrets Manager secret named by
    /// `PAYMENT_WEBHOOK_SECRET_ARN`.
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
        for attempt in 0..ATTEMPTS {
            // A redelivery (or a concurrent delivery that won) changes nothing more.
            if self.payments.event_recorded(&event.event_id).await? {
                return Ok(());
            }
            let at = clock::rfc3339(clock::now());
            match self.attempt(&event, &at).await? {
                Attempt::Done => return Ok(()),
                Attempt::Refused => crate::store::backoff(attempt).await,
            }
        }
        Err(ApiError::internal(
            "the webhook's writes kept being refused by concurrent changes; the provider will retry",
        ))
    }

    /// Reads the payment, order and refund, decides, and writes once.
    async fn attempt(&self, event: &WebhookEvent, at: &str) -> Result<Attempt, ApiError> {
        let payment = self.payments.get(&event.payment_id).await?;
        let stored = self.orders.get_with_payments(&event.order_id).await?;
        let (Some(payment), Some((order, refs))) = (payment, stored) else {
            return self.record(event, "unknown_payment", at, Vec::new()).await;
        };
        if payment.order_id != order.order_id {
            return self.record(event, "order_mismatch", at, Vec::new()).await;
        }
        let refund = match event.event_type.as_str() {
            "payment.refunded" => self.payments.refund(&payment.payment_id).await?,
            _ => None,
        };
        let decision = decide(event, &payment, &order, refund.as_ref());
        let payments = &self.payments;
        let pid = payment.payment_id.as_str();
        match decision {
            Decision::Record(outcome) => {
                if outcome == "amount_mismatch" {
                    tracing::warn!(order_id = %order.order_id, "webhook amount or currency differs");
                }
                self.record(event, outcome, at, Vec::new()).await
            }
            Decision::Fail => {
                let mut writes = vec![payments.move_status(
                    pid,
                    PaymentStatus::Pending,
                    PaymentStatus::Failed,
                    at,
                )?];
                if refs.pending_payment_id.as_deref() == Some(pid) {
                    writes.push(self.orders.release_payment(&order.order_id, pid)?);
                }
                self.record(event, "payment_failed", at, writes).await
            }
            Decision::RefundCapture(from, reason) => {
                let writes = vec![
                    payments.move_status(pid, from, PaymentStatus::RefundPending, at)?,
                    payments.put_refund(&Refund::of(&payment, reason, at))?,
                ];
                let done = self.record(event, "refund_required", at, writes).await?;
                if matches!(done, Attempt::Done) {
                    tracing::warn!(payment_id = pid, order_id = %order.order_id, "money captured for an order that can't take it: refund requested");
                }
                Ok(done)
            }
            Decision::Pay => self.pay(event, &payment, &order, at).await,
            Decision::CompleteRefund { order_moves } => {
                let writes = vec![
                    payments.record_event(event, "refunded", at)?,
                    payments.refund_completed(pid, at)?,
                    payments.move_status(
                        pid,
                        PaymentStatus::RefundPending,
                        PaymentStatus::Refunded,
                        at,
                    )?,
                ];
                if !order_moves {
                    return self.run(writes).await;
                }
                let transition = order.transition(OrderStatus::Refunded, Actor::System, at)?;
                let moved = self
                    .orders
                    .transition(&order, &transition, MoveDetails::default(), writes)
                    .await;
                refused_or(moved.map(|o| {
                    tracing::info!(order_id = %o.order_id, "order refunded");
                }))
            }
        }
    }

    /// Pays the order with its pending payment: the reserved units leave the goods and
    /// the buyer's purchases are recorded (the table's stream relays them to
    /// recommendations).
    async fn pay(
        &self,
        event: &WebhookEvent,
        payment: &Payment,
        order: &Order,
        at: &str,
    ) -> Result<Attempt, ApiError> {
        let mut writes = vec![
            self.payments.record_event(event, "applied", at)?,
            self.payments.move_status(
                &payment.payment_id,
                PaymentStatus::Pending,
                PaymentStatus::Succeeded,
                at,
            )?,
        ];
        writes.extend(self.goods.commit(&order.items)?);
        for line in &order.items {
            writes.push(self.payments.purchased(
                &order.buyer_id,
                line,
                &order.order_id,
                &order.currency,
                at,
            )?);
        }
        let transition = order.transition(OrderStatus::Paid, Actor::System, at)?;
        let details = MoveDetails {
            shipment: None,
            paid_by: Some(payment.payment_id.clone()),
        };
        let paid = self
            .orders
            .transition(order, &transition, details, writes)
            .await;
        if let Ok(paid) = &paid {
            tracing::info!(order_id = %paid.order_id, "order paid");
        }
        refused_or(paid.map(|_| ()))
    }

    /// Records the event with `outcome` together with `writes`.
    async fn record(
        &self,
        event: &WebhookEvent,
        outcome: &str,
        at: &str,
        mut writes: Vec<TransactWriteItem>,
    ) -> Result<Attempt, ApiError> {
        writes.insert(0, self.payments.record_event(event, outcome, at)?);
        self.run(writes).await
    }

    async fn run(&self, writes: Vec<TransactWriteItem>) -> Result<Attempt, ApiError> {
        match self.payments.transact(writes).await {
            Ok(()) => Ok(Attempt::Done),
            Err(e) => match cancellation(e)? {
                Cancellation::ConditionsFailed(_) | Cancellation::Conflict => Ok(Attempt::Refused),
            },
        }
    }
}

/// A move that a concurrent change refused is planned again; other failures are errors.
fn refused_or(moved: Result<(), TransitionError>) -> Result<Attempt, ApiError> {
    match moved {
        Ok(()) => Ok(Attempt::Done),
        Err(TransitionError::Invalid(_) | TransitionError::OtherWriteRefused(_)) => {
            Ok(Attempt::Refused)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::order::PaymentMethod;
    use PaymentStatus::*;

    fn event(kind: &str, amount: i64) -> WebhookEvent {
        WebhookEvent {
            event_id: "evt".into(),
            event_type: kind.into(),
            payment_id: "pay".into(),
            order_id: "ord".into(),
            amount,
            currency: "CNY".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn payment(status: PaymentStatus) -> Payment {
        Payment {
            payment_id: "pay".into(),
            order_id: "ord".into(),
            buyer_id: "buyer".into(),
            amount: 100,
            currency: "CNY".into(),
            method: PaymentMethod::Card,
            status,
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2026-01-01T00:29:00Z".into(),
            checkout_url: "http://pay.test/checkout".into(),
        }
    }

    fn order(status: OrderStatus) -> Order {
        serde_json::from_value(serde_json::json!({
            "order_id": "ord", "buyer_id": "buyer", "merchant_id": "m", "status": status,
            "items": [], "total": 100, "currency": "CNY",
            "shipping_address": {"recipient": "Li Lei", "phone": "+86 138 0000 0000",
                "line1": "1 Jianguo Rd", "city": "Beijing", "country": "CN"},
            "payment_method": "card", "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-01-01T00:30:00Z", "status_history": []
        }))
        .unwrap()
    }

    fn refund(reason: RefundReason, status: RefundState) -> Refund {
        let mut refund = Refund::of(&payment(RefundPending), reason, "t");
        refund.status = status;
        refund
    }

    #[test]
    fn a_success_pays_only_a_pending_order_with_its_pending_payment() {
        let ok = event("payment.succeeded", 100);
        assert_eq!(
            decide(
                &ok,
                &payment(Pending),
                &order(OrderStatus::PendingPayment),
                None
            ),
            Decision::Pay
        );
        assert_eq!(
            decide(
                &event("payment.succeeded", 99),
                &payment(Pending),
                &order(OrderStatus::PendingPayment),
                None
            ),
            Decision::Record("amount_mismatch")
        );
        assert_eq!(
            decide(&ok, &payment(Succeeded), &order(OrderStatus::Paid), None),
            Decision::Record("already_captured")
        );
    }

    #[test]
    fn money_an_order_cant_take_is_refunded() {
        let ok = event("payment.succeeded", 100);
        assert_eq!(
            decide(&ok, &payment(Expired), &order(OrderStatus::Cancelled), None),
            Decision::RefundCapture(Expired, RefundReason::OrderNotPayable)
        );
        assert_eq!(
            decide(&ok, &payment(Pending), &order(OrderStatus::Paid), None),
            Decision::RefundCapture(Pending, RefundReason::DuplicatePayment)
        );
        assert_eq!(
            decide(
                &ok,
                &payment(Failed),
                &order(OrderStatus::PendingPayment),
                None
            ),
            Decision::RefundCapture(Failed, RefundReason::OrderNotPayable)
        );
    }

    #[test]
    fn a_late_failure_changes_nothing() {
        let failed = event("payment.failed", 100);
        assert_eq!(
            decide(
                &failed,
                &payment(Pending),
                &order(OrderStatus::PendingPayment),
                None
            ),
            Decision::Fail
        );
        for status in [Succeeded, Expired, RefundPending, Refunded, Failed] {
            assert_eq!(
                decide(&failed, &payment(status), &order(OrderStatus::Paid), None),
                Decision::Record("late_failure_ignored")
            );
        }
    }

    #[test]
    fn a_refund_completes_once_and_moves_the_order_only_when_it_was_the_orders() {
        let refunded = event("payment.refunded", 100);
        let pending = payment(RefundPending);
        let asked = refund(RefundReason::BuyerCancelled, RefundState::Submitted);
        assert_eq!(
            decide(
                &refunded,
                &pending,
                &order(OrderStatus::RefundPending),
                Some(&asked)
            ),
            Decision::CompleteRefund { order_moves: true }
        );
        let capture = refund(RefundReason::OrderNotPayable, RefundState::Requested);
        assert_eq!(
            decide(
                &refunded,
                &pending,
                &order(OrderStatus::Cancelled),
                Some(&capture)
            ),
            Decision::CompleteRefund { order_moves: false }
        );
        let done = refund(RefundReason::BuyerCancelled, RefundState::Refunded);
        assert_eq!(
            decide(
                &refunded,
                &payment(Refunded),
                &order(OrderStatus::Refunded),
                Some(&done)
            ),
            Decision::Record("already_refunded")
        );
        assert_eq!(
            decide(
                &refunded,
                &payment(Succeeded),
                &order(OrderStatus::Paid),
                None
            ),
            Decision::Record("unknown_refund")
        );
        assert_eq!(
            decide(
                &event("payment.refunded", 1),
                &pending,
                &order(OrderStatus::RefundPending),
                Some(&asked)
            ),
            Decision::Record("amount_mismatch")
        );
    }
}
