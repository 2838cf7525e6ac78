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

#[utoipa::path(
    delete,
    operation_id = "delete_address",
    path = "/me/addresses/{address_id}",
    tag = "accounts",
    summary = "Delete one of the caller's saved addresses",
    params(("address_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$", description = "the address's id")),
    responses(
        (status = 204, description = "deleted"),
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        shop::error::answers::NotFound,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Delete one of the caller's saved addresses.
///
/// # Errors
/// 401, 403 (merchants), 404 (unknown or another customer's); 500 when DynamoDB fails.
pub async fn handler(addresses: &Addresses, req: Request) -> Result<Response<Body>, ApiError> {
    let customer = Customer::from_request(&addresses.sessions, &req).await?;
    let address_id = http::path_param(&req, "address_id")?;
    addresses.delete(&customer, &address_id).await?;
    Ok(http::no_content())
}

shop::refuses_anonymous_callers!("delete-address");
