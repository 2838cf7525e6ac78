//! `DELETE /me/addresses/{address_id}`: deletes one of the calling customer's saved
//! addresses; another customer's or an unknown one is 404. Orders placed with it keep
//! their copy.

use lambda_http::{Body, Request, Response};
use shop::accounts::Addresses;
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Addresses;

/// Delete one of the caller's saved addresses.
pub async fn handler(addresses: &Addresses, req: Request) -> Result<Response<Body>, ApiError> {
    let customer = Customer::from_request(&addresses.sessions, &req).await?;
    let address_id = http::path_param(&req, "address_id")?;
    addresses.delete(&customer, &address_id).await?;
    Ok(http::no_content())
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
