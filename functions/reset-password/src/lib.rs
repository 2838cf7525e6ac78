//! `POST /auth/password-reset/confirm`: sets a new password from the emailed token;
//! every session of the account is revoked and the caller's login lock is cleared.

use lambda_http::{Body, Request, Response};
use shop::accounts::api::ResetConfirmBody;
use shop::accounts::recovery::ResetConfirmations;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = ResetConfirmations;

/// Choose a new password with the emailed token; every session is revoked.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let body: ResetConfirmBody = http::json_body(&req)?;
    let client = http::client_address(&req);
    ctx.confirm(&body.token, &body.new_password, &client)
        .await?;
    Ok(http::no_content())
}

#[cfg(test)]
shop_testing::answers! {
    a_missing_token_is_named: "missing-token" => 422, {"error": {"fields": {"token": "is required"}}};
}
