//! `POST /orders/{order_id}/ship` `{carrier, tracking_number}`: the order's merchant
//! hands a paid order to a carrier (`paid → shipped`, a conditional write).

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::error::ApiError;
use shop::http;
use shop::orders::api::ShipBody;
use shop::orders::{Orders, Shipment};

/// What the function needs, built once per cold start.
pub type Context = Orders;

/// The order's merchant ships a paid order.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    let shipment = Shipment::try_from(http::json_body::<ShipBody>(&req)?)?;
    http::ok(&orders.ship(&merchant, &order_id, shipment).await?)
}
