//! `GET /orders`: the caller's orders, newest first, paginated (one Query on
//! `by_buyer` per page).

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

#[utoipa::path(
    get,
    operation_id = "list_orders",
    path = "/orders",
    tag = "cart and orders",
    summary = "The caller's orders, newest first",
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of orders", body = shop::orders::OrderPage),
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        shop::error::answers::InvalidCursor,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The caller's orders, newest first.
///
/// # Errors
/// 401, 403 (merchants), 422 `limit`, 400 `invalid_cursor`; 500 when DynamoDB fails.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&orders.sessions, &req).await?;
    http::ok(&orders.bought(&buyer, &http::page_params(&req)?).await?)
}
