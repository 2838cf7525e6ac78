//! `GET /merchant/orders?status=`: orders for the calling merchant's goods, newest
//! first, paginated; one Query on `by_merchant` (or `by_merchant_status`) per page.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::orders::{OrderStatus, Orders};

/// What the function needs, built once per cold start.
pub type Context = Orders;

#[utoipa::path(
    get,
    operation_id = "list_merchant_orders",
    path = "/merchant/orders",
    tag = "cart and orders",
    summary = "Orders for the caller's goods, newest first",
    params(("status" = Option<shop::orders::order::OrderStatus>, Query), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of orders", body = shop::orders::OrderPage),
        shop::error::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers", body = shop::error::ErrorBody),
        shop::error::answers::InvalidCursor,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Orders for the caller's goods, newest first.
///
/// # Errors
/// 401, 403 (customers), 422 `status` / `limit`, 400 `invalid_cursor`; 500 when
/// DynamoDB fails.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&orders.sessions, &req).await?;
    let status = match http::query_param(&req, "status") {
        None => None,
        Some(raw) => Some(OrderStatus::parse(&raw).ok_or_else(|| {
            FieldErrors::single(
                "status",
                "must be pending_payment, paid, shipped, delivered or cancelled",
            )
        })?),
    };
    let page = http::page_params(&req)?;
    http::ok(&orders.sold(&merchant, status, &page).await?)
}
