//! Idempotency records for `POST /orders`, modelled on the Powertools for AWS Lambda
//! idempotency utility: a record per (user, `Idempotency-Key`) moves from `IN_PROGRESS`
//! to `COMPLETED` with the response, or is deleted when the request fails so that a
//! retry runs again; records expire after 24 hours (checked on read; TTL tidies up).
//!
//! Key layout: `key` (S) = `<user_id>#<Idempotency-Key>`. Attributes: `status`,
//! `payload_hash` (SHA-256 of the canonical JSON body, to catch a key reused with another
//! body), `expires_at`, `in_progress_until` (a crashed attempt stops blocking after it),
//! `response_status`, `response_body`, `ttl`.
//!
//! Completing the record is part of the same transaction that places the order, so an
//! order and its recorded response exist together or not at all.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::config::{self, ConfigError};
use crate::store::{n, s, StoreError};

/// How long a key is remembered.
pub const RETENTION_SECS: i64 = 24 * 60 * 60;
/// How long an unfinished attempt blocks others with the same key.
pub const IN_PROGRESS_SECS: i64 = 30;

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use (or the previous one expired or was abandoned): go ahead.
    Proceed,
    /// Done before: answer the same again.
    Replay {
        /// Status of the first answer.
        status: u16,
        /// Body of the first answer.
        body: String,
    },
    /// Another request with this key is running now.
    InProgress,
    /// The key was used with a different body.
    Mismatch,
}

#[derive(Debug, Deserialize)]
struct Record {
    status: String,
    payload_hash: String,
    #[serde(default)]
    response_status: Option<u16>,
    #[serde(default)]
    response_body: Option<String>,
}

/// The idempotency table.
#[derive(Debug, Clone)]
pub struct IdempotencyRepo {
    client: Client,
    table: String,
}

/// The hash that identifies a request body: SHA-256 of its canonical JSON (keys sorted).
pub fn payload_hash(body: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(body.to_string().as_bytes()))
}

impl IdempotencyRepo {
    /// Uses the table named by `IDEMPOTENCY_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `IDEMPOTENCY_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self {
            client,
            table: config::required("IDEMPOTENCY_TABLE")?,
        })
    }

    /// Claims the key for this request, atomically: only one request at a time gets
    /// [`Claim::Proceed`].
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn claim(&self, key: &str, hash: &str, now: i64) -> Result<Claim, StoreError> {
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("key", s(key))
            .item("status", s("IN_PROGRESS"))
            .item("payload_hash", s(hash))
            .item("expires_at", n(now + RETENTION_SECS))
            .item("in_progress_until", n(now + IN_PROGRESS_SECS))
            .item("ttl", n(now + RETENTION_SECS))
            .condition_expression(
                "attribute_not_exists(#key) OR expires_at < :now \
                 OR (#status = :in_progress AND in_progress_until < :now)",
            )
            .expression_attribute_names("#key", "key")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":in_progress", s("IN_PROGRESS"))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let existing = match out {
            Ok(_) => return Ok(Claim::Proceed),
            Err(e) => match e.as_service_error() {
                Some(aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(failed)) => {
                    failed.item().cloned().unwrap_or_default()
                }
                _ => return Err(StoreError::new(e)),
            },
        };
        let record: Record = serde_dynamo::from_item(existing)?;
        Ok(if record.payload_hash != hash {
            Claim::Mismatch
        } else if record.status == "COMPLETED" {
            Claim::Replay {
                status: record.response_status.unwrap_or(201),
                body: record.response_body.unwrap_or_default(),
            }
        } else {
            Claim::InProgress
        })
    }

    /// The transaction item that completes a claimed key with its response.
    ///
    /// # Errors
    /// [`StoreError`] if the builder rejects its input (a bug).
    pub fn complete(
        &self,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key("key", s(key))
            .update_expression(
                "SET #status = :completed, response_status = :code, response_body = :body",
            )
            .condition_expression("#status = :in_progress")
            .set_expression_attribute_names(Some(HashMap::from([(
                "#status".to_owned(),
                "status".to_owned(),
            )])))
            .expression_attribute_values(":completed", s("COMPLETED"))
            .expression_attribute_values(":in_progress", s("IN_PROGRESS"))
            .expression_attribute_values(":code", n(status))
            .expression_attribute_values(":body", s(body))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Releases a claimed key after a failed request, so a retry runs again.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn release(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("key", s(key))
            .condition_expression("#status = :in_progress")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", s("IN_PROGRESS"))
            .send()
            .await
            .map(|_| ())
            .or_else(|e| {
                if crate::store::is_condition_failed(&e) {
                    Ok(())
                } else {
                    Err(StoreError::new(e))
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_ignores_key_order() {
        let a: serde_json::Value = serde_json::from_str(r#"{"a":1,"b":[1,2]}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"b":[1,2],"a":1}"#).unwrap();
        assert_eq!(payload_hash(&a), payload_hash(&b));
        let c: serde_json::Value = serde_json::from_str(r#"{"b":[2,1],"a":1}"#).unwrap();
        assert_ne!(payload_hash(&a), payload_hash(&c));
    }
}
