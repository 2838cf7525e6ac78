//! Registering and activating accounts: the use cases that email an activation link.
//!
//! A name a live account holds is refused from two reads, before the password is hashed
//! (argon2id) — so a taken name costs no argon2; then the account, its username and
//! email reservations and the activation token are written in one conditional
//! transaction, which is what decides whether a name is free, so concurrent
//! registrations of one name leave exactly one account. An account left unactivated for
//! 7 days frees both ([`super::repo::PENDING_ACCOUNT_SECS`]). A resend is answered the same whether or not the address
//! has an account, and at most once per interval per account (a conditional write), so
//! it neither reveals who is registered nor floods an inbox.

use crate::aws::Aws;
use crate::clock;
use crate::config::{self, ConfigError};
use crate::error::{ApiError, ErrorChain, FieldErrors};
use crate::mail::Mailer;

use super::password::InvalidPassword;
use super::repo::{NewUser, UsersRepo};
use super::{Email, Password, Role, SecretToken, User, UserStatus, Username};

/// What a registration asks for, every field parsed.
#[derive(Debug)]
pub struct Registration {
    username: Username,
    email: Email,
    password: Password,
    role: Role,
}

impl Registration {
    /// Parses the fields and names every one that is wrong; no role means `customer`.
    /// The password is scored with the username and email as words to avoid.
    ///
    /// # Errors
    /// 422 `validation_failed` naming `username`, `email` and/or `password`; 422
    /// `weak_password` when only the password is refused, for being easy to guess.
    pub fn parse(
        username: &str,
        email: &str,
        password: &str,
        role: Option<Role>,
    ) -> Result<Self, ApiError> {
        let mut fields = FieldErrors::new();
        let password = Password::parse_new(password, &[username, email]);
        let username = fields.check("username", Username::parse(username));
        let email = fields.check("email", Email::parse(email));
        let only_weak = fields.is_empty() && matches!(password, Err(InvalidPassword::Weak(_)));
        let password = fields.check("password", password);
        match (username, email, password) {
            (Some(username), Some(email), Some(password)) => Ok(Self {
                username,
                email,
                password,
                role: role.unwrap_or_default(),
            }),
            _ if only_weak => Err(ApiError::WeakPassword(fields)),
            _ => Err(ApiError::Validation(fields)),
        }
    }
}

/// The registration functions' service, built once per cold start.
pub struct Registrations {
    users: UsersRepo,
    mailer: Mailer,
    /// Minimum seconds between two activation emails to one account
    /// (`ACTIVATION_RESEND_INTERVAL_SECS`, default 60).
    resend_interval_secs: i64,
}

impl Registrations {
    /// Reads `USERS_TABLE`, the mailer's `MAIL_FROM` and `PUBLIC_BASE_URL`, and
    /// `ACTIVATION_RESEND_INTERVAL_SECS`.
    ///
    /// # Errors
    /// A missing or invalid variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        Ok(Self {
            users: UsersRepo::from_env(aws.dynamodb())?,
            mailer: Mailer::from_env(aws.ses())?,
            resend_interval_secs: config::parsed_or("ACTIVATION_RESEND_INTERVAL_SECS", 60)?,
        })
    }

    /// Creates the pending account and emails its activation link; answers the account.
    /// A failed email is logged, not answered: the account exists, and the user can ask
    /// for the link again.
    ///
    /// # Errors
    /// 409 `username_taken` / `email_taken`; 500 when AWS fails.
    pub async fn register(&self, registration: Registration) -> Result<User, ApiError> {
        // A taken name is refused before argon2 runs: two reads instead of ~20 ms of
        // hashing and 19 MiB. The transaction below still decides.
        let now = clock::now();
        self.users
            .check_free(
                &registration.username,
                &registration.email,
                now.unix_timestamp(),
            )
            .await?;
        // Inline, not on the blocking pool: see `accounts::password` on memory.
        let password_hash = registration
            .password
            .hash()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let user = NewUser {
            user_id: crate::ids::new_id(),
            username: registration.username,
            email: registration.email,
            role: registration.role,
            password_hash,
            created_at: now,
        };
        let token = SecretToken::generate();
        self.users.create(&user, &token.hash()).await?;
        tracing::info!(user_id = %user.user_id, role = user.role.as_str(), "user registered");
        if let Err(e) = self
            .mailer
            .send_activation(user.email.as_str(), user.username.as_str(), &token)
            .await
        {
            tracing::error!(user_id = %user.user_id, error = %ErrorChain(e.as_ref()),
                "activation email not sent");
        }
        Ok(user.public())
    }

    /// Emails a fresh activation link if `email` belongs to a pending account and none
    /// was sent within the interval; does nothing otherwise, and says nothing either way.
    ///
    /// # Errors
    /// 500 when DynamoDB fails.
    pub async fn resend_activation(&self, email: &Email) -> Result<(), ApiError> {
        let Some(user) = self.users.find_by_email(email).await? else {
            return Ok(());
        };
        if user.status != UserStatus::PendingActivation {
            return Ok(());
        }
        let token = SecretToken::generate();
        let now = clock::now().unix_timestamp();
        let issued = self
            .users
            .reissue_activation(&user.user_id, &token.hash(), now, self.resend_interval_secs)
            .await?;
        if !issued {
            return Ok(());
        }
        match self
            .mailer
            .send_activation(&user.email, &user.username, &token)
            .await
        {
            Ok(()) => {
                tracing::info!(user_id = %user.user_id, to = %email.masked(), "activation email resent")
            }
            Err(e) => tracing::error!(user_id = %user.user_id, error = %ErrorChain(e.as_ref()),
                "activation email not sent"),
        }
        Ok(())
    }
}
