//! `POST /auth/email-change/confirm`: the token the new address received moves the
//! account to it. From then on the new address signs in and the old one does not.

use lambda_http::{Body, Request, Response};
use shop::accounts::api::EmailChangeConfirmBody;
use shop::accounts::email_change::EmailChanges;
use shop::config::ConfigError;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub struct Context(EmailChanges);

impl Context {
    /// Reads `USERS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        EmailChanges::from_env(false).map(Self)
    }
}

/// Move the account to its new email address with the token sent there.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let body: EmailChangeConfirmBody = http::json_body(&req)?;
    http::ok(&ctx.0.confirm(&body.token).await?)
}

#[cfg(test)]
shop_testing::answers! {
    an_unknown_field_is_named: "unknown-field" => 422, {"error": {"fields": {"email": "is not a known field"}}};
}
