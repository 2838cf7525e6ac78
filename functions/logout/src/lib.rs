//! `POST /auth/logout`: deletes the caller's session, so its token fails at once, and
//! clears the session cookie.

use lambda_http::{Body, Request, Response};
use shop::accounts::Accounts;
use shop::auth::{self, User};
use shop::error::ApiError;

/// What the function needs, built once per cold start.
pub type Context = Accounts;

/// Revoke the caller's session at once.
pub async fn handler(accounts: &Accounts, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = User::from_request(&accounts.sessions, &req).await?;
    accounts.logout(&caller).await.and(auth::signed_out())
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
