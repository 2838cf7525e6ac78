//! `POST /orders`: places an order for the given lines, or for the cart's lines, to a
//! `shipping_address` or to one of the caller's saved addresses (`address_id`, copied
//! into the order so that deleting it later changes nothing).
//!
//! Stock is reserved atomically (see `shop::orders::place`). With an `Idempotency-Key`
//! header, the same key from the same user within 24 hours answers the first response
//! and creates nothing new; a concurrent duplicate waits for the first to finish (or
//! gets 409 `idempotency_in_progress` after 3 s); the same key with another body is 422
//! `idempotency_key_reused`.

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::idempotency;
use shop::orders::place::Placement;

/// What the function needs, built once per cold start.
pub type Context = Placement;

/// Place an order: the given lines, or the cart's (stock reserved atomically; Idempotency-Key honoured).
pub async fn handler(placement: &Placement, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&placement.sessions, &req).await?;
    let key = idempotency::key_header(&req, &buyer.user_id)?;
    let raw: serde_json::Value = http::json_body(&req)?;
    placement.answer(&buyer, key.as_deref(), raw).await
}
