//! `GET /orders/{order_id}`: one of the caller's orders, with its status history, its
//! payments and its refund.
//! Anyone else's order is 404, so ids reveal nothing.

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

/// One of the caller's orders, with its status history.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    http::ok(&orders.view(&buyer, &order_id).await?)
}
