//! `POST /auth/logout-all`: every session of the caller, this one included, stops
//! working at once (one write: the user's session generation moves on), and the session
//! cookie is cleared.

use lambda_http::{Body, Request, Response};
use shop::accounts::Accounts;
use shop::auth::{self, User};
use shop::error::ApiError;

/// What the function needs, built once per cold start.
pub type Context = Accounts;

/// Revoke every session of the caller at once, this one included.
pub async fn handler(accounts: &Accounts, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = User::from_request(&accounts.sessions, &req).await?;
    accounts.logout_all(&caller).await.and(auth::signed_out())
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
