//! `GET /me/addresses`: the calling customer's saved addresses, oldest first (at most 20).

use lambda_http::{Body, Request, Response};
use shop::accounts::Addresses;
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Addresses;

#[utoipa::path(
    get,
    operation_id = "list_addresses",
    path = "/me/addresses",
    tag = "accounts",
    summary = "The caller's saved addresses, oldest first",
    responses(
        (status = 200, description = "the addresses", body = shop::accounts::addresses::AddressList),
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The caller's saved addresses, oldest first.
///
/// # Errors
/// 401, 403 (merchants); 500 when DynamoDB fails.
pub async fn handler(addresses: &Addresses, req: Request) -> Result<Response<Body>, ApiError> {
    let customer = Customer::from_request(&addresses.sessions, &req).await?;
    http::ok(&addresses.list(&customer).await?)
}

shop::refuses_anonymous_callers!("list-addresses");
