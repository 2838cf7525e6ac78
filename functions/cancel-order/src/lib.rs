//! `POST /orders/{order_id}/cancel`: the buyer cancels an unpaid order; its stock goes
//! back to the goods in the same transaction as the status change.

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

/// Cancel an unpaid order; its stock returns.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    http::ok(&orders.cancel(&buyer, &order_id).await?)
}
