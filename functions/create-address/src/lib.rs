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

/// Save a shipping address (at most 20).
pub async fn handler(addresses: &Addresses, req: Request) -> Result<Response<Body>, ApiError> {
    let customer = Customer::from_request(&addresses.sessions, &req).await?;
    let address = NewAddress::parse(http::json_body(&req)?)?;
    http::created(&addresses.create(&customer, address).await?)
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
