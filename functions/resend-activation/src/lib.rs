//! `POST /auth/activation-email`: sends a fresh activation link to a pending account.
//!
//! Always 202, whether or not the address has an account, so it tells nobody which
//! addresses are registered. At most one email a minute per account (a conditional
//! write on `activation_sent_at`), so it can't be used to flood an inbox.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::repo::UsersRepo;
use shop::accounts::Email;
use shop::accounts::SecretToken;
use shop::accounts::UserStatus;
use shop::aws::Aws;
use shop::clock;
use shop::config::{self, ConfigError};
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::mail::Mailer;

/// What the function needs, built once per cold start.
pub struct Context {
    users: UsersRepo,
    mailer: Mailer,
    /// Minimum seconds between two activation emails to one account
    /// (`ACTIVATION_RESEND_INTERVAL_SECS`, default 60).
    resend_interval_secs: i64,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        Ok(Self {
            users: UsersRepo::from_env(aws.dynamodb())?,
            mailer: Mailer::from_env(aws.ses())?,
            resend_interval_secs: config::parsed_or("ACTIVATION_RESEND_INTERVAL_SECS", 60)?,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ResendBody {
    email: String,
}

#[utoipa::path(
    post,
    operation_id = "resend_activation",
    path = "/auth/activation-email",
    tag = "accounts",
    summary = "Send a fresh activation link (answered 202 whether or not the address has an account)",
    request_body = ResendBody,
    responses(
        (status = 202, description = "accepted"),
        shop::error::answers::JsonBody,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    )
)]
/// Send a fresh activation link (answered 202 whether or not the address has an account).
///
/// # Errors
/// 4xx for a malformed body; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let body: ResendBody = http::json_body(&req)?;
    let email =
        Email::parse(&body.email).map_err(|e| FieldErrors::single("email", e.to_string()))?;
    let Some(user) = ctx.users.find_by_email(&email).await? else {
        return Ok(http::accepted());
    };
    if user.status != UserStatus::PendingActivation {
        return Ok(http::accepted());
    }
    let token = SecretToken::generate();
    let now = clock::now().unix_timestamp();
    let issued = ctx
        .users
        .reissue_activation(&user.user_id, &token.hash(), now, ctx.resend_interval_secs)
        .await?;
    if issued {
        if let Err(e) = ctx
            .mailer
            .send_activation(&user.email, &user.username, &token)
            .await
        {
            tracing::error!(user_id = %user.user_id, error = %shop::error::ErrorChain(e.as_ref()),
                "activation email not sent");
        } else {
            tracing::info!(user_id = %user.user_id, to = %email.masked(), "activation email resent");
        }
    }
    Ok(http::accepted())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop::testing::answer;

    #[tokio::test]
    async fn an_invalid_address_is_named() {
        let (status, body) = answer(
            Context::from_env,
            handler,
            include_str!("../../../events/resend-activation/invalid-email.json"),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            body["error"]["fields"]["email"],
            "is not a valid email address"
        );
    }
}
