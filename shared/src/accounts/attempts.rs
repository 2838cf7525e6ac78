//! Login attempts in the users table, counted per login name **and client**:
//! `ATTEMPTS#<hex SHA-256 of the lowercase login name, NUL, client address>` →
//! `attempts`, `window_start`, `ttl` (see [`super::repo`]).
//!
//! - Every attempt is reserved before its password is checked, by a conditional write
//!   that only passes while the window has attempts left, so a burst sent at once can't
//!   get more guesses than [`super::login_guard::MAX_FAILURES`]: the rest are told to wait.
//! - Per client: guessing from one address never locks the owner out from another.
//! - Per name as typed: a username and an email count apart, so the lock can't tell
//!   whether the two belong to one account; unknown names count like real ones.
//! - A correct password clears the name's count for that client.
//!
//! Only the hash is stored: neither the address nor the name is kept in clear.

use sha2::{Digest, Sha256};

use super::login_guard::{MAX_FAILURES, WINDOW_SECS};
use super::repo::UsersRepo;
use crate::store::{is_condition_failed, number_value, string_value, StoreError};

/// Rounds of "add to the window, else start a new one" before giving up; two writers
/// can only race each other over who starts the window.
const ROUNDS: usize = 4;

/// The counter of one login name from one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptKey(String);

impl AttemptKey {
    /// The key for `login` (as typed; case and surrounding space ignored) from `client`.
    pub fn new(login: &str, client: &str) -> Self {
        let mut digest = Sha256::new();
        digest.update(login.trim().to_lowercase().as_bytes());
        digest.update([0]);
        digest.update(client.as_bytes());
        Self(format!("ATTEMPTS#{}", hex::encode(digest.finalize())))
    }
}

/// What reserving an attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// An attempt is reserved: check the password.
    Granted,
    /// The window's attempts are used up: try again after this many seconds.
    Locked {
        /// Seconds until the window ends.
        retry_after_secs: u64,
    },
}

impl UsersRepo {
    /// Reserves one attempt for `key` at `now`.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn reserve_attempt(
        &self,
        key: &AttemptKey,
        now: i64,
    ) -> Result<Reservation, StoreError> {
        let cutoff = now - WINDOW_SECS;
        for _ in 0..ROUNDS {
            let added = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", string_value(&key.0))
                .update_expression("SET attempts = attempts + :one")
                .condition_expression("window_start > :cutoff AND attempts < :max")
                .expression_attribute_values(":one", number_value(1))
                .expression_attribute_values(":cutoff", number_value(cutoff))
                .expression_attribute_values(":max", number_value(MAX_FAILURES))
                .send()
                .await;
            match added {
                Ok(_) => return Ok(Reservation::Granted),
                Err(e) if is_condition_failed(&e) => {}
                Err(e) => return Err(StoreError::new(e)),
            }
            // Refused: either the window is used up (locked) or over (start a new one).
            let window_start = self
                .get_item(&key.0)
                .await?
                .and_then(|item| item.get("window_start")?.as_n().ok()?.parse::<i64>().ok());
            if let Some(start) = window_start.filter(|start| *start > cutoff) {
                let ends = start + WINDOW_SECS;
                return Ok(Reservation::Locked {
                    retry_after_secs: u64::try_from(ends - now).unwrap_or(1).max(1),
                });
            }
            let started = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", string_value(&key.0))
                .update_expression("SET attempts = :one, window_start = :now, #ttl = :ttl")
                .condition_expression("attribute_not_exists(pk) OR window_start <= :cutoff")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":one", number_value(1))
                .expression_attribute_values(":now", number_value(now))
                .expression_attribute_values(":cutoff", number_value(cutoff))
                .expression_attribute_values(":ttl", number_value(now + WINDOW_SECS))
                .send()
                .await;
            match started {
                Ok(_) => return Ok(Reservation::Granted),
                // Another attempt started the window first: add to it.
                Err(e) if is_condition_failed(&e) => {}
                Err(e) => return Err(StoreError::new(e)),
            }
        }
        Err(StoreError::new("login attempts kept racing"))
    }

    /// Forgets `key`'s attempts (a correct password from that client).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn clear_attempts(&self, key: &AttemptKey) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", string_value(&key.0))
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }
}
