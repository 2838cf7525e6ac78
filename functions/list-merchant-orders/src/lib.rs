//! `GET /merchant/orders?status=`: orders for the calling merchant's goods, newest
//! first, paginated; one Query on `by_merchant` (or `by_merchant_status`) per page.

use lambda_http::{Body, Request, Response};
use shop::domain::order::OrderStatus;
use shop::domain::Role;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::repo::orders::Actor;

/// What the function needs, built once per cold start.
pub type Context = shop::contexts::Orders;

/// Handles one request.
///
/// # Errors
/// 401, 403 (customers), 422 `status` / `limit`, 400 `invalid_cursor`; 500 when
/// DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.caller(&req, Role::Merchant).await?;
    let status = match http::query_param(&req, "status") {
        None => None,
        Some(raw) => Some(OrderStatus::parse(&raw).ok_or_else(|| {
            FieldErrors::single(
                "status",
                "must be pending_payment, paid, shipped, delivered or cancelled",
            )
        })?),
    };
    let (limit, cursor) = Context::page_params(&req)?;
    let page = ctx
        .orders
        .list(
            Actor::Merchant(&caller.user_id),
            status,
            limit,
            cursor.as_deref(),
        )
        .await?;
    http::ok(&serde_json::json!({ "items": page.items, "next_cursor": page.next_cursor }))
}
