//! `GET /me`: the caller's account, never with its password hash.

use lambda_http::{Body, Request, Response};
use shop::accounts::Accounts;
use shop::auth::User;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Accounts;

/// The caller's account.
pub async fn handler(accounts: &Accounts, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = User::from_request(&accounts.sessions, &req).await?;
    http::ok(&accounts.me(&caller).await?)
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_malformed_cookie_token_is_unauthenticated_without_a_lookup() {
        let event = shop_testing::fixture!("malformed-token");
        shop_testing::refuses_without_a_session(Context::from_env, handler, event).await;
    }
}
