//! The sessions table: one item per live session.
//!
//! Key layout: `token_hash` (S, partition key) = hex SHA-256 of the session token.
//! Attributes: `user_id`, `role`, `created_at`, `expires_at` (Unix seconds, checked on
//! every read), `ttl` (= `expires_at`, for DynamoDB's clean-up only).

use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::accounts::TokenHash;
use crate::config::{self, ConfigError};
use crate::store::{string_value, StoreError};

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
}

/// The sessions table.
#[derive(Debug, Clone)]
pub struct SessionsRepo {
    client: Client,
    table: String,
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

    /// The session with this token hash, expired or not.
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
}
