//! `GET /merchant/orders?status=`: orders for the calling merchant's goods, newest
//! first, paginated; one Query on `by_merchant` (or `by_merchant_status`) per page.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::orders::{OrderStatus, Orders};

/// What the function needs, built once per cold start.
pub type Context = Orders;

/// Orders for the caller's goods, newest first.
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
