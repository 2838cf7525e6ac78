//! `POST /auth/login`: a username or email and a password in, a session token out.
//!
//! An unknown user and a wrong password answer the same 401 after the same work (two
//! reads, one argon2 verification, one write), and both count towards the same lock
//! (5 failures in 15 minutes → 429), so neither the answer, its timing nor the lock
//! tells which accounts exist. `account_not_activated` is only said after a correct
//! password.

use lambda_http::http::header::SET_COOKIE;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::login_guard::LoginGuard;
use shop::accounts::password;
use shop::accounts::repo::{LoginLookup, UsersRepo};
use shop::accounts::sessions::{Session, SessionsRepo};
use shop::accounts::SecretToken;
use shop::accounts::UserStatus;
use shop::auth;
use shop::aws::Aws;
use shop::clock;
use shop::config::ConfigError;
use shop::error::{ApiError, FieldErrors};
use shop::http;

/// How long a session lasts.
pub const SESSION_TTL_SECS: i64 = 7 * 24 * 60 * 60;

/// What the function needs, built once per cold start.
pub struct Context {
    users: UsersRepo,
    sessions: SessionsRepo,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            users: UsersRepo::from_env(dynamodb.clone())?,
            sessions: SessionsRepo::from_env(dynamodb)?,
        })
    }
}

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

fn too_many_attempts(retry_after_secs: u64) -> ApiError {
    ApiError::TooManyRequests {
        code: "too_many_attempts",
        message: "Too many failed logins; try again later.".to_owned(),
        retry_after_secs,
    }
}

/// Verifies inline (see `shop::accounts::password` on memory); a `None` stored hash
/// spends the same time on a dummy.
fn verify(candidate: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(stored) => password::verify(candidate, stored),
        None => {
            password::verify_nobody(candidate);
            false
        }
    }
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
        (status = 400, description = "invalid_json", body = shop::error::ErrorBody),
        (status = 413, description = "payload_too_large (over 64 KiB)", body = shop::error::ErrorBody),
        (status = 415, description = "unsupported_media_type", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed, with fields", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    )
)]
/// Log in with a username or email and a password; sets the session cookie.
///
/// # Errors
/// 401 `invalid_credentials`, 403 `account_not_activated`, 429 `too_many_attempts`,
/// 4xx for a malformed body; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let body: LoginBody = http::json_body(&req)?;
    body.validate()?;
    let now = clock::now().unix_timestamp();
    let (record, guard, failure_key) = match ctx.users.login_lookup(&body.username).await? {
        LoginLookup::Found(record) => {
            let (guard, pk) = (record.guard(), record.pk.clone());
            (Some(record), guard, pk)
        }
        LoginLookup::Unknown { guard, pk } => (None, guard, pk),
    };
    if let Some(wait) = LoginGuard::locked_for(&guard, now) {
        return Err(too_many_attempts(wait));
    }
    let matched = verify(
        &body.password,
        record.as_ref().map(|r| r.password_hash.as_str()),
    );
    let Some(record) = record.filter(|_| matched) else {
        ctx.users.record_failure(&failure_key, now).await?;
        tracing::info!("login refused");
        return Err(ApiError::InvalidCredentials);
    };
    if record.status != UserStatus::Active {
        return Err(ApiError::Forbidden {
            code: "account_not_activated",
            message: "Activate the account from the link in its email first.".to_owned(),
        });
    }
    if record.failures > 0 {
        ctx.users.clear_failures(&record.user_id).await?;
    }
    let token = SecretToken::generate();
    let expires_at = now + SESSION_TTL_SECS;
    ctx.sessions
        .put(&Session {
            token_hash: token.hash().as_str().to_owned(),
            user_id: record.user_id.clone(),
            role: record.role,
            created_at: clock::rfc3339_from_unix(now),
            expires_at,
            ttl: expires_at,
        })
        .await?;
    tracing::info!(user_id = %record.user_id, "logged in");
    let mut response = http::ok(&LoginAnswer {
        token: token.expose().to_owned(),
        expires_at: clock::rfc3339_from_unix(expires_at),
        user: record.public(),
    })?;
    let cookie = auth::session_cookie(token.expose(), SESSION_TTL_SECS);
    response
        .headers_mut()
        .insert(SET_COOKIE, cookie.parse().map_err(ApiError::internal)?);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop::testing::{event, offline_env, status_and_body};

    #[tokio::test]
    async fn a_missing_password_is_named() {
        offline_env();
        let ctx = Context::from_env().unwrap();
        let req = event(include_str!("../../../events/login/missing-password.json"));
        let (status, body) = status_and_body(
            handler(&ctx, req)
                .await
                .unwrap_or_else(ApiError::into_response),
        );
        assert_eq!(status, 422);
        assert_eq!(body["error"]["fields"]["password"], "is required");
    }
}
