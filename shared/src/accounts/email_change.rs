//! Changing the account's email address, verified by the new address.
//!
//! Asking ([`EmailChanges::request`]) takes the account's password under the same lock
//! as login, refuses an address a live account holds, stores a token (256 bits, as a
//! hash, 24 hours, the account's only live one: see [`super::grants`]) and emails it to
//! the new address, with a notice to the old one. The address changes only when the
//! token comes back ([`EmailChanges::confirm`]): one transaction uses the token up,
//! claims the new address's `EMAIL#` pointer (on the same condition as registration, so
//! a meanwhile taken address answers 409), deletes the old pointer and rewrites the
//! account. From then on the new address signs in and the old one is unknown.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};

use super::grants::{GrantKind, Redeemable};
use super::repo::{CreateUserError, UsersRepo};
use super::{Email, SecretToken, TokenHash, User};
use crate::auth::Caller;
use crate::aws::Aws;
use crate::clock;
use crate::config::ConfigError;
use crate::error::{ApiError, ErrorChain, FieldErrors};
use crate::mail::Mailer;
use crate::store::{cancellation, number_value, string_value, Cancellation, StoreError};

/// How long an email-change token stays valid.
pub const EMAIL_CHANGE_TTL_SECS: i64 = 24 * 60 * 60;

/// The email-change functions' service, built once per cold start.
pub struct EmailChanges {
    users: UsersRepo,
    mailer: Option<Mailer>,
}

impl EmailChanges {
    /// Reads `USERS_TABLE`, and the mailer's `MAIL_FROM` and `PUBLIC_BASE_URL` when
    /// `with_mailer` (only asking sends email).
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env(with_mailer: bool) -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        Ok(Self {
            users: UsersRepo::from_env(aws.dynamodb())?,
            mailer: with_mailer
                .then(|| Mailer::from_env(aws.ses()))
                .transpose()?,
        })
    }

    /// Asks to move the caller's account to `new_email`, proven by `password`, from
    /// `client`.
    ///
    /// # Errors
    /// 422 naming `new_email` (invalid, or the current address); 429 while locked; 401
    /// `invalid_credentials` for a wrong password; 409 `email_taken`; 500 when AWS fails.
    pub async fn request(
        &self,
        caller: &Caller,
        new_email: &str,
        password: &str,
        client: &str,
    ) -> Result<(), ApiError> {
        let mut fields = FieldErrors::new();
        let new_email = fields.check("new_email", Email::parse(new_email));
        let user = self
            .users
            .get(&caller.user_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if new_email
            .as_ref()
            .is_some_and(|e| e.key() == user.email.to_lowercase())
        {
            fields.add("new_email", "is already the account's address");
        }
        fields.into_result()?;
        let new_email = new_email.ok_or_else(|| ApiError::internal("checked above"))?;
        let now = clock::now().unix_timestamp();
        self.users
            .confirm_password(&user, password, client, now)
            .await?;
        if self.users.email_held(&new_email, now).await? {
            return Err(CreateUserError::EmailTaken.into());
        }
        let token = SecretToken::generate();
        self.users
            .issue_email_change(&user.user_id, &token.hash(), &new_email, now)
            .await?;
        let mailer = self
            .mailer
            .as_ref()
            .ok_or_else(|| ApiError::internal("the email-change mailer is not configured"))?;
        mailer
            .send_email_change(new_email.as_str(), &user.username, &token)
            .await
            .map_err(ApiError::Internal)?;
        if let Err(e) = mailer
            .send_email_change_notice(&user.email, &user.username, &new_email.masked())
            .await
        {
            tracing::error!(user_id = %user.user_id, error = %ErrorChain(e.as_ref()), "email change notice not sent");
        }
        tracing::info!(user_id = %user.user_id, to = %new_email.masked(), "email change asked");
        Ok(())
    }

    /// Moves the account the token was sent for to its new address; answers the account.
    ///
    /// # Errors
    /// 400 `invalid_token` (unknown, used, superseded or expired); 409 `email_taken`
    /// when the address was taken meanwhile; 500 when DynamoDB fails.
    pub async fn confirm(&self, token: &str) -> Result<User, ApiError> {
        let now = clock::now().unix_timestamp();
        let Redeemable {
            token: hash,
            grant,
            mut user,
        } = self
            .users
            .redeemable(GrantKind::EmailChange, token, now)
            .await?
            .ok_or_else(invalid_token)?;
        let new_email = grant
            .new_email
            .as_deref()
            .and_then(|e| Email::parse(e).ok())
            .ok_or_else(invalid_token)?;
        let old = Email::parse(&user.email).map_err(|_| ApiError::internal("a stored email"))?;
        self.users
            .move_email(&user.user_id, &hash, &old, &new_email, now)
            .await?;
        tracing::info!(user_id = %user.user_id, to = %new_email.masked(), "email changed");
        user.email = new_email.as_str().to_owned();
        Ok(user.public())
    }
}

fn invalid_token() -> ApiError {
    super::token::invalid_token("email-change token")
}

/// Why an email change was not applied.
#[derive(Debug, thiserror::Error)]
pub enum MoveEmailError {
    /// 409 `email_taken`.
    #[error("An account with that email already exists.")]
    Taken,
    /// 400 `invalid_token`: used or superseded meanwhile.
    #[error("the token is no longer the account's")]
    Stale,
    /// 500.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MoveEmailError> for ApiError {
    fn from(e: MoveEmailError) -> Self {
        match e {
            MoveEmailError::Taken => CreateUserError::EmailTaken.into(),
            MoveEmailError::Stale => invalid_token(),
            MoveEmailError::Store(store) => store.into(),
        }
    }
}

impl UsersRepo {
    /// Stores an email-change token for `new_email` and makes it the account's only one.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails or the account is gone.
    pub async fn issue_email_change(
        &self,
        user_id: &str,
        token: &TokenHash,
        new_email: &Email,
        now: i64,
    ) -> Result<(), StoreError> {
        let mark = Update::builder()
            .table_name(&self.table)
            .key("pk", string_value(format!("USER#{user_id}")))
            .update_expression("SET email_change_token = :token")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":token", string_value(token.as_str()))
            .build()
            .map_err(StoreError::new)?;
        self.client
            .transact_write_items()
            .transact_items(self.grant_put(
                GrantKind::EmailChange,
                token,
                user_id,
                now + EMAIL_CHANGE_TTL_SECS,
                Some(new_email.as_str()),
            )?)
            .transact_items(TransactWriteItem::builder().update(mark).build())
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    /// Moves the account from `old` to `new`, using up `token`, in one transaction.
    ///
    /// # Errors
    /// [`MoveEmailError::Taken`] when a live account holds `new`,
    /// [`MoveEmailError::Stale`] when the token was used or superseded meanwhile.
    pub async fn move_email(
        &self,
        user_id: &str,
        token: &TokenHash,
        old: &Email,
        new: &Email,
        now: i64,
    ) -> Result<(), MoveEmailError> {
        let claim = Put::builder()
            .table_name(&self.table)
            .item("pk", string_value(format!("EMAIL#{}", new.key())))
            .item("user_id", string_value(user_id))
            .condition_expression("attribute_not_exists(pk) OR pending_until <= :now")
            .expression_attribute_values(":now", number_value(now))
            .build()
            .map_err(StoreError::new)?;
        let release = Delete::builder()
            .table_name(&self.table)
            .key("pk", string_value(format!("EMAIL#{}", old.key())))
            .condition_expression("user_id = :user")
            .expression_attribute_values(":user", string_value(user_id))
            .build()
            .map_err(StoreError::new)?;
        let account = Update::builder()
            .table_name(&self.table)
            .key("pk", string_value(format!("USER#{user_id}")))
            .update_expression("SET email = :new REMOVE email_change_token")
            .condition_expression("email_change_token = :token AND email = :old")
            .expression_attribute_values(":new", string_value(new.as_str()))
            .expression_attribute_values(":old", string_value(old.as_str()))
            .expression_attribute_values(":token", string_value(token.as_str()))
            .build()
            .map_err(StoreError::new)?;
        let sent = self
            .client
            .transact_write_items()
            .transact_items(self.grant_consume(GrantKind::EmailChange, token, now)?)
            .transact_items(TransactWriteItem::builder().put(claim).build())
            .transact_items(TransactWriteItem::builder().delete(release).build())
            .transact_items(TransactWriteItem::builder().update(account).build())
            .send()
            .await;
        let Err(err) = sent else { return Ok(()) };
        match cancellation(err)? {
            Cancellation::ConditionsFailed(failed) if failed.contains(&1) => {
                Err(MoveEmailError::Taken)
            }
            Cancellation::ConditionsFailed(_) | Cancellation::Conflict => {
                Err(MoveEmailError::Stale)
            }
        }
    }
}
