//! Outgoing email through SES: activation, password reset, and the two messages of an
//! email change (the confirmation to the new address, the notice to the old one).
//!
//! Messages that carry a token say it on a line of its own, `Token: <token>`, for the
//! client to send to the matching confirmation route (the local stack's console shows
//! those lines, as it shows links).

use aws_sdk_ses::types::{Body, Content, Destination, Message};

use crate::accounts::SecretToken;
use crate::config::{self, ConfigError};
use crate::error::BoxError;

/// Sends the shop's emails.
#[derive(Debug, Clone)]
pub struct Mailer {
    ses: aws_sdk_ses::Client,
    from: String,
    public_base_url: String,
}

impl Mailer {
    /// Reads `MAIL_FROM` (a verified SES identity) and `PUBLIC_BASE_URL` (where the
    /// API is reachable, for links).
    ///
    /// # Errors
    /// [`ConfigError::Missing`] naming the absent variable.
    pub fn from_env(ses: aws_sdk_ses::Client) -> Result<Self, ConfigError> {
        Ok(Self {
            ses,
            from: config::required("MAIL_FROM")?,
            public_base_url: config::required("PUBLIC_BASE_URL")?
                .trim_end_matches('/')
                .to_owned(),
        })
    }

    /// The link that activates an account.
    pub fn activation_link(&self, token: &SecretToken) -> String {
        format!(
            "{}/auth/activate?token={}",
            self.public_base_url,
            token.expose()
        )
    }

    /// Sends the activation email with its single-use link to `to` (the address the
    /// account was registered with).
    ///
    /// # Errors
    /// When SES refuses or can't be reached.
    pub async fn send_activation(
        &self,
        to: &str,
        username: &str,
        token: &SecretToken,
    ) -> Result<(), BoxError> {
        let link = self.activation_link(token);
        let text = format!(
            "Hello {username},\n\nwelcome to the shop. Activate your account within 24 hours \
             by opening this link:\n\n{link}\n\nIf you did not register, ignore this email.\n"
        );
        self.send(to, "Activate your shop account", text).await
    }

    /// Sends a password reset token to `to` (the account's address).
    ///
    /// # Errors
    /// When SES refuses or can't be reached.
    pub async fn send_password_reset(
        &self,
        to: &str,
        username: &str,
        token: &SecretToken,
    ) -> Result<(), BoxError> {
        let text = format!(
            "Hello {username},\n\nsomeone asked to reset the password of your shop account. \
             To choose a new one within 30 minutes, send this token with it to \
             {base}/auth/password-reset/confirm:\n\nToken: {token}\n\nIf it was not you, \
             ignore this email: your password stays as it is.\n",
            base = self.public_base_url,
            token = token.expose(),
        );
        self.send(to, "Reset your shop password", text).await
    }

    /// Sends the token that confirms a new address to `to` (the new address).
    ///
    /// # Errors
    /// When SES refuses or can't be reached.
    pub async fn send_email_change(
        &self,
        to: &str,
        username: &str,
        token: &SecretToken,
    ) -> Result<(), BoxError> {
        let text = format!(
            "Hello {username},\n\nto make this the email address of your shop account, send \
             this token to {base}/auth/email-change/confirm within 24 hours:\n\nToken: {token}\n\n\
             If you did not ask for this, ignore this email.\n",
            base = self.public_base_url,
            token = token.expose(),
        );
        self.send(to, "Confirm your new shop email address", text)
            .await
    }

    /// Tells `to` (the current address) that a change to `new_masked` was asked for.
    ///
    /// # Errors
    /// When SES refuses or can't be reached.
    pub async fn send_email_change_notice(
        &self,
        to: &str,
        username: &str,
        new_masked: &str,
    ) -> Result<(), BoxError> {
        let text = format!(
            "Hello {username},\n\nsomeone signed in to your shop account asked to change its \
             email address to {new_masked}. It changes only once the new address confirms it. \
             If it was not you, change your password now.\n"
        );
        self.send(to, "Your shop email address is about to change", text)
            .await
    }

    async fn send(&self, to: &str, subject: &str, text: String) -> Result<(), BoxError> {
        let content = |data: String| Content::builder().data(data).charset("UTF-8").build();
        let message = Message::builder()
            .subject(content(subject.to_owned())?)
            .body(Body::builder().text(content(text)?).build())
            .build();
        self.ses
            .send_email()
            .source(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .message(message)
            .send()
            .await?;
        Ok(())
    }
}
