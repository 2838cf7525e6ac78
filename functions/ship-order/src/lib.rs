//! `POST /orders/{order_id}/ship` `{carrier, tracking_number}`: the order's merchant
//! hands a paid order to a carrier (`paid → shipped`, a conditional write).

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::Role;
use shop::clock;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::orders::order::OrderStatus;
use shop::orders::repo::{Actor, Change, Shipment};

/// What the function needs, built once per cold start.
pub type Context = shop::orders::Orders;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ShipBody {
    #[schema(min_length = 1, max_length = 50)]
    carrier: String,
    #[schema(min_length = 1, max_length = 64)]
    tracking_number: String,
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
        (status = 200, description = "the shipped order", body = shop::orders::repo::Order),
        (status = 401, description = "unauthenticated: no session, or an invalid, expired or revoked one", body = shop::error::ErrorBody),
        (status = 403, description = "forbidden: customers", body = shop::error::ErrorBody),
        (status = 404, description = "not_found", body = shop::error::ErrorBody),
        (status = 409, description = "invalid_transition", body = shop::error::ErrorBody),
        (status = 400, description = "invalid_json", body = shop::error::ErrorBody),
        (status = 413, description = "payload_too_large (over 64 KiB)", body = shop::error::ErrorBody),
        (status = 415, description = "unsupported_media_type", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed, with fields", body = shop::error::ErrorBody),
        (
            status = 500,
            description = "internal_error: an unexpected failure; nothing about it is revealed",
            body = shop::error::ErrorBody
        )
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
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
