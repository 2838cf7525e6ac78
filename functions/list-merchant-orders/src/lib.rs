//! `GET /merchant/orders?status=`: orders for the calling merchant's goods, newest
//! first, paginated; one Query on `by_merchant` (or `by_merchant_status`) per page.

use lambda_http::{Body, Request, Response};
use shop::accounts::Role;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::orders::order::OrderStatus;
use shop::orders::repo::Actor;

/// What the function needs, built once per cold start.
pub type Context = shop::orders::Orders;

#[utoipa::path(
    get,
    operation_id = "list_merchant_orders",
    path = "/merchant/orders",
    tag = "cart and orders",
    summary = "Orders for the caller's goods, newest first",
    params(("status" = Option<shop::orders::order::OrderStatus>, Query), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of orders", body = shop::orders::OrderPage),
        (status = 401, description = "unauthenticated: no session, or an invalid, expired or revoked one", body = shop::error::ErrorBody),
        (status = 403, description = "forbidden: customers", body = shop::error::ErrorBody),
        (status = 400, description = "invalid_cursor", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed, with fields", body = shop::error::ErrorBody),
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
    http::ok(&shop::orders::OrderPage {
        items: page.items,
        next_cursor: page.next_cursor,
    })
}
