//! `POST /orders/{order_id}/ship` `{carrier, tracking_number}`: the order's merchant
//! hands a paid order to a carrier (`paid → shipped`, a conditional write).

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::clock;
use shop::domain::order::OrderStatus;
use shop::domain::Role;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::repo::orders::{Actor, Change, Shipment};

/// What the function needs, built once per cold start.
pub type Context = shop::contexts::Orders;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShipBody {
    carrier: String,
    tracking_number: String,
}

/// Handles one request.
///
/// # Errors
/// 401, 403 (customers), 404 (not the merchant's), 409 `invalid_transition`, 422; 500
/// when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.caller(&req, Role::Merchant).await?;
    let order_id = Context::order_id(&req)?;
    let body: ShipBody = http::json_body(&req)?;
    let mut errors = FieldErrors::new();
    let (carrier, tracking) = (body.carrier.trim(), body.tracking_number.trim());
    if !(1..=50).contains(&carrier.chars().count()) {
        errors.add("carrier", "must be 1 to 50 characters");
    }
    if !(1..=64).contains(&tracking.chars().count()) {
        errors.add("tracking_number", "must be 1 to 64 characters");
    }
    errors.into_result()?;
    let order = ctx
        .orders
        .get(&order_id)
        .await?
        .filter(|o| o.merchant_id == caller.user_id)
        .ok_or(ApiError::NotFound)?;
    let shipment = Shipment {
        carrier: carrier.to_owned(),
        tracking_number: tracking.to_owned(),
    };
    let now = clock::rfc3339(clock::now());
    let change = Change {
        from: OrderStatus::Paid,
        to: OrderStatus::Shipped,
        at: &now,
    };
    let shipped = ctx
        .orders
        .transition(
            &order,
            Actor::Merchant(&caller.user_id),
            change,
            Some(shipment),
            Vec::new(),
        )
        .await?;
    tracing::info!(order_id = %order_id, "order shipped");
    http::ok(&shipped)
}
