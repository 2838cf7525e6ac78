//! The payment webhook's signing secrets, kept in Secrets Manager rather than in the
//! function's environment (where anyone who may read the function's configuration would
//! read them too).
//!
//! The secret (`PAYMENT_WEBHOOK_SECRET_ARN`) holds JSON `{"secrets": ["whsec_…", …]}`
//! (a comma-separated string is read the same way): every listed secret is accepted,
//! so a rotation adds the new one, waits for the provider to switch, then drops the
//! old. It is read once at cold start, in Lambda's init phase, and an empty or
//! unreadable list stops the start there, naming the problem, instead of refusing every
//! delivery later. A warm instance keeps its copy; when a delivery matches none of the
//! secrets and the copy is older than [`REFRESH_AFTER`], it reads the secret again (at
//! most once per that interval, so forged deliveries can't turn into a flood of
//! Secrets Manager calls) and checks the delivery once more.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::error::BoxError;

/// How old the cached secrets may be before a failed match reads them again, unless
/// `WEBHOOK_SECRETS_REFRESH_SECS` says otherwise (the tests use 1 s).
pub const REFRESH_AFTER: Duration = Duration::from_secs(300);

/// Why the secrets could not be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// Secrets Manager refused or could not be reached.
    #[error("the webhook secret could not be read: {0}")]
    Unreadable(BoxError),
    /// Not `{"secrets": [...]}` or `{"secrets": "a,b"}`.
    #[error("the webhook secret is not {{\"secrets\": [...]}}")]
    Malformed,
    /// The list holds no secret.
    #[error("the webhook secret lists no signing secret")]
    Empty,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Listed {
    Many(Vec<String>),
    Joined(String),
}

#[derive(Deserialize)]
struct Stored {
    secrets: Listed,
}

/// Reads the secret list out of a `SecretString`.
///
/// # Errors
/// [`SecretsError::Malformed`] or [`SecretsError::Empty`].
pub fn parse(secret_string: &str) -> Result<Vec<String>, SecretsError> {
    let stored: Stored =
        serde_json::from_str(secret_string).map_err(|_| SecretsError::Malformed)?;
    let listed = match stored.secrets {
        Listed::Many(many) => many,
        Listed::Joined(joined) => joined.split(',').map(str::to_owned).collect(),
    };
    let secrets: Vec<String> = listed
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if secrets.is_empty() {
        return Err(SecretsError::Empty);
    }
    Ok(secrets)
}

/// Where the secrets come from.
#[derive(Debug, Clone)]
enum Source {
    /// Secrets Manager, by secret id.
    Manager {
        client: aws_sdk_secretsmanager::Client,
        secret_id: String,
    },
    /// A fixed list (handler tests, benches).
    Fixed,
}

#[derive(Debug)]
struct Cached {
    secrets: Vec<String>,
    read_at: Instant,
}

/// The webhook's secrets, read at start and re-read on a mismatch past [`REFRESH_AFTER`].
#[derive(Debug)]
pub struct WebhookSecrets {
    source: Source,
    cached: Mutex<Cached>,
    refresh_after: Duration,
}

impl WebhookSecrets {
    /// Reads the secret `secret_id` (a name or an ARN).
    ///
    /// # Errors
    /// [`SecretsError`] when it can't be read or lists no secret.
    pub async fn load(
        client: aws_sdk_secretsmanager::Client,
        secret_id: String,
    ) -> Result<Self, SecretsError> {
        let secrets = read(&client, &secret_id).await?;
        let refresh_after = crate::config::optional("WEBHOOK_SECRETS_REFRESH_SECS")
            .and_then(|s| s.parse().ok())
            .map_or(REFRESH_AFTER, Duration::from_secs);
        Ok(Self {
            source: Source::Manager { client, secret_id },
            cached: Mutex::new(Cached {
                secrets,
                read_at: Instant::now(),
            }),
            refresh_after,
        })
    }

    /// A fixed list that is never re-read.
    ///
    /// # Errors
    /// [`SecretsError::Empty`] for an empty list.
    pub fn fixed(secrets: Vec<String>) -> Result<Self, SecretsError> {
        if secrets.iter().all(|s| s.trim().is_empty()) {
            return Err(SecretsError::Empty);
        }
        Ok(Self {
            source: Source::Fixed,
            cached: Mutex::new(Cached {
                secrets,
                read_at: Instant::now(),
            }),
            refresh_after: REFRESH_AFTER,
        })
    }

    /// Runs `check` on the secrets in use now (no copy per delivery).
    pub fn with_current<T>(&self, check: impl FnOnce(&[String]) -> T) -> T {
        check(&self.lock().secrets)
    }

    /// After a delivery matched none of the secrets: reads them again if the copy is
    /// older than the refresh interval ([`REFRESH_AFTER`]) and answers whether the list changed (then the
    /// delivery is worth checking again).
    pub async fn refresh_if_stale(&self) -> bool {
        let Source::Manager { client, secret_id } = &self.source else {
            return false;
        };
        {
            let mut cached = self.lock();
            if cached.read_at.elapsed() < self.refresh_after {
                return false;
            }
            // Claimed before the read, so a burst of mismatches reads once.
            cached.read_at = Instant::now();
        }
        match read(client, secret_id).await {
            Ok(fresh) => {
                let mut cached = self.lock();
                let changed = fresh != cached.secrets;
                cached.secrets = fresh;
                if changed {
                    tracing::info!("webhook secrets changed; using the new list");
                }
                changed
            }
            Err(e) => {
                tracing::error!(error = %e, "webhook secrets not re-read; keeping the old list");
                false
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn read(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> Result<Vec<String>, SecretsError> {
    let out = client
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|e| SecretsError::Unreadable(e.into()))?;
    parse(out.secret_string().ok_or(SecretsError::Malformed)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_and_a_joined_string_both_read() {
        assert_eq!(
            parse(r#"{"secrets": ["whsec_a", " whsec_b "]}"#).unwrap(),
            ["whsec_a", "whsec_b"]
        );
        assert_eq!(
            parse(r#"{"secrets": "whsec_a,whsec_b"}"#).unwrap(),
            ["whsec_a", "whsec_b"]
        );
    }

    #[test]
    fn an_empty_or_malformed_secret_is_refused() {
        for empty in [r#"{"secrets": []}"#, r#"{"secrets": " , "}"#] {
            assert!(matches!(parse(empty), Err(SecretsError::Empty)), "{empty}");
        }
        for bad in ["whsec_a", r#"{"secret": ["a"]}"#, r#"{"secrets": 5}"#] {
            assert!(matches!(parse(bad), Err(SecretsError::Malformed)), "{bad}");
        }
        assert!(WebhookSecrets::fixed(vec![]).is_err());
    }
}
