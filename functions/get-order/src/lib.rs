//! `GET /orders/{order_id}`: one of the caller's orders, with its status history.
//! Anyone else's order is 404, so ids reveal nothing.

use lambda_http::{Body, Request, Response};
use shop::domain::Role;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = shop::contexts::Orders;

/// Handles one request.
///
/// # Errors
/// 401, 403 (merchants), 404; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.caller(&req, Role::Customer).await?;
    let order_id = Context::order_id(&req)?;
    http::ok(&ctx.own_order(&caller, &order_id).await?)
}
