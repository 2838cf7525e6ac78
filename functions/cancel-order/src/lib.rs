//! `POST /orders/{order_id}/cancel`: the buyer cancels an unpaid order; its stock goes
//! back to the goods in the same transaction as the status change.

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

#[utoipa::path(
    post,
    operation_id = "cancel_order",
    path = "/orders/{order_id}/cancel",
    tag = "cart and orders",
    summary = "Cancel an unpaid order; its stock returns",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the cancelled order", body = shop::orders::Order),
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        shop::error::answers::NotFound,
        (status = 409, description = "not_cancellable", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Cancel an unpaid order; its stock returns.
///
/// # Errors
/// 401, 403 (merchants), 404, 409 `not_cancellable`; 500 when DynamoDB fails.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    http::ok(&orders.cancel(&buyer, &order_id).await?)
}
