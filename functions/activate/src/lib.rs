//! `GET /auth/activate?token=…`: the link in the activation email; it works once,
//! within 24 hours (the rules: [`shop::accounts::service`]).

use lambda_http::{Body, Request, Response};
use shop::accounts::api::ActivateAnswer;
use shop::accounts::Accounts;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Accounts;

/// Activate an account from its emailed link.
pub async fn handler(accounts: &Accounts, req: Request) -> Result<Response<Body>, ApiError> {
    let token = http::query_param(&req, "token");
    accounts.activate(token.as_deref()).await?;
    http::ok(&ActivateAnswer {
        status: "active".to_owned(),
    })
}

#[cfg(test)]
shop_testing::answers! {
    a_link_without_a_token_is_invalid: "missing-token" => 400, {"error": {"code": "invalid_token"}};
}
