//! `POST /orders/{order_id}/payments` `{method}`: issues the payment order number the
//! buyer's client hands to the payment provider, with the provider's checkout page, for
//! an unpaid order with at least a minute left; while the order has a pending,
//! unexpired payment, answers that one (200) instead of creating another (201).

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::payments::api::PayBody;
use shop::payments::{Issued, Payments};

/// What the function needs, built once per cold start.
pub type Context = Payments;

/// Create the payment order number for the provider, or answer the pending one.
pub async fn handler(payments: &Payments, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&payments.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    let PayBody { method } = http::json_body(&req)?;
    match payments.create(&buyer, &order_id, method).await? {
        Issued::Created(payment) => http::created(&payment),
        Issued::Existing(payment) => http::ok(&payment),
    }
}
