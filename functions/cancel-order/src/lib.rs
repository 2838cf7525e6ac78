//! `POST /orders/{order_id}/cancel`: the buyer cancels an order. An unpaid one is
//! cancelled and its reserved stock returns; a paid one not yet shipped moves to
//! `refund_pending`, its stock returns and its payment's refund is requested — each in
//! one transaction with the status change.

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

/// Cancel an order; its stock returns, and a paid one's money.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    http::ok(&orders.cancel(&buyer, &order_id).await?)
}
