//! Signing in: a username or email and a password in, a new session out.
//!
//! Each attempt is first reserved against the lock for its login name and client (see
//! [`super::attempts`]): a locked client gets 429 with `Retry-After` before any password
//! is checked. Then an unknown user and a wrong password answer the same 401 after the
//! same work (two reads, one argon2 verification), so neither the answer, its timing nor
//! the lock tells which accounts exist. `account_not_activated` is only said after a
//! correct password, which also clears that client's count.

use super::attempts::{AttemptKey, Reservation};
use super::password;
use super::repo::{LoginLookup, UserRecord, UsersRepo};
use super::sessions::{Session, SessionsRepo};
use super::{SecretToken, User, UserStatus};
use crate::aws::Aws;
use crate::clock;
use crate::config::ConfigError;
use crate::error::ApiError;

/// How long a session lasts.
pub const SESSION_TTL_SECS: i64 = 7 * 24 * 60 * 60;

/// A session just opened.
#[derive(Debug)]
pub struct NewSession {
    /// The token to hand to the client (only its hash is stored).
    pub token: SecretToken,
    /// Unix seconds.
    pub expires_at: i64,
    /// Whose session it is.
    pub user: User,
}

/// The sign-in service, built once per cold start.
pub struct SignIn {
    users: UsersRepo,
    sessions: SessionsRepo,
}

impl SignIn {
    /// Reads `USERS_TABLE` and `SESSIONS_TABLE`.
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

    /// Opens a session for `login` (a username or an email) with `password`, tried from
    /// `client` (the caller's source address).
    ///
    /// # Errors
    /// 401 `invalid_credentials` for an unknown user and a wrong password alike; 403
    /// `account_not_activated` after a correct password; 429 `too_many_attempts` while
    /// the name is locked for this client; 500 when DynamoDB fails.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        client: &str,
    ) -> Result<NewSession, ApiError> {
        let now = clock::now().unix_timestamp();
        let key = AttemptKey::new(login, client);
        if let Reservation::Locked { retry_after_secs } =
            self.users.reserve_attempt(&key, now).await?
        {
            tracing::info!("login locked for this client");
            return Err(too_many_attempts(retry_after_secs));
        }
        let record = match self.users.login_lookup(login).await? {
            LoginLookup::Found(record) => Some(record),
            LoginLookup::Unknown => None,
        };
        let matched = verify(password, record.as_ref().map(|r| r.password_hash.as_str()));
        let Some(record) = record.filter(|_| matched) else {
            tracing::info!("login refused");
            return Err(ApiError::InvalidCredentials);
        };
        self.users.clear_attempts(&key).await?;
        if record.status != UserStatus::Active {
            return Err(ApiError::Forbidden {
                code: "account_not_activated",
                message: "Activate the account from the link in its email first.".to_owned(),
            });
        }
        let token = SecretToken::generate();
        let expires_at = now + SESSION_TTL_SECS;
        let generation = self.sessions.generation(&record.user_id).await?;
        self.sessions
            .put(&Session {
                token_hash: token.hash().as_str().to_owned(),
                user_id: record.user_id.clone(),
                role: record.role,
                created_at: clock::rfc3339_from_unix(now),
                expires_at,
                ttl: expires_at,
                generation,
            })
            .await?;
        tracing::info!(user_id = %record.user_id, "logged in");
        Ok(NewSession {
            token,
            expires_at,
            user: record.public(),
        })
    }
}

impl UsersRepo {
    /// Checks a signed-in user's `password` again (to change the password or the email),
    /// under the same lock as login: the attempt is reserved for the account's username
    /// from `client` first, a wrong password counts as a failed login, a right one clears
    /// the count.
    ///
    /// # Errors
    /// 429 `too_many_attempts` while locked; 401 `invalid_credentials` for a wrong
    /// password; 500 when DynamoDB fails.
    pub(super) async fn confirm_password(
        &self,
        user: &UserRecord,
        password: &str,
        client: &str,
        now: i64,
    ) -> Result<(), ApiError> {
        let key = AttemptKey::new(&user.username, client);
        if let Reservation::Locked { retry_after_secs } = self.reserve_attempt(&key, now).await? {
            return Err(too_many_attempts(retry_after_secs));
        }
        if !password::verify(password, &user.password_hash) {
            tracing::info!(user_id = %user.user_id, "password check refused");
            return Err(ApiError::InvalidCredentials);
        }
        self.clear_attempts(&key).await?;
        Ok(())
    }
}

/// 429 `too_many_attempts`, telling the client when to try again.
fn too_many_attempts(retry_after_secs: u64) -> ApiError {
    ApiError::TooManyRequests {
        code: "too_many_attempts",
        message: "Too many failed logins; try again later.".to_owned(),
        retry_after_secs,
    }
}

/// Verifies inline (see [`super::password`] on memory); a `None` stored hash spends the
/// same time on a dummy.
fn verify(candidate: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(stored) => password::verify(candidate, stored),
        None => {
            password::verify_nobody(candidate);
            false
        }
    }
}
