//! `POST /me/email`: asks to move the caller's account to a new address, proven by the
//! account's password. A token goes to the new address and a notice to the old one; the
//! address changes only when the token comes back (`POST /auth/email-change/confirm`).

use lambda_http::{Body, Request, Response};
use shop::accounts::api::EmailBody;
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

/// Ask to change the caller's email; the new address confirms it.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = User::from_request(&ctx.sessions, &req).await?;
    let body: EmailBody = http::json_body(&req)?;
    let client = http::client_address(&req);
    ctx.changes
        .request(&caller, &body.new_email, &body.password, &client)
        .await?;
    Ok(http::accepted())
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
