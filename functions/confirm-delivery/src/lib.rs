//! `POST /orders/{order_id}/confirm-delivery`: the buyer confirms a shipped order
//! arrived (`shipped → delivered`, a conditional write).

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

#[utoipa::path(
    post,
    operation_id = "confirm_delivery",
    path = "/orders/{order_id}/confirm-delivery",
    tag = "cart and orders",
    summary = "The buyer confirms a shipped order arrived",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the delivered order", body = shop::orders::Order),
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        shop::error::answers::NotFound,
        (status = 409, description = "invalid_transition", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The buyer confirms a shipped order arrived.
///
/// # Errors
/// 401, 403 (merchants), 404, 409 `invalid_transition`; 500 when DynamoDB fails.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    http::ok(&orders.confirm_delivery(&buyer, &order_id).await?)
}
