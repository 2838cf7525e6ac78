//! `POST /orders/{order_id}/payments` `{method}`: creates the payment order number the
//! buyer's client hands to the payment provider, for an unpaid, unexpired order.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::order::PaymentMethod;
use shop::payments::Payments;

/// What the function needs, built once per cold start.
pub type Context = Payments;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PayBody {
    method: PaymentMethod,
}

#[utoipa::path(
    post,
    operation_id = "create_payment",
    path = "/orders/{order_id}/payments",
    tag = "cart and orders",
    summary = "Create the payment order number for the provider",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = PayBody,
    responses(
        (status = 201, description = "the pending payment", body = shop::payments::repo::Payment),
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        shop::error::answers::NotFound,
        (status = 409, description = "not_payable", body = shop::error::ErrorBody),
        shop::error::answers::JsonBody,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Create the payment order number for the provider.
///
/// # Errors
/// 401, 403 (merchants), 404, 409 `not_payable`, 422; 500 when DynamoDB fails.
pub async fn handler(payments: &Payments, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&payments.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    let body: PayBody = http::json_body(&req)?;
    http::created(&payments.create(&buyer, &order_id, body.method).await?)
}
