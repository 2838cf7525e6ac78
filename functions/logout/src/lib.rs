//! `POST /auth/logout`: deletes the caller's session, so its token fails at once, and
//! clears the session cookie.

use lambda_http::http::header::SET_COOKIE;
use lambda_http::{Body, Request, Response};
use shop::accounts::sessions::SessionsRepo;
use shop::auth;
use shop::auth::User;
use shop::aws::Aws;
use shop::config::ConfigError;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub struct Context {
    sessions: SessionsRepo,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            sessions: SessionsRepo::from_env(Aws::from_env()?.dynamodb())?,
        })
    }
}

#[utoipa::path(
    post,
    operation_id = "logout",
    path = "/auth/logout",
    tag = "accounts",
    summary = "Revoke the caller's session at once",
    responses(
        (status = 204, description = "logged out"),
        shop::error::answers::Unauthenticated,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Revoke the caller's session at once.
///
/// # Errors
/// 401 without a live session; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = User::from_request(&ctx.sessions, &req).await?;
    ctx.sessions.delete(&caller.token_hash).await?;
    tracing::info!(user_id = %caller.user_id, "logged out");
    let mut response = http::no_content();
    let cookie = auth::cleared_session_cookie();
    response
        .headers_mut()
        .insert(SET_COOKIE, cookie.parse().map_err(ApiError::internal)?);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop::testing::answer;

    #[tokio::test]
    async fn logging_out_without_a_session_is_unauthenticated() {
        let (status, body) = answer(
            Context::from_env,
            handler,
            include_str!("../../../events/logout/no-session.json"),
        )
        .await;
        assert_eq!(status, 401);
        assert_eq!(body["error"]["code"], "unauthenticated");
    }
}
