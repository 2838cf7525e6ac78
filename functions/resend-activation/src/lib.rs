//! `POST /auth/activation-email`: sends a fresh activation link to a pending account.
//!
//! Always 202, whether or not the address has an account, so it tells nobody which
//! addresses are registered. At most one email a minute per account (a conditional
//! write on `activation_sent_at`), so it can't be used to flood an inbox.

use lambda_http::{Body, Request, Response};
use shop::accounts::api::ResendBody;
use shop::accounts::{Email, Registrations};
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Registrations;

/// Send a fresh activation link (answered 202 whether or not the address has an account).
pub async fn handler(signups: &Registrations, req: Request) -> Result<Response<Body>, ApiError> {
    let body: ResendBody = http::json_body(&req)?;
    let email = Email::field(&body.email)?;
    signups.resend_activation(&email).await?;
    Ok(http::accepted())
}

#[cfg(test)]
shop_testing::answers! {
    an_invalid_address_is_named: "invalid-email" => 422, {"error": {"fields": {"email": "is not a valid email address"}}};
}
