//! `GET /auth/activate?token=…`: the link in the activation email.
//!
//! The token is looked up by its hash and consumed by a conditional delete in the same
//! transaction that activates the account, so it works exactly once, and only within
//! 24 hours (checked here; TTL only tidies up).

use lambda_http::{Body, Request, Response};
use shop::accounts::repo::UsersRepo;
use shop::accounts::TokenHash;
use shop::aws::Aws;
use shop::clock;
use shop::config::ConfigError;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub struct Context {
    users: UsersRepo,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            users: UsersRepo::from_env(Aws::from_env()?.dynamodb())?,
        })
    }
}

/// The account's new status.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ActivateAnswer {
    /// Always `active`.
    status: String,
}

fn invalid_token() -> ApiError {
    ApiError::BadRequest {
        code: "invalid_token",
        message: "The activation link is unknown, already used or expired.".to_owned(),
    }
}

#[utoipa::path(
    get,
    operation_id = "activate",
    path = "/auth/activate",
    tag = "accounts",
    summary = "Activate an account from its emailed link",
    params(("token" = String, Query, description = "the single-use token from the email")),
    responses(
        (status = 200, description = "{\"status\": \"active\"}", body = ActivateAnswer),
        (status = 400, description = "invalid_token: unknown, used, or expired after 24 h", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    )
)]
/// Activate an account from its emailed link.
///
/// # Errors
/// 400 `invalid_token`; 500 when AWS fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let token = http::query_param(&req, "token")
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or_else(invalid_token)?;
    let now = clock::now().unix_timestamp();
    if !ctx.users.activate(&TokenHash::of(&token), now).await? {
        return Err(invalid_token());
    }
    tracing::info!("account activated");
    http::ok(&ActivateAnswer {
        status: "active".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop::testing::answer;

    #[tokio::test]
    async fn a_link_without_a_token_is_invalid() {
        let (status, body) = answer(
            Context::from_env,
            handler,
            include_str!("../../../events/activate/missing-token.json"),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_token");
    }
}
