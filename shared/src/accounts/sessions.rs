//! The sessions table: one item per live session, and one generation counter per user.
//!
//! Key layout: `token_hash` (S, partition key).
//! - `<hex SHA-256 of the session token>`: a session ([`Session`]): `user_id`, `role`,
//!   `created_at`, `expires_at` (Unix seconds, checked on every read), `ttl` (=
//!   `expires_at`, for DynamoDB's clean-up only) and `generation`.
//! - `GENERATION#<user_id>` → `generation`: the user's session generation (absent = 0).
//!
//! **Revoking every session is one write however many there are.** A session is live
//! only while its `generation` equals its user's, and every authentication reads both
//! (two consistent reads of this one table). "Sign out everywhere" and a password reset
//! add one to the user's generation; a password change does the same and, in the same
//! transaction, moves the calling session to the new generation, so it alone survives.
//! We chose a generation over indexing sessions by user because revoking through an
//! index costs a query and a delete per session (a user with 500 sessions means 20 batch
//! writes, with a window in which some still work), while the generation is one
//! conditional write that takes effect for all of them at once. The price is the second
//! read on each authenticated request (~1 RCU, one round trip to the same table); logout
//! still deletes its own session item.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::accounts::TokenHash;
use crate::config::{self, ConfigError};
use crate::store::{backoff, cancellation, number_value, string_value, Cancellation, StoreError};

/// Rounds of "read the generation, move it on" before giving up on a racing writer.
const ROUNDS: u32 = 6;

/// A stored session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// Whose session it is.
    pub user_id: String,
    /// The user's role when the session began.
    pub role: Role,
    /// RFC 3339.
    pub created_at: String,
    /// Unix seconds after which the session is dead.
    pub expires_at: i64,
    /// DynamoDB TTL attribute.
    pub ttl: i64,
    /// The user's session generation when the session began (or was kept by a password
    /// change); the session is dead once the user's generation moves past it.
    #[serde(default)]
    pub generation: i64,
}

/// The sessions table.
#[derive(Debug, Clone)]
pub struct SessionsRepo {
    client: Client,
    table: String,
}

fn generation_key(user_id: &str) -> String {
    format!("GENERATION#{user_id}")
}

impl SessionsRepo {
    /// Uses the table named by `SESSIONS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `SESSIONS_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(client, config::required("SESSIONS_TABLE")?))
    }

    /// Uses the table named `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Stores a new session.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn put(&self, session: &Session) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(session)?))
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    /// The session with this token hash, expired or not, revoked by generation or not.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get(&self, hash: &TokenHash) -> Result<Option<Session>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("token_hash", string_value(hash.as_str()))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// The user's current session generation (0 before any revocation).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn generation(&self, user_id: &str) -> Result<i64, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("token_hash", string_value(generation_key(user_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out
            .item
            .as_ref()
            .and_then(|item| item.get("generation")?.as_n().ok()?.parse().ok())
            .unwrap_or(0))
    }

    /// Revokes a session.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn delete(&self, hash: &TokenHash) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("token_hash", string_value(hash.as_str()))
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    /// Revokes every session of `user_id` at once: one write moves its generation on.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn revoke_all(&self, user_id: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("token_hash", string_value(generation_key(user_id)))
            .update_expression("ADD generation :one")
            .expression_attribute_values(":one", number_value(1))
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    /// Revokes every session of `user_id` except `keep`: the generation moves on and
    /// `keep` moves with it, in one transaction, so no other session survives and `keep`
    /// never stops working.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails or writers keep racing.
    pub async fn revoke_others(&self, user_id: &str, keep: &TokenHash) -> Result<(), StoreError> {
        for round in 0..ROUNDS {
            let current = self.generation(user_id).await?;
            let next = current + 1;
            let counter = Update::builder()
                .table_name(&self.table)
                .key("token_hash", string_value(generation_key(user_id)))
                .update_expression("SET generation = :next")
                .condition_expression("attribute_not_exists(generation) OR generation = :current")
                .expression_attribute_values(":next", number_value(next))
                .expression_attribute_values(":current", number_value(current))
                .build()
                .map_err(StoreError::new)?;
            let kept = Update::builder()
                .table_name(&self.table)
                .key("token_hash", string_value(keep.as_str()))
                .update_expression("SET generation = :next")
                .condition_expression("attribute_exists(token_hash) AND user_id = :user")
                .expression_attribute_values(":next", number_value(next))
                .expression_attribute_values(":user", string_value(user_id))
                .build()
                .map_err(StoreError::new)?;
            let sent = self
                .client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().update(counter).build())
                .transact_items(TransactWriteItem::builder().update(kept).build())
                .send()
                .await;
            let Err(err) = sent else { return Ok(()) };
            match cancellation(err)? {
                // The calling session is gone (logged out meanwhile): revoke the rest.
                Cancellation::ConditionsFailed(failed) if failed.contains(&1) => {
                    return self.revoke_all(user_id).await;
                }
                // Another revocation moved the generation first: read it again.
                Cancellation::ConditionsFailed(_) | Cancellation::Conflict => {
                    backoff(round).await;
                }
            }
        }
        Err(StoreError::new("session revocations kept racing"))
    }
}
