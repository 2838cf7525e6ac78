//! `POST /orders/{order_id}/cancel`: the buyer cancels an unpaid order; its stock goes
//! back to the goods in the same transaction as the status change.

use lambda_http::{Body, Request, Response};
use shop::accounts::Role;
use shop::clock;
use shop::error::ApiError;
use shop::http;
use shop::orders::order::OrderStatus;
use shop::orders::repo::{return_stock, Actor, Change, TransitionError};

/// What the function needs, built once per cold start.
pub type Context = shop::orders::Orders;

#[utoipa::path(
    post,
    operation_id = "cancel_order",
    path = "/orders/{order_id}/cancel",
    tag = "cart and orders",
    summary = "Cancel an unpaid order; its stock returns",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the cancelled order", body = shop::orders::repo::Order),
        (status = 401, description = "unauthenticated: no session, or an invalid, expired or revoked one", body = shop::error::ErrorBody),
        (status = 403, description = "forbidden: merchants", body = shop::error::ErrorBody),
        (status = 404, description = "not_found", body = shop::error::ErrorBody),
        (status = 409, description = "not_cancellable", body = shop::error::ErrorBody),
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
/// 401, 403 (merchants), 404, 409 `not_cancellable`; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.caller(&req, Role::Customer).await?;
    let order_id = Context::order_id(&req)?;
    let order = ctx.own_order(&caller, &order_id).await?;
    let returns = return_stock(&ctx.goods_table, &order.items)?;
    let now = clock::rfc3339(clock::now());
    let cancelled = ctx
        .orders
        .transition(
            &order,
            Actor::Buyer(&caller.user_id),
            Change {
                from: OrderStatus::PendingPayment,
                to: OrderStatus::Cancelled,
                at: &now,
            },
            None,
            returns,
        )
        .await
        .map_err(|e| match e {
            TransitionError::Invalid(status) => ApiError::Conflict {
                code: "not_cancellable",
                message: format!("The order is {status}; only unpaid orders can be cancelled."),
            },
            other => other.into(),
        })?;
    tracing::info!(order_id = %order_id, "order cancelled");
    http::ok(&cancelled)
}
