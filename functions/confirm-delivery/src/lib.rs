//! `POST /orders/{order_id}/confirm-delivery`: the buyer confirms a shipped order
//! arrived (`shipped → delivered`, a conditional write).

use lambda_http::{Body, Request, Response};
use shop::accounts::Role;
use shop::clock;
use shop::error::ApiError;
use shop::http;
use shop::orders::order::OrderStatus;
use shop::orders::repo::{Actor, Change};

/// What the function needs, built once per cold start.
pub type Context = shop::orders::Orders;

#[utoipa::path(
    post,
    operation_id = "confirm_delivery",
    path = "/orders/{order_id}/confirm-delivery",
    tag = "cart and orders",
    summary = "The buyer confirms a shipped order arrived",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the delivered order", body = shop::orders::repo::Order),
        (status = 401, description = "unauthenticated: no session, or an invalid, expired or revoked one", body = shop::error::ErrorBody),
        (status = 403, description = "forbidden: merchants", body = shop::error::ErrorBody),
        (status = 404, description = "not_found", body = shop::error::ErrorBody),
        (status = 409, description = "invalid_transition", body = shop::error::ErrorBody),
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
/// 401, 403 (merchants), 404, 409 `invalid_transition`; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.caller(&req, Role::Customer).await?;
    let order_id = Context::order_id(&req)?;
    let order = ctx.own_order(&caller, &order_id).await?;
    let now = clock::rfc3339(clock::now());
    let change = Change {
        from: OrderStatus::Shipped,
        to: OrderStatus::Delivered,
        at: &now,
    };
    let delivered = ctx
        .orders
        .transition(
            &order,
            Actor::Buyer(&caller.user_id),
            change,
            None,
            Vec::new(),
        )
        .await?;
    tracing::info!(order_id = %order_id, "order delivered");
    http::ok(&delivered)
}
