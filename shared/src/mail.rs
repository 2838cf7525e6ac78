//! Outgoing email through SES: the activation message.

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
        let content = |data: String| Content::builder().data(data).charset("UTF-8").build();
        let message = Message::builder()
            .subject(content("Activate your shop account".to_owned())?)
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
