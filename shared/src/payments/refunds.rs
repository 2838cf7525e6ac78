//! Asking the provider for the refunds the shop owes: the `request-refunds` consumer of
//! the payments table's stream.
//!
//! A refund is recorded (`REFUND#<payment_id>`, status `requested`) in the same
//! transaction as the move that owes it, so it can't be lost; the stream carries that
//! write here. [`RefundRequests::submit`] asks the provider with the refund's
//! idempotency key, retrying transient refusals with backoff within the invocation;
//! once accepted the refund is `submitted`, and the provider's `payment.refunded`
//! webhook completes it. A refund the provider keeps refusing fails its record: the
//! mapping retries the batch from it and then hands it to its on-failure destination
//! (the refunds dead-letter queue, with its alarm), leaving the refund `requested`.

use std::time::Duration;

use super::payment::{Refund, RefundState};
use super::provider::{Provider, ProviderError};
use super::repo::PaymentsRepo;
use crate::aws::Aws;
use crate::clock;
use crate::error::BoxError;

/// Calls to the provider per refund and invocation.
pub const ATTEMPTS: u32 = 4;
/// The wait before the second call; it doubles before each next one.
const FIRST_WAIT: Duration = Duration::from_millis(200);

/// What happened to a refund record.
#[derive(Debug, PartialEq, Eq)]
pub enum Submitted {
    /// The provider accepted it (now, or before).
    Accepted,
    /// Not a refund awaiting submission (another item, or one already submitted).
    NotDue,
}

/// Why a refund was not submitted.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The provider refused it every time, or for good.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// DynamoDB failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The `request-refunds` service, built once per cold start.
pub struct RefundRequests {
    payments: PaymentsRepo,
    provider: Provider,
}

impl RefundRequests {
    /// Reads `PAYMENTS_TABLE` and the provider's endpoint and key.
    ///
    /// # Errors
    /// A missing variable, named; the provider's key unreadable.
    pub async fn load() -> Result<Self, BoxError> {
        let aws = Aws::from_env()?;
        Ok(Self {
            payments: PaymentsRepo::from_env(aws.dynamodb())?,
            provider: Provider::load(&aws).await?,
        })
    }

    /// Asks the provider for `refund` if it still awaits submission (the stream may
    /// deliver a record again, and the item may have moved on since it was written).
    ///
    /// # Errors
    /// [`SubmitError`] when the provider refused it [`ATTEMPTS`] times or for good, or
    /// DynamoDB failed.
    pub async fn submit(&self, refund: &Refund) -> Result<Submitted, SubmitError> {
        if refund.status != RefundState::Requested {
            return Ok(Submitted::NotDue);
        }
        let current = self.payments.refund(&refund.payment_id).await?;
        if current.is_none_or(|r| r.status != RefundState::Requested) {
            return Ok(Submitted::NotDue);
        }
        let mut wait = FIRST_WAIT;
        let mut attempt = 1;
        let provider_id = loop {
            match self
                .provider
                .refund(
                    &refund.payment_id,
                    &refund.order_id,
                    refund.amount,
                    &refund.currency,
                )
                .await
            {
                Ok(id) => break id,
                Err(e) if e.is_retryable() && attempt < ATTEMPTS => {
                    tracing::warn!(payment_id = %refund.payment_id, attempt, error = %e, "refund not accepted yet; asking again");
                    tokio::time::sleep(wait + jitter()).await;
                    wait *= 2;
                    attempt += 1;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let at = clock::rfc3339(clock::now());
        self.payments
            .refund_submitted(&refund.payment_id, &provider_id, &at)
            .await?;
        tracing::info!(payment_id = %refund.payment_id, order_id = %refund.order_id, attempts = attempt, "refund submitted");
        Ok(Submitted::Accepted)
    }
}

/// How long a refund may stay open (asked for, not refunded) before it counts as stuck.
pub const STUCK_AFTER_SECS: i64 = 3600;
/// Open refunds looked at per run: enough to say "some" (the alarm's question) and name
/// them in the log.
const STUCK_PAGE: i32 = 100;

/// The `watch-refunds` service: how many refunds are stuck, as a CloudWatch metric.
pub struct RefundWatch {
    payments: PaymentsRepo,
}

impl RefundWatch {
    /// Reads `PAYMENTS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, crate::config::ConfigError> {
        Ok(Self::new(PaymentsRepo::from_env(
            Aws::from_env()?.dynamodb(),
        )?))
    }

    /// The watch over this payments table (tests).
    pub fn new(payments: PaymentsRepo) -> Self {
        Self { payments }
    }

    /// The refunds asked for over an hour before `now` and not refunded yet (up to 100,
    /// oldest first): the provider kept refusing them, or never confirmed them.
    ///
    /// # Errors
    /// When DynamoDB fails.
    pub async fn stuck(
        &self,
        now: time::OffsetDateTime,
    ) -> Result<Vec<Refund>, crate::store::StoreError> {
        let before = clock::rfc3339(now - time::Duration::seconds(STUCK_AFTER_SECS));
        self.payments.open_refunds(&before, STUCK_PAGE).await
    }
}

/// The CloudWatch embedded-metric log line that reports `stuck` refunds (namespace `Shop`,
/// metric `StuckRefunds`): Lambda's log pipeline turns it into the metric the template's
/// alarm watches, with no API call.
pub fn stuck_metric(stuck: usize, now: time::OffsetDateTime) -> serde_json::Value {
    serde_json::json!({
        "_aws": {
            "Timestamp": now.unix_timestamp() * 1000,
            "CloudWatchMetrics": [{
                "Namespace": "Shop",
                "Dimensions": [[]],
                "Metrics": [{"Name": "StuckRefunds", "Unit": "Count"}],
            }],
        },
        "StuckRefunds": stuck,
    })
}

/// Up to 100 ms, so retries of refunds that failed together spread out.
fn jitter() -> Duration {
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    Duration::from_millis(u64::from(byte[0]) * 100 / 255)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stuck_count_is_an_embedded_metric_of_the_shop_namespace() {
        let now = time::macros::datetime!(2026-12-07 00:00 UTC);
        let line = stuck_metric(3, now);
        assert_eq!(line["StuckRefunds"], 3);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "Shop");
        assert_eq!(directive["Metrics"][0]["Name"], "StuckRefunds");
        assert_eq!(line["_aws"]["Timestamp"], 1_796_601_600_000_i64);
    }
}
