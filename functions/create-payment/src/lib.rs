//! `POST /orders/{order_id}/payments` `{method}`: creates the payment order number the
//! buyer's client hands to the payment provider, for an unpaid, unexpired order.

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::payments::api::PayBody;
use shop::payments::Payments;

/// What the function needs, built once per cold start.
pub type Context = Payments;

/// Create the payment order number for the provider.
pub async fn handler(payments: &Payments, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&payments.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    let PayBody { method } = http::json_body(&req)?;
    http::created(&payments.create(&buyer, &order_id, method).await?)
}
