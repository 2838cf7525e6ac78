//! `GET /orders`: the caller's orders, newest first, paginated (one Query on
//! `by_buyer` per page).

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

/// The caller's orders, newest first.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&orders.sessions, &req).await?;
    http::ok(&orders.bought(&buyer, &http::page_params(&req)?).await?)
}
