//! `POST /orders/{order_id}/ship` `{carrier, tracking_number}`: the order's merchant
//! hands a paid order to a carrier (`paid → shipped`, a conditional write).

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::auth::Merchant;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::orders::{Orders, Shipment};

/// What the function needs, built once per cold start.
pub type Context = Orders;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ShipBody {
    #[schema(min_length = 1, max_length = 50)]
    carrier: String,
    #[schema(min_length = 1, max_length = 64)]
    tracking_number: String,
}

impl TryFrom<ShipBody> for Shipment {
    type Error = ApiError;

    fn try_from(body: ShipBody) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let (carrier, tracking) = (body.carrier.trim(), body.tracking_number.trim());
        if !(1..=50).contains(&carrier.chars().count()) {
            errors.add("carrier", "must be 1 to 50 characters");
        }
        if !(1..=64).contains(&tracking.chars().count()) {
            errors.add("tracking_number", "must be 1 to 64 characters");
        }
        errors.into_result()?;
        Ok(Shipment {
            carrier: carrier.to_owned(),
            tracking_number: tracking.to_owned(),
        })
    }
}

#[utoipa::path(
    post,
    operation_id = "ship_order",
    path = "/orders/{order_id}/ship",
    tag = "cart and orders",
    summary = "The order's merchant ships a paid order",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = ShipBody,
    responses(
        (status = 200, description = "the shipped order", body = shop::orders::Order),
        shop::error::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers", body = shop::error::ErrorBody),
        shop::error::answers::NotFound,
        (status = 409, description = "invalid_transition", body = shop::error::ErrorBody),
        shop::error::answers::JsonBody,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The order's merchant ships a paid order.
///
/// # Errors
/// 401, 403 (customers), 404 (not the merchant's), 409 `invalid_transition`, 422; 500
/// when DynamoDB fails.
pub async fn handler(orders: &Orders, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&orders.sessions, &req).await?;
    let order_id = http::id_param(&req, "order_id")?;
    let shipment = Shipment::try_from(http::json_body::<ShipBody>(&req)?)?;
    http::ok(&orders.ship(&merchant, &order_id, shipment).await?)
}
