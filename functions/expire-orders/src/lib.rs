//! Scheduled (EventBridge, every minute): cancels unpaid orders whose 30 minutes have
//! passed and returns their stock, each in one transaction conditional on the order
//! still being unpaid, so a payment that lands at the same moment wins or loses
//! cleanly. Finds them with one Query per page of `pending_by_expiry`.

use lambda_runtime::LambdaEvent;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

/// Expires what is overdue; answers how many orders expired.
///
/// # Errors
/// When DynamoDB fails (the next run tries again).
pub async fn handler(
    orders: &Orders,
    _event: LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    let expired = orders.expire_overdue().await?;
    Ok(serde_json::json!({ "expired": expired }))
}
