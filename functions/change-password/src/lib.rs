//! `POST /me/password`: changes the caller's password after checking the current one.
//! Every other session of the caller is revoked, the calling one stays. A wrong current
//! password answers 401 `invalid_credentials` and counts as a failed login.

use lambda_http::{Body, Request, Response};
use shop::accounts::api::PasswordBody;
use shop::accounts::Accounts;
use shop::auth::User;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Accounts;

/// Change the caller's password; every other session is revoked.
pub async fn handler(accounts: &Accounts, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = User::from_request(&accounts.sessions, &req).await?;
    let body: PasswordBody = http::json_body(&req)?;
    let client = http::client_address(&req);
    accounts
        .change_password(&caller, &body.current_password, &body.new_password, &client)
        .await?;
    Ok(http::no_content())
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
