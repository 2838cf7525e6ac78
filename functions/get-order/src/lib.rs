//! `GET /orders/{order_id}`: one of the caller's orders, with its status history.
//! Anyone else's order is 404, so ids reveal nothing.

use lambda_http::{Body, Request, Response};
use shop::accounts::Role;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = shop::orders::Orders;

#[utoipa::path(
    get,
    operation_id = "get_order",
    path = "/orders/{order_id}",
    tag = "cart and orders",
    summary = "One of the caller's orders, with its status history",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the order", body = shop::orders::repo::Order),
        (status = 401, description = "unauthenticated: no session, or an invalid, expired or revoked one", body = shop::error::ErrorBody),
        (status = 403, description = "forbidden: merchants", body = shop::error::ErrorBody),
        (status = 404, description = "not_found", body = shop::error::ErrorBody),
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
/// 401, 403 (merchants), 404; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.caller(&req, Role::Customer).await?;
    let order_id = Context::order_id(&req)?;
    http::ok(&ctx.own_order(&caller, &order_id).await?)
}
