//! Scheduled (EventBridge, every five minutes): counts the refunds asked for over an hour
//! ago and not refunded yet — the provider kept refusing them (their stream batch went
//! to `RefundsDeadLetterQueue`) or never confirmed them — and reports the count as the
//! `StuckRefunds` metric (an embedded-metric log line) that `StuckRefundsAlarm` watches,
//! naming each in the log. One Query of the sparse `open_refunds` index.

use lambda_runtime::LambdaEvent;
use shop::payments::refunds::{stuck_metric, RefundWatch};

/// What the function needs, built once per cold start.
pub type Context = RefundWatch;

/// Reports the stuck refunds; answers how many.
///
/// # Errors
/// When DynamoDB fails (the next run tries again).
pub async fn handler(
    watch: &RefundWatch,
    _event: LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    let now = shop::clock::now();
    let stuck = watch.stuck(now).await?;
    for refund in &stuck {
        tracing::warn!(payment_id = %refund.payment_id, order_id = %refund.order_id,
            requested_at = %refund.requested_at, status = ?refund.status, "refund open for over an hour");
    }
    // The metric line goes to stdout as it is: CloudWatch reads it as a metric.
    println!("{}", stuck_metric(stuck.len(), now));
    Ok(serde_json::json!({ "stuck": stuck.len() }))
}
