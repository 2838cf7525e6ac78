//! `POST /auth/login`: a username or email and a password in, a session token out.
//!
//! The rules (one answer and one amount of work for unknown users and wrong passwords,
//! the lock after repeated failures) are `shop::accounts::signin`'s.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::signin::{SignIn, SESSION_TTL_SECS};
use shop::auth;
use shop::clock;
use shop::error::{ApiError, FieldErrors};
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = SignIn;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    /// A username, or an email address.
    #[schema(min_length = 1, max_length = 254)]
    username: String,
    #[schema(min_length = 1, max_length = 256)]
    password: String,
}

impl LoginBody {
    fn validate(&self) -> Result<(), ApiError> {
        let mut fields = FieldErrors::new();
        if !(1..=254).contains(&self.username.chars().count()) {
            fields.add("username", "must be 1 to 254 characters");
        }
        if !(1..=256).contains(&self.password.chars().count()) {
            fields.add("password", "must be 1 to 256 characters");
        }
        fields.into_result()
    }
}

/// A new session.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct LoginAnswer {
    /// Send as `Authorization: Bearer <token>` (or rely on the `session` cookie).
    token: String,
    /// RFC 3339.
    expires_at: String,
    user: shop::accounts::User,
}

#[utoipa::path(
    post,
    operation_id = "login",
    path = "/auth/login",
    tag = "accounts",
    summary = "Log in with a username or email and a password; sets the session cookie",
    request_body = LoginBody,
    responses(
        (status = 200, description = "the session token, its expiry and the user", body = LoginAnswer),
        (status = 401, description = "invalid_credentials: an unknown user and a wrong password alike", body = shop::error::ErrorBody),
        (status = 403, description = "account_not_activated (only after a correct password)", body = shop::error::ErrorBody),
        (status = 429, description = "too_many_attempts; see Retry-After", body = shop::error::ErrorBody),
        shop::error::answers::JsonBody,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    )
)]
/// Log in with a username or email and a password; sets the session cookie.
///
/// # Errors
/// 401 `invalid_credentials`, 403 `account_not_activated`, 429 `too_many_attempts`,
/// 4xx for a malformed body; 500 when DynamoDB fails.
pub async fn handler(sign_in: &SignIn, req: Request) -> Result<Response<Body>, ApiError> {
    let body: LoginBody = http::json_body(&req)?;
    body.validate()?;
    let client = http::client_address(&req);
    let session = sign_in
        .login(&body.username, &body.password, &client)
        .await?;
    let cookie = auth::session_cookie(session.token.expose(), SESSION_TTL_SECS);
    let answer = http::ok(&LoginAnswer {
        token: session.token.expose().to_owned(),
        expires_at: clock::rfc3339_from_unix(session.expires_at),
        user: session.user,
    })?;
    http::with_cookie(answer, &cookie)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop::testing::answer;

    #[tokio::test]
    async fn a_missing_password_is_named() {
        let (status, body) = answer(
            Context::from_env,
            handler,
            include_str!("../../../events/login/missing-password.json"),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["fields"]["password"], "is required");
    }
}
