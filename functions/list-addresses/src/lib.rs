//! `GET /me/addresses`: the calling customer's saved addresses, oldest first (at most 20).

use lambda_http::{Body, Request, Response};
use shop::accounts::Addresses;
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Addresses;

/// The caller's saved addresses, oldest first.
pub async fn handler(addresses: &Addresses, req: Request) -> Result<Response<Body>, ApiError> {
    let customer = Customer::from_request(&addresses.sessions, &req).await?;
    http::ok(&addresses.list(&customer).await?)
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
