//! Recovering a forgotten password: asking for a reset, the email that answers it, and
//! choosing the new password with the emailed token.
//!
//! - **Asking** ([`ResetRequests`]) only publishes `account.password_reset_requested`
//!   to the password-reset queue and answers 202. It reads nothing, so an unknown email
//!   takes exactly the work and time of a known one, and the answer tells nothing.
//! - **Answering** ([`ResetMailer`], the queue's consumer) looks the address up; only
//!   an active account gets a token (256 bits, stored as a hash, 30 minutes). Issuing it
//!   rewrites the account's `reset_token`, which supersedes every older token, on the
//!   condition that the last reset email is older than the resend interval, so the queue
//!   can't be used to flood a mailbox. When SES fails, the send mark is taken back and
//!   the message is retried (then dead-lettered).
//! - **Confirming** ([`ResetConfirmations`]) checks the token on the clock, scores the
//!   new password, and in one transaction deletes the token and sets the password hash
//!   on the condition that the token is still the account's latest. Then every session
//!   of the account is revoked (one write, see [`super::sessions`]) and the confirming
//!   client's login lock for the username and the email is cleared.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::attempts::AttemptKey;
use super::grants::{GrantKind, Redeemable};
use super::repo::UsersRepo;
use super::sessions::SessionsRepo;
use super::{Email, Password, SecretToken, TokenHash, UserStatus};
use crate::aws::Aws;
use crate::clock;
use crate::config::{self, ConfigError};
use crate::error::{ApiError, BoxError, ErrorChain};
use crate::events::{Envelope, Event, PasswordResetRequested, Publisher};
use crate::mail::Mailer;
use crate::store::{cancellation, number_value, string_value, Cancellation, StoreError};

/// How long a reset token stays valid.
pub const RESET_TTL_SECS: i64 = 30 * 60;

/// The queue variable of the password-reset queue.
pub const RESET_QUEUE_VARIABLE: &str = "PASSWORD_RESET_QUEUE_URL";

/// `POST /auth/password-reset`'s service: hands the request to the queue.
pub struct ResetRequests {
    queue: Publisher,
}

impl ResetRequests {
    /// Reads `PASSWORD_RESET_QUEUE_URL`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            queue: Publisher::from_env(Aws::from_env()?.sqs(), RESET_QUEUE_VARIABLE)?,
        })
    }

    /// Queues a reset for `email`, whoever it belongs to.
    ///
    /// # Errors
    /// 500 when SQS fails (the same for every address).
    pub async fn request(&self, email: &Email) -> Result<(), ApiError> {
        let event = Envelope::new(
            Event::PasswordResetRequested(PasswordResetRequested {
                email: email.as_str().to_owned(),
            }),
            None,
            None,
        );
        self.queue
            .publish(&event)
            .await
            .map_err(ApiError::Internal)?;
        tracing::info!(event_id = %event.event_id, "password reset queued");
        Ok(())
    }
}

/// What answering one reset request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetSent {
    /// A token went to the account's address.
    Sent,
    /// No active account has the address: nothing to send.
    NoAccount,
    /// The last reset email is too recent: nothing sent.
    TooSoon,
}

/// The password-reset queue's consumer: issues and emails the tokens.
pub struct ResetMailer {
    users: UsersRepo,
    mailer: Mailer,
    interval_secs: i64,
}

impl ResetMailer {
    /// Reads `USERS_TABLE`, the mailer's `MAIL_FROM` and `PUBLIC_BASE_URL`, and
    /// `RESET_EMAIL_INTERVAL_SECS` (default 60).
    ///
    /// # Errors
    /// A missing or malformed variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        Ok(Self {
            users: UsersRepo::from_env(aws.dynamodb())?,
            mailer: Mailer::from_env(aws.ses())?,
            interval_secs: config::parsed_or("RESET_EMAIL_INTERVAL_SECS", 60)?,
        })
    }

    /// Answers one request for `email`.
    ///
    /// # Errors
    /// When DynamoDB or SES fails (the message is retried).
    pub async fn answer(&self, email: &str) -> Result<ResetSent, BoxError> {
        let Ok(email) = Email::parse(email) else {
            return Ok(ResetSent::NoAccount);
        };
        let Some(user) = self.users.find_by_email(&email).await? else {
            return Ok(ResetSent::NoAccount);
        };
        if user.status != UserStatus::Active {
            return Ok(ResetSent::NoAccount);
        }
        let now = clock::now().unix_timestamp();
        let token = SecretToken::generate();
        let hash = token.hash();
        if !self
            .users
            .issue_reset(&user.user_id, &hash, now, self.interval_secs)
            .await?
        {
            return Ok(ResetSent::TooSoon);
        }
        if let Err(e) = self
            .mailer
            .send_password_reset(&user.email, &user.username, &token)
            .await
        {
            tracing::error!(user_id = %user.user_id, error = %ErrorChain(e.as_ref()), "reset email not sent");
            self.users.unmark_reset(&user.user_id, &hash).await?;
            return Err(e);
        }
        tracing::info!(user_id = %user.user_id, to = %email.masked(), "reset email sent");
        Ok(ResetSent::Sent)
    }
}

/// `POST /auth/password-reset/confirm`'s service.
pub struct ResetConfirmations {
    users: UsersRepo,
    sessions: SessionsRepo,
}

impl ResetConfirmations {
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

    /// Sets the password of the account the token was sent for, from `client`, and
    /// revokes all its sessions.
    ///
    /// # Errors
    /// 400 `invalid_token` (unknown, used, superseded or expired); 422 `weak_password` /
    /// `validation_failed` naming `new_password`; 500 when DynamoDB fails.
    pub async fn confirm(&self, token: &str, new: &str, client: &str) -> Result<(), ApiError> {
        let now = clock::now().unix_timestamp();
        let Redeemable {
            token: hash, user, ..
        } = self
            .users
            .redeemable(GrantKind::PasswordReset, token, now)
            .await?
            .ok_or_else(invalid_token)?;
        let new = Password::parse_new_field("new_password", new, &[&user.username, &user.email])?;
        let password_hash = new.hash().map_err(|e| ApiError::internal(e.to_string()))?;
        if !self
            .users
            .complete_reset(&user.user_id, &hash, &password_hash, now)
            .await?
        {
            return Err(invalid_token());
        }
        self.sessions.revoke_all(&user.user_id).await?;
        for name in [&user.username, &user.email] {
            self.users
                .clear_attempts(&AttemptKey::new(name, client))
                .await?;
        }
        tracing::info!(user_id = %user.user_id, "password reset; every session revoked");
        Ok(())
    }
}

fn invalid_token() -> ApiError {
    super::token::invalid_token("reset token")
}

impl UsersRepo {
    /// Stores a reset token for an active account and makes it the only one that works,
    /// unless a reset email went out less than `interval_secs` ago; false then.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn issue_reset(
        &self,
        user_id: &str,
        token: &TokenHash,
        now: i64,
        interval_secs: i64,
    ) -> Result<bool, StoreError> {
        let mark = Update::builder()
            .table_name(&self.table)
            .key("pk", string_value(format!("USER#{user_id}")))
            .update_expression("SET reset_token = :token, reset_sent_at = :now")
            .condition_expression(
                "attribute_exists(pk) AND #status = :active \
                 AND (attribute_not_exists(reset_sent_at) OR reset_sent_at <= :cutoff)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":token", string_value(token.as_str()))
            .expression_attribute_values(":now", number_value(now))
            .expression_attribute_values(":cutoff", number_value(now - interval_secs))
            .expression_attribute_values(":active", string_value("active"))
            .build()
            .map_err(StoreError::new)?;
        let sent = self
            .client
            .transact_write_items()
            .transact_items(self.grant_put(
                GrantKind::PasswordReset,
                token,
                user_id,
                now + RESET_TTL_SECS,
                None,
            )?)
            .transact_items(TransactWriteItem::builder().update(mark).build())
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(err) => match cancellation(err)? {
                Cancellation::ConditionsFailed(failed) if failed.contains(&1) => Ok(false),
                Cancellation::ConditionsFailed(_) => {
                    Err(StoreError::new("a fresh reset token collided"))
                }
                Cancellation::Conflict => Err(StoreError::new("a concurrent reset; retried")),
            },
        }
    }

    /// Takes back the send mark of `token` after its email failed, so a retry may send.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn unmark_reset(&self, user_id: &str, token: &TokenHash) -> Result<(), StoreError> {
        let sent = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", string_value(format!("USER#{user_id}")))
            .update_expression("REMOVE reset_sent_at")
            .condition_expression("reset_token = :token")
            .expression_attribute_values(":token", string_value(token.as_str()))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(e) if crate::store::is_condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::new(e)),
        }
    }

    /// Uses up the reset token and sets the new password hash, atomically, while the
    /// token is the account's latest; false when it is not (used, superseded, expired).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn complete_reset(
        &self,
        user_id: &str,
        token: &TokenHash,
        password_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let set = Update::builder()
            .table_name(&self.table)
            .key("pk", string_value(format!("USER#{user_id}")))
            .update_expression("SET password_hash = :hash REMOVE reset_token")
            .condition_expression("reset_token = :token")
            .expression_attribute_values(":hash", string_value(password_hash))
            .expression_attribute_values(":token", string_value(token.as_str()))
            .build()
            .map_err(StoreError::new)?;
        let sent = self
            .client
            .transact_write_items()
            .transact_items(self.grant_consume(GrantKind::PasswordReset, token, now)?)
            .transact_items(TransactWriteItem::builder().update(set).build())
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(err) => match cancellation(err)? {
                Cancellation::ConditionsFailed(_) | Cancellation::Conflict => Ok(false),
            },
        }
    }
}
