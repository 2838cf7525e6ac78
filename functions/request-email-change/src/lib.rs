//! `POST /me/email`: asks to move the caller's account to a new address, proven by the
//! account's password. A token goes to the new address and a notice to the old one; the
//! address changes only when the token comes back (`POST /auth/email-change/confirm`).

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::email_change::EmailChanges;
use shop::accounts::sessions::SessionsRepo;
use shop::auth::User;
use shop::aws::Aws;
use shop::config::ConfigError;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub struct Context {
    sessions: SessionsRepo,
    changes: EmailChanges,
}

impl Context {
    /// Reads `SESSIONS_TABLE`, `USERS_TABLE`, `MAIL_FROM` and `PUBLIC_BASE_URL`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            sessions: SessionsRepo::from_env(Aws::from_env()?.dynamodb())?,
            changes: EmailChanges::from_env(true)?,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EmailBody {
    /// The address to move to.
    #[schema(format = "email", max_length = 254)]
    new_email: String,
    /// The account's password.
    password: String,
}

#[utoipa::path(
    post,
    operation_id = "request_email_change",
    path = "/me/email",
    tag = "accounts",
    summary = "Ask to change the caller's email; the new address confirms it",
    request_body = EmailBody,
    responses(
        (status = 202, description = "a confirmation token went to the new address, a notice to the old one"),
        (status = 401, description = "unauthenticated, or invalid_credentials for a wrong password", body = shop::error::ErrorBody),
        (status = 409, description = "email_taken", body = shop::error::ErrorBody),
        shop::error::answers::JsonBody,
        (status = 422, description = "validation_failed naming new_email (invalid, or the current address)", body = shop::error::ErrorBody),
        (status = 429, description = "too_many_attempts, with Retry-After", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Ask to change the caller's email; the new address confirms it.
///
/// # Errors
/// 401, 409, 422, 429 per the contract; 500 when AWS fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = User::from_request(&ctx.sessions, &req).await?;
    let body: EmailBody = http::json_body(&req)?;
    let client = http::client_address(&req);
    ctx.changes
        .request(&caller, &body.new_email, &body.password, &client)
        .await?;
    Ok(http::accepted())
}

shop::refuses_anonymous_callers!("request-email-change");
