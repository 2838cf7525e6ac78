//! The users table: accounts, what keeps them unique, activation tokens and the
//! failure counts that slow down password guessing.
//!
//! Key layout (`pk`, S, the partition key; no sort key):
//! - `USER#<user_id>`: the account ([`UserRecord`]), with its login failure count.
//! - `USERNAME#<lowercase username>` → `user_id`, `pending_until`: written in the same
//!   transaction as the account, on the condition that no pointer exists or the one that
//!   does belongs to an account left unactivated past its `pending_until`, so a username
//!   is unique by construction and an abandoned registration frees it after 7 days.
//! - `EMAIL#<lowercase email>` → `user_id`, `pending_until`: the same for emails; also
//!   the lookup for login and resend by email.
//!
//! A pending account and both its pointers carry `pending_until` (registration + 7
//! days); activation removes it from all three in the activation's transaction, on the
//! condition that the account has not expired. Expiry is read on the clock, never left
//! to TTL: an expired pending account is unknown to login, resend and activation.
//! - `ACTIVATION#<token hash>` → `user_id`, `expires_at`, `ttl`: a single-use activation
//!   token, consumed by a conditional delete.
//! - `ATTEMPTS#<hash of login name and client>` → `attempts`, `window_start`, `ttl`: the
//!   login attempts of one name from one client (see [`super::attempts`]).

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::accounts::Email;
use crate::accounts::Role;
use crate::accounts::TokenHash;
use crate::accounts::User;
use crate::accounts::UserStatus;
use crate::accounts::Username;
use crate::clock;
use crate::config::{self, ConfigError};
use crate::error::ApiError;
use crate::store::{
    backoff, cancellation, number_value, string_value, Cancellation, Item, StoreError,
};

/// How long an activation link stays valid.
pub const ACTIVATION_TTL_SECS: i64 = 24 * 60 * 60;

/// How long an account may stay unactivated before its username and email are free.
pub const PENDING_ACCOUNT_SECS: i64 = 7 * 24 * 60 * 60;

/// Attempts at a registration transaction that keeps colliding with another.
const CONFLICT_RETRIES: u32 = 8;

/// A stored account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRecord {
    /// `USER#<user_id>`.
    pub pk: String,
    /// Opaque id.
    pub user_id: String,
    /// As registered.
    pub username: String,
    /// As registered.
    pub email: String,
    /// Customer or merchant.
    pub role: Role,
    /// Pending activation or active.
    pub status: UserStatus,
    /// argon2id PHC string.
    pub password_hash: String,
    /// RFC 3339.
    pub created_at: String,
    /// Unix seconds of the last activation email.
    #[serde(default)]
    pub activation_sent_at: i64,
    /// Unix seconds after which an account still pending is expired; absent once active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_until: Option<i64>,
    /// The name shown for the user, when they chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The hash of the one password-reset token that may still be used (a newer request
    /// replaces it, which supersedes the older tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_token: Option<String>,
    /// The hash of the one email-change token that may still be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_change_token: Option<String>,
}

impl UserRecord {
    /// The public view.
    pub fn public(&self) -> User {
        User {
            user_id: self.user_id.clone(),
            username: self.username.clone(),
            email: self.email.clone(),
            role: self.role,
            status: self.status,
            display_name: self.display_name.clone(),
            created_at: self.created_at.clone(),
        }
    }

    /// Whether this account was left unactivated past its 7 days at `now`.
    pub fn is_expired(&self, now: i64) -> bool {
        self.status == UserStatus::PendingActivation
            && self.pending_until.is_some_and(|until| until <= now)
    }
}

/// An account about to be registered.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// A fresh id.
    pub user_id: String,
    /// The parsed username.
    pub username: Username,
    /// The parsed email.
    pub email: Email,
    /// The requested role.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Registration time.
    pub created_at: OffsetDateTime,
}

impl NewUser {
    /// The account as the API shows it once stored: pending activation.
    pub fn public(&self) -> User {
        User {
            user_id: self.user_id.clone(),
            username: self.username.as_str().to_owned(),
            email: self.email.as_str().to_owned(),
            role: self.role,
            status: UserStatus::PendingActivation,
            display_name: None,
            created_at: clock::rfc3339(self.created_at),
        }
    }
}

/// Why a registration was not stored.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// 409 `username_taken`.
    #[error("That username is already taken.")]
    UsernameTaken,
    /// 409 `email_taken`.
    #[error("An account with that email already exists.")]
    EmailTaken,
    /// DynamoDB failed: 500.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CreateUserError> for ApiError {
    fn from(e: CreateUserError) -> Self {
        let code = match e {
            CreateUserError::UsernameTaken => "username_taken",
            CreateUserError::EmailTaken => "email_taken",
            CreateUserError::Store(store) => return store.into(),
        };
        ApiError::Conflict {
            code,
            message: e.to_string(),
        }
    }
}

/// The outcome of looking up a login name.
#[derive(Debug, Clone)]
pub enum LoginLookup {
    /// The name belongs to this account.
    Found(Box<UserRecord>),
    /// No (live) account has this name.
    Unknown,
}

#[derive(Debug, Deserialize)]
struct Pointer {
    user_id: String,
    /// Set while the account it points to is pending.
    #[serde(default)]
    pending_until: Option<i64>,
}

/// The users table.
#[derive(Debug, Clone)]
pub struct UsersRepo {
    pub(super) client: Client,
    pub(super) table: String,
}

impl UsersRepo {
    /// Uses the table named by `USERS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `USERS_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(client, config::required("USERS_TABLE")?))
    }

    /// Uses the table named `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Stores a new account with its activation token, atomically with the username
    /// and email reservations.
    ///
    /// # Errors
    /// [`CreateUserError::UsernameTaken`] / [`CreateUserError::EmailTaken`] when either is
    /// in use (case-insensitively), [`CreateUserError::Store`] otherwise.
    pub async fn create(
        &self,
        user: &NewUser,
        activation: &TokenHash,
    ) -> Result<(), CreateUserError> {
        let now = user.created_at.unix_timestamp();
        let record = UserRecord {
            pk: format!("USER#{}", user.user_id),
            user_id: user.user_id.clone(),
            username: user.username.to_string(),
            email: user.email.to_string(),
            role: user.role,
            status: UserStatus::PendingActivation,
            password_hash: user.password_hash.clone(),
            created_at: clock::rfc3339(user.created_at),
            activation_sent_at: now,
            pending_until: Some(now + PENDING_ACCOUNT_SECS),
            display_name: None,
            reset_token: None,
            email_change_token: None,
        };
        let pointer = |pk: String| -> Result<TransactWriteItem, StoreError> {
            let put = Put::builder()
                .table_name(&self.table)
                .item("pk", string_value(pk))
                .item("user_id", string_value(&user.user_id))
                .item("pending_until", number_value(now + PENDING_ACCOUNT_SECS))
                .condition_expression("attribute_not_exists(pk) OR pending_until <= :now")
                .expression_attribute_values(":now", number_value(now))
                .build()
                .map_err(StoreError::new)?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let writes = vec![
            self.put_new(serde_dynamo::to_item(&record).map_err(StoreError::from)?)?,
            pointer(format!("USERNAME#{}", user.username.key()))?,
            pointer(format!("EMAIL#{}", user.email.key()))?,
            self.put_new(self.activation_item(&user.user_id, activation, now))?,
        ];
        for attempt in 0..CONFLICT_RETRIES {
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(writes.clone()))
                .send()
                .await;
            let Err(err) = sent else { return Ok(()) };
            match cancellation(err)? {
                Cancellation::ConditionsFailed(failed) if failed.contains(&1) => {
                    return Err(CreateUserError::UsernameTaken)
                }
                Cancellation::ConditionsFailed(failed) if failed.contains(&2) => {
                    return Err(CreateUserError::EmailTaken)
                }
                Cancellation::ConditionsFailed(_) => {
                    return Err(StoreError::new("a fresh user id collided").into())
                }
                Cancellation::Conflict => backoff(attempt).await,
            }
        }
        Err(StoreError::new("registration kept conflicting with concurrent ones").into())
    }

    /// Which of `username` and `email` a live account holds at `now`, read before the
    /// password is hashed so that a taken name costs no argon2. Registration's
    /// transaction stays the authority: a name taken after this read is still refused.
    ///
    /// # Errors
    /// [`CreateUserError::UsernameTaken`] / [`CreateUserError::EmailTaken`], or a store
    /// failure.
    pub async fn check_free(
        &self,
        username: &Username,
        email: &Email,
        now: i64,
    ) -> Result<(), CreateUserError> {
        let (name_pk, email_pk) = (
            format!("USERNAME#{}", username.key()),
            format!("EMAIL#{}", email.key()),
        );
        let (by_name, by_email) = tokio::join!(self.held(&name_pk, now), self.held(&email_pk, now));
        if by_name? {
            return Err(CreateUserError::UsernameTaken);
        }
        if by_email? {
            return Err(CreateUserError::EmailTaken);
        }
        Ok(())
    }

    /// Whether a live account (active, or pending and unexpired at `now`) holds `email`.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn email_held(&self, email: &Email, now: i64) -> Result<bool, StoreError> {
        self.held(&format!("EMAIL#{}", email.key()), now).await
    }

    async fn held(&self, pointer_pk: &str, now: i64) -> Result<bool, StoreError> {
        let Some(item) = self.get_item(pointer_pk).await? else {
            return Ok(false);
        };
        let pointer: Pointer = serde_dynamo::from_item(item)?;
        Ok(pointer.pending_until.is_none_or(|until| until > now))
    }

    /// The account with this id.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get(&self, user_id: &str) -> Result<Option<UserRecord>, StoreError> {
        let item = self.get_item(&format!("USER#{user_id}")).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// The account that owns this email, if any.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn find_by_email(&self, email: &Email) -> Result<Option<UserRecord>, StoreError> {
        let Some(user_id) = self.pointer(&format!("EMAIL#{}", email.key())).await? else {
            return Ok(None);
        };
        let now = clock::now().unix_timestamp();
        Ok(self
            .get(&user_id)
            .await?
            .filter(|user| !user.is_expired(now)))
    }

    /// Resolves a login name (a username, or an email when it contains `@`).
    ///
    /// Both outcomes cost the same two reads, so timing tells nothing.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn login_lookup(&self, name: &str) -> Result<LoginLookup, StoreError> {
        let key = name.trim().to_lowercase();
        let pointer_pk = if key.contains('@') {
            format!("EMAIL#{key}")
        } else {
            format!("USERNAME#{key}")
        };
        let Some(user_id) = self.pointer(&pointer_pk).await? else {
            // The same second read as a found account's, so timing tells nothing.
            self.get_item("USER#").await?;
            return Ok(LoginLookup::Unknown);
        };
        let now = clock::now().unix_timestamp();
        match self.get(&user_id).await?.filter(|u| !u.is_expired(now)) {
            Some(record) => Ok(LoginLookup::Found(Box::new(record))),
            None => Ok(LoginLookup::Unknown),
        }
    }

    pub(super) fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    async fn pointer(&self, pk: &str) -> Result<Option<String>, StoreError> {
        let item = self.get_item(pk).await?;
        Ok(item
            .map(serde_dynamo::from_item::<_, Pointer>)
            .transpose()?
            .map(|p| p.user_id))
    }

    pub(super) async fn get_item(&self, pk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", string_value(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out.item)
    }
}
