//! `GET /orders`: the caller's orders, newest first, paginated (one Query on
//! `by_buyer` per page).

use lambda_http::{Body, Request, Response};
use shop::domain::Role;
use shop::error::ApiError;
use shop::http;
use shop::repo::orders::Actor;

/// What the function needs, built once per cold start.
pub type Context = shop::contexts::Orders;

/// Handles one request.
///
/// # Errors
/// 401, 403 (merchants), 422 `limit`, 400 `invalid_cursor`; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.caller(&req, Role::Customer).await?;
    let (limit, cursor) = Context::page_params(&req)?;
    let page = ctx
        .orders
        .list(
            Actor::Buyer(&caller.user_id),
            None,
            limit,
            cursor.as_deref(),
        )
        .await?;
    http::ok(&serde_json::json!({ "items": page.items, "next_cursor": page.next_cursor }))
}
