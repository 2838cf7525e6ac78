//! `POST /auth/password-reset`: asks for a password reset email. Always 202, after the
//! same work for every address (the request is queued; the queue's consumer,
//! `send-password-reset`, finds the account and emails it), so neither the answer nor
//! its timing tells which addresses have accounts.

use lambda_http::{Body, Request, Response};
use shop::accounts::api::ResetBody;
use shop::accounts::recovery::ResetRequests;
use shop::accounts::Email;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = ResetRequests;

/// Email a password reset token (answered 202 whether or not the address has an account).
pub async fn handler(resets: &ResetRequests, req: Request) -> Result<Response<Body>, ApiError> {
    let email = Email::field(&http::json_body::<ResetBody>(&req)?.email)?;
    resets.request(&email).await?;
    Ok(http::accepted())
}

#[cfg(test)]
shop_testing::answers! {
    an_invalid_address_is_named: "invalid-email" => 422, {"error": {"fields": {"email": "is not a valid email address"}}};
}
