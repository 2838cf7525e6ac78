//! `POST /me/addresses`: saves a shipping address for the calling customer (at most 20;
//! 409 `too_many_addresses` past that). The body is an order's `shipping_address` with an
//! optional `label`, checked the same way.

use lambda_http::{Body, Request, Response};
use shop::accounts::addresses::NewAddress;
use shop::accounts::Addresses;
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Addresses;

#[utoipa::path(
    post,
    operation_id = "create_address",
    path = "/me/addresses",
    tag = "accounts",
    summary = "Save a shipping address (at most 20)",
    request_body = shop::accounts::addresses::NewAddressBody,
    responses(
        (status = 201, description = "the saved address", body = shop::accounts::addresses::SavedAddress),
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        (status = 409, description = "too_many_addresses", body = shop::error::ErrorBody),
        shop::error::answers::JsonBody,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Save a shipping address (at most 20).
///
/// # Errors
/// 401, 403 (merchants), 409 `too_many_addresses`, 422 naming the fields; 500 when
/// DynamoDB fails.
pub async fn handler(addresses: &Addresses, req: Request) -> Result<Response<Body>, ApiError> {
    let customer = Customer::from_request(&addresses.sessions, &req).await?;
    let address = NewAddress::parse(http::json_body(&req)?)?;
    http::created(&addresses.create(&customer, address).await?)
}

shop::refuses_anonymous_callers!("create-address");
