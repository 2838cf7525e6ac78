//! `POST /auth/email-change/confirm`: the token the new address received moves the
//! account to it. From then on the new address signs in and the old one does not.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    /// The token from the email sent to the new address.
    token: String,
}

#[utoipa::path(
    post,
    operation_id = "confirm_email_change",
    path = "/auth/email-change/confirm",
    tag = "accounts",
    summary = "Move the account to its new email address with the token sent there",
    request_body = ConfirmBody,
    responses(
        (status = 200, description = "the account, with its new email", body = shop::accounts::User),
        (status = 400, description = "invalid_json, or invalid_token (unknown, used, superseded or expired)", body = shop::error::ErrorBody),
        (status = 409, description = "email_taken: the address was taken meanwhile", body = shop::error::ErrorBody),
        (status = 413, description = "payload_too_large (over 64 KiB)", body = shop::error::ErrorBody),
        (status = 415, description = "unsupported_media_type", body = shop::error::ErrorBody),
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    )
)]
/// Move the account to its new email address with the token sent there.
///
/// # Errors
/// 400 `invalid_token`, 409 `email_taken`; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let body: ConfirmBody = http::json_body(&req)?;
    http::ok(&ctx.0.confirm(&body.token).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unknown_field_is_named() {
        let (status, body) = shop::testing::answer(
            Context::from_env,
            handler,
            include_str!("../../../events/confirm-email-change/unknown-field.json"),
        )
        .await;
        assert_eq!(status, 422);
        assert!(body["error"]["fields"]["email"].is_string(), "{body}");
    }
}
