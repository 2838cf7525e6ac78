//! `GET /orders/{order_id}`: one of the caller's orders, with its status history.
//! Anyone else's order is 404, so ids reveal nothing.

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

#[utoipa::path(
    get,
    operation_id = "get_order",
    path = "/orders/{order_id}",
    tag = "cart and orders",
    summary = "One of the caller's orders, with its status history",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the order", body = shop::orders::Order),
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        shop::error::answers::NotFound,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// One of the caller's orders, with its status history.
///
/// # Errors
/// 401, 403 (merchants), 404; 500 when DynamoDB fails.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    http::ok(&orders.own(&buyer, &order_id).await?)
}
