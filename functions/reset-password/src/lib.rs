//! `POST /auth/password-reset/confirm`: sets a new password from the emailed token;
//! every session of the account is revoked and the caller's login lock is cleared.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::recovery::ResetConfirmations;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = ResetConfirmations;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    /// The token from the reset email.
    token: String,
    /// At least 10 characters (at most 256), not easily guessed.
    #[schema(min_length = 10, max_length = 256)]
    new_password: String,
}

#[utoipa::path(
    post,
    operation_id = "reset_password",
    path = "/auth/password-reset/confirm",
    tag = "accounts",
    summary = "Choose a new password with the emailed token; every session is revoked",
    request_body = ConfirmBody,
    responses(
        (status = 204, description = "the password is changed"),
        (status = 400, description = "invalid_json, or invalid_token (unknown, used, superseded or expired)", body = shop::error::ErrorBody),
        (status = 413, description = "payload_too_large (over 64 KiB)", body = shop::error::ErrorBody),
        (status = 415, description = "unsupported_media_type", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed or weak_password, naming new_password", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    )
)]
/// Choose a new password with the emailed token; every session is revoked.
///
/// # Errors
/// 400 `invalid_token`, 422 for the new password; 500 when DynamoDB fails.
pub async fn handler(
    resets: &ResetConfirmations,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let body: ConfirmBody = http::json_body(&req)?;
    let client = http::client_address(&req);
    resets
        .confirm(&body.token, &body.new_password, &client)
        .await?;
    Ok(http::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_missing_token_is_named() {
        let (status, body) = shop::testing::answer(
            Context::from_env,
            handler,
            include_str!("../../../events/reset-password/missing-token.json"),
        )
        .await;
        assert_eq!(status, 422);
        assert!(body["error"]["fields"]["token"].is_string(), "{body}");
    }
}
