//! [`Accounts`]: the use cases of an account that exists — activating it from its
//! emailed link, reading and editing it, changing its password, ending one session or
//! all of them — one method each.
//!
//! A password change asks for the current password under the same lock as login (a
//! wrong one counts as a failed login of the account's username from that client), and
//! keeps only the calling session alive (see [`super::sessions`]).
//!
//! Activation looks the token up by its hash and consumes it with a conditional delete
//! in the same transaction that activates the account, so a link works exactly once,
//! and only within 24 hours (checked here, on the clock; TTL only tidies up).

use crate::auth::Caller;
use crate::aws::Aws;
use crate::clock;
use crate::config::ConfigError;
use crate::error::ApiError;

use super::password::Password;
use super::profile::DisplayName;
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

    /// Sets or (with `None`) clears the caller's display name; answers the account.
    ///
    /// # Errors
    /// 401 when the account is gone; 500 when DynamoDB fails.
    pub async fn set_display_name(
        &self,
        caller: &Caller,
        name: Option<&DisplayName>,
    ) -> Result<User, ApiError> {
        let user = self
            .users
            .set_display_name(&caller.user_id, name)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        tracing::info!(user_id = %caller.user_id, "profile updated");
        Ok(user.public())
    }

    /// Changes the caller's password after checking the current one, from `client`;
    /// every other session of the caller is revoked, the calling one stays.
    ///
    /// # Errors
    /// 422 `weak_password` / `validation_failed` for the new password; 429
    /// `too_many_attempts` while locked; 401 `invalid_credentials` for a wrong current
    /// password (counted as a failed login); 500 when DynamoDB fails.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
        client: &str,
    ) -> Result<(), ApiError> {
        let user = self
            .users
            .get(&caller.user_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let new = Password::parse_new_field("new_password", new, &[&user.username, &user.email])?;
        let now = clock::now().unix_timestamp();
        self.users
            .confirm_password(&user, current, client, now)
            .await?;
        let hash = new.hash().map_err(|e| ApiError::internal(e.to_string()))?;
        if !self.users.set_password_hash(&caller.user_id, &hash).await? {
            return Err(ApiError::Unauthenticated);
        }
        self.sessions
            .revoke_others(&caller.user_id, &caller.token_hash)
            .await?;
        tracing::info!(user_id = %caller.user_id, "password changed; other sessions revoked");
        Ok(())
    }

    /// Ends every session of the caller, the calling one included, at once.
    ///
    /// # Errors
    /// 500 when DynamoDB fails.
    pub async fn logout_all(&self, caller: &Caller) -> Result<(), ApiError> {
        self.sessions.revoke_all(&caller.user_id).await?;
        tracing::info!(user_id = %caller.user_id, "every session revoked");
        Ok(())
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
    super::token::invalid_token("activation link")
}
