//! The users table: accounts, what keeps them unique, activation tokens and the
//! failure counts that slow down password guessing.
//!
//! Key layout (`pk`, S, the partition key; no sort key):
//! - `USER#<user_id>`: the account ([`UserRecord`]), with its login failure count.
//! - `USERNAME#<lowercase username>` → `user_id`: written in the same transaction as the
//!   account with `attribute_not_exists(pk)`, so a username is unique by construction.
//! - `EMAIL#<lowercase email>` → `user_id`: the same for emails; also the lookup for
//!   login and resend by email.
//! - `ACTIVATION#<token hash>` → `user_id`, `expires_at`, `ttl`: a single-use activation
//!   token, consumed by a conditional delete.
//! - `LOGIN#<lowercase login name>` → `failures`, `window_start`, `ttl`: the failure count
//!   of a login name that has no account, so that unknown names lock like real ones.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::accounts::login_guard::{LoginGuard, WINDOW_SECS};
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
    backoff, cancellation, is_condition_failed, n, s, Cancellation, Item, StoreError,
};

/// How long an activation link stays valid.
pub const ACTIVATION_TTL_SECS: i64 = 24 * 60 * 60;

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
    /// Failed logins in the current window.
    #[serde(default)]
    pub failures: u32,
    /// Unix seconds when the failure window began.
    #[serde(default)]
    pub window_start: i64,
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
            created_at: self.created_at.clone(),
        }
    }

    /// The account's login failure count.
    pub fn guard(&self) -> LoginGuard {
        LoginGuard {
            failures: self.failures,
            window_start: self.window_start,
        }
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

/// Why a registration was not stored.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// 409 `username_taken`.
    #[error("That username is already taken.")]
    UsernameTaken,
    /// 409 `email_taken`.
    #[error("An account with that email already exists.")]
    EmailTaken,
    /// Unexpected.
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
    /// No account has this name; its own failure count and key.
    Unknown {
        /// Failures counted against the name.
        guard: LoginGuard,
        /// The `LOGIN#…` key to count failures on.
        pk: String,
    },
}

#[derive(Debug, Deserialize)]
struct Pointer {
    user_id: String,
}

#[derive(Debug, Deserialize)]
struct ActivationItem {
    user_id: String,
    expires_at: i64,
}

#[derive(Debug, Default, Deserialize)]
struct NameGuardItem {
    #[serde(default)]
    failures: u32,
    #[serde(default)]
    window_start: i64,
}

/// The users table.
#[derive(Debug, Clone)]
pub struct UsersRepo {
    client: Client,
    table: String,
}

impl UsersRepo {
    /// Uses the table named by `USERS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `USERS_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self {
            client,
            table: config::required("USERS_TABLE")?,
        })
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
            failures: 0,
            window_start: 0,
        };
        let pointer = |pk: String| -> Item {
            [
                ("pk".to_owned(), s(pk)),
                ("user_id".to_owned(), s(&user.user_id)),
            ]
            .into()
        };
        let items = [
            serde_dynamo::to_item(&record).map_err(StoreError::from)?,
            pointer(format!("USERNAME#{}", user.username.key())),
            pointer(format!("EMAIL#{}", user.email.key())),
            self.activation_item(&user.user_id, activation, now),
        ];
        let writes: Vec<TransactWriteItem> = items
            .into_iter()
            .map(|item| self.put_new(item))
            .collect::<Result<_, _>>()?;
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
        match self.pointer(&format!("EMAIL#{}", email.key())).await? {
            Some(user_id) => self.get(&user_id).await,
            None => Ok(None),
        }
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
        if let Some(user_id) = self.pointer(&pointer_pk).await? {
            if let Some(record) = self.get(&user_id).await? {
                return Ok(LoginLookup::Found(Box::new(record)));
            }
        }
        let pk = format!("LOGIN#{key}");
        let guard: NameGuardItem = self
            .get_item(&pk)
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?
            .unwrap_or_default();
        Ok(LoginLookup::Unknown {
            guard: LoginGuard {
                failures: guard.failures,
                window_start: guard.window_start,
            },
            pk,
        })
    }

    /// Counts a failed login against an account (`USER#…`) or an unknown name
    /// (`LOGIN#…`): added to the current window, or starting a new one.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn record_failure(&self, pk: &str, now: i64) -> Result<(), StoreError> {
        let added = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .update_expression("SET failures = failures + :one")
            .condition_expression("window_start > :cutoff")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":cutoff", n(now - WINDOW_SECS))
            .send()
            .await;
        match added {
            Ok(_) => return Ok(()),
            Err(e) if is_condition_failed(&e) => {}
            Err(e) => return Err(StoreError::new(e)),
        }
        let is_account = pk.starts_with("USER#");
        let mut restart = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now));
        restart = if is_account {
            restart
                .update_expression("SET failures = :one, window_start = :now")
                .condition_expression("attribute_exists(pk)")
        } else {
            restart
                .update_expression("SET failures = :one, window_start = :now, #ttl = :ttl")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":ttl", n(now + WINDOW_SECS))
        };
        match restart.send().await {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::new(e)),
        }
    }

    /// Forgets an account's failures after a successful login.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn clear_failures(&self, user_id: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(format!("USER#{user_id}")))
            .update_expression("SET failures = :zero, window_start = :zero")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":zero", n(0))
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    /// Consumes an activation token and activates its account, atomically.
    /// Returns `false` for a token that is unknown, already used or expired.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn activate(&self, token: &TokenHash, now: i64) -> Result<bool, StoreError> {
        let pk = format!("ACTIVATION#{}", token.as_str());
        let Some(item) = self.get_item(&pk).await? else {
            return Ok(false);
        };
        let activation: ActivationItem = serde_dynamo::from_item(item)?;
        if activation.expires_at <= now {
            return Ok(false);
        }
        let consume = Delete::builder()
            .table_name(&self.table)
            .key("pk", s(&pk))
            .condition_expression("attribute_exists(pk) AND expires_at > :now")
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(StoreError::new)?;
        let activate = Update::builder()
            .table_name(&self.table)
            .key("pk", s(format!("USER#{}", activation.user_id)))
            .update_expression("SET #status = :active")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":active", s("active"))
            .build()
            .map_err(StoreError::new)?;
        let sent = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(consume).build())
            .transact_items(TransactWriteItem::builder().update(activate).build())
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            // A concurrent use of the same token won, or the account is gone.
            Err(e) => match cancellation(e)? {
                Cancellation::ConditionsFailed(_) | Cancellation::Conflict => Ok(false),
            },
        }
    }

    /// Issues a new activation token for a pending account, unless one was sent less
    /// than `min_interval_secs` ago. Returns whether a token was issued.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn reissue_activation(
        &self,
        user_id: &str,
        token: &TokenHash,
        now: i64,
        min_interval_secs: i64,
    ) -> Result<bool, StoreError> {
        let mark = Update::builder()
            .table_name(&self.table)
            .key("pk", s(format!("USER#{user_id}")))
            .update_expression("SET activation_sent_at = :now")
            .condition_expression("#status = :pending AND activation_sent_at <= :due")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending_activation"))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":due", n(now - min_interval_secs))
            .build()
            .map_err(StoreError::new)?;
        let sent = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(mark).build())
            .transact_items(self.put_new(self.activation_item(user_id, token, now))?)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(e) => match cancellation(e)? {
                Cancellation::ConditionsFailed(_) | Cancellation::Conflict => Ok(false),
            },
        }
    }

    fn activation_item(&self, user_id: &str, token: &TokenHash, now: i64) -> Item {
        let expires_at = now + ACTIVATION_TTL_SECS;
        [
            ("pk".to_owned(), s(format!("ACTIVATION#{}", token.as_str()))),
            ("user_id".to_owned(), s(user_id)),
            ("expires_at".to_owned(), n(expires_at)),
            ("ttl".to_owned(), n(expires_at)),
        ]
        .into()
    }

    fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
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

    async fn get_item(&self, pk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out.item)
    }
}
