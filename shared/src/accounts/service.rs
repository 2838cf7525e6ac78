//! [`Accounts`]: the use cases of an account that exists — activating it from its
//! emailed link, reading it, ending a session — one method each.
//!
//! Activation looks the token up by its hash and consumes it with a conditional delete
//! in the same transaction that activates the account, so a link works exactly once,
//! and only within 24 hours (checked here, on the clock; TTL only tidies up).

use crate::auth::Caller;
use crate::aws::Aws;
use crate::clock;
use crate::config::ConfigError;
use crate::error::ApiError;

use super::repo::UsersRepo;
use super::sessions::SessionsRepo;
use super::{TokenHash, User};

/// The longest activation token a link may carry; anything longer is not ours.
const MAX_TOKEN_CHARS: usize = 128;

/// The account functions' service, built once per cold start.
pub struct Accounts {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    users: UsersRepo,
}

impl Accounts {
    /// Reads `SESSIONS_TABLE` and `USERS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            users: UsersRepo::from_env(dynamodb)?,
        })
    }

    /// Activates the account whose emailed link carries `token`, consuming it.
    ///
    /// # Errors
    /// 400 `invalid_token` (none, unknown, used or expired); 500 when DynamoDB fails.
    pub async fn activate(&self, token: Option<&str>) -> Result<(), ApiError> {
        let token = token
            .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_CHARS)
            .ok_or_else(invalid_token)?;
        let now = clock::now().unix_timestamp();
        if !self.users.activate(&TokenHash::of(token), now).await? {
            return Err(invalid_token());
        }
        tracing::info!("account activated");
        Ok(())
    }

    /// The caller's account, never with its password hash.
    ///
    /// # Errors
    /// 401 when the account is gone; 500 when DynamoDB fails.
    pub async fn me(&self, caller: &Caller) -> Result<User, ApiError> {
        let user = self
            .users
            .get(&caller.user_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok(user.public())
    }

    /// Ends the caller's session: its token fails from now on.
    ///
    /// # Errors
    /// 500 when DynamoDB fails.
    pub async fn logout(&self, caller: &Caller) -> Result<(), ApiError> {
        self.sessions.delete(&caller.token_hash).await?;
        tracing::info!(user_id = %caller.user_id, "logged out");
        Ok(())
    }
}

fn invalid_token() -> ApiError {
    ApiError::BadRequest {
        code: "invalid_token",
        message: "The activation link is unknown, already used or expired.".to_owned(),
    }
}
