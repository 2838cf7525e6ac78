//! `POST /orders/{order_id}/confirm-delivery`: the buyer confirms a shipped order
//! arrived (`shipped → delivered`, a conditional write).

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

/// The buyer confirms a shipped order arrived.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    http::ok(&orders.confirm_delivery(&buyer, &order_id).await?)
}
