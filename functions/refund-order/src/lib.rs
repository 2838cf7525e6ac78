//! `POST /orders/{order_id}/refund` `{reason}`: the order's merchant refunds a paid order
//! it can't fulfil (`paid → refund_pending`): its stock returns and its payment's refund
//! is requested, in one transaction with the status change.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::error::ApiError;
use shop::http;
use shop::orders::api::RefundBody;
use shop::orders::Orders;

/// What the function needs, built once per cold start.
pub type Context = Orders;

/// The order's merchant refunds a paid order.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    let reason = http::json_body::<RefundBody>(&req)?.into_reason()?;
    http::ok(&orders.refund(&merchant, &order_id, reason).await?)
}
