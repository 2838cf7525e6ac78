//! Scheduled (EventBridge, every minute): cancels unpaid orders whose 30 minutes have
//! passed and returns their stock, each in one transaction conditional on the order
//! still being unpaid, so a payment that lands at the same moment wins or loses
//! cleanly. Finds them with one Query per page of `pending_by_expiry`.

use lambda_runtime::LambdaEvent;
use shop::clock;
use shop::error::ErrorChain;
use shop::orders::order::OrderStatus;
use shop::orders::repo::{return_stock, Actor, Change, TransitionError};

/// What the function needs, built once per cold start.
pub type Context = shop::orders::Orders;

/// Orders examined per page.
const PAGE: i32 = 25;
/// Pages per run; whatever is left waits for the next run.
const MAX_PAGES: usize = 20;

/// Handles one scheduled event; answers how many orders expired.
///
/// # Errors
/// When DynamoDB fails (the next run tries again).
pub async fn handler(
    ctx: &Context,
    _event: LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    let mut expired = 0;
    for _ in 0..MAX_PAGES {
        let now = clock::now();
        let overdue = ctx.orders.overdue(now.unix_timestamp(), PAGE).await?;
        if overdue.is_empty() {
            break;
        }
        let at = clock::rfc3339(now);
        let mut progressed = false;
        for order in overdue {
            let returns = return_stock(&ctx.goods_table, &order.items)?;
            match ctx
                .orders
                .transition(
                    &order,
                    Actor::System,
                    Change {
                        from: OrderStatus::PendingPayment,
                        to: OrderStatus::Cancelled,
                        at: &at,
                    },
                    None,
                    returns,
                )
                .await
            {
                Ok(_) => {
                    expired += 1;
                    progressed = true;
                    tracing::info!(order_id = %order.order_id, "unpaid order expired");
                }
                // Paid or cancelled meanwhile: nothing to do.
                Err(TransitionError::Invalid(_) | TransitionError::NotFound) => progressed = true,
                Err(e) => {
                    tracing::error!(order_id = %order.order_id, error = %ErrorChain(&e), "order not expired")
                }
            }
        }
        if !progressed {
            break;
        }
    }
    Ok(serde_json::json!({ "expired": expired }))
}
