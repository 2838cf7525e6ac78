//! Idempotent writes, modelled on the Powertools for AWS Lambda idempotency utility and
//! usable by any write: [`IdempotencyRepo::once`] runs an operation at most once per
//! (user, `Idempotency-Key`) and answers every repeat with the first response.
//!
//! A record moves from `IN_PROGRESS` (claimed by one request, which holds its random
//! owner token) to `COMPLETED` with the response, or is deleted when the operation fails
//! so that a retry runs again. Only the owner completes or releases it. A claim whose
//! request died stops blocking after `in_progress_until`, and may then be taken over only
//! by a request with the same body. Records expire after 24 hours (checked on read; TTL
//! tidies up). A key reused with another body is a 422; a repeat while the first is still
//! running waits for it, up to 3 s, then is a 409.
//!
//! Key layout: `key` (S) = `<user_id>#<Idempotency-Key>`. Attributes: `status`, `owner`,
//! `payload_hash` (SHA-256 of the canonical JSON body), `expires_at`, `in_progress_until`,
//! `response_status`, `response_body`, `ttl`.
//!
//! The operation completes the record in its own transaction ([`IdempotencyRepo::complete`]),
//! so, for an order, the order and its recorded response exist together or not at all.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::types::{ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::config::{self, ConfigError};
use crate::error::ApiError;
use crate::store::{number_value, string_value, StoreError};

/// How long a key is remembered.
pub const RETENTION_SECS: i64 = 24 * 60 * 60;
/// How long an unfinished attempt blocks others with the same key.
pub const IN_PROGRESS_SECS: i64 = 30;

/// Times a repeat asks again while the first request is running, 100 ms apart.
const WAIT_ATTEMPTS: u32 = 30;

/// A key this request has claimed: the owner token proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedKey {
    key: String,
    owner: String,
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use (or the previous one expired, or was abandoned with the same body): go
    /// ahead, holding this claim.
    Proceed(ClaimedKey),
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
        Ok(Self::new(client, config::required("IDEMPOTENCY_TABLE")?))
    }

    /// Uses the table named `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Claims the key for this request, atomically: only one request at a time gets
    /// [`Claim::Proceed`].
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn claim(&self, key: &str, hash: &str, now: i64) -> Result<Claim, StoreError> {
        let owner = crate::accounts::SecretToken::generate().expose().to_owned();
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("key", string_value(key))
            .item("status", string_value("IN_PROGRESS"))
            .item("owner", string_value(&owner))
            .item("payload_hash", string_value(hash))
            .item("expires_at", number_value(now + RETENTION_SECS))
            .item("in_progress_until", number_value(now + IN_PROGRESS_SECS))
            .item("ttl", number_value(now + RETENTION_SECS))
            .condition_expression(
                "attribute_not_exists(#key) OR expires_at < :now \
                 OR (#status = :in_progress AND in_progress_until < :now AND payload_hash = :hash)",
            )
            .expression_attribute_names("#key", "key")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", number_value(now))
            .expression_attribute_values(":in_progress", string_value("IN_PROGRESS"))
            .expression_attribute_values(":hash", string_value(hash))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let existing = match out {
            Ok(_) => {
                let key = key.to_owned();
                return Ok(Claim::Proceed(ClaimedKey { key, owner }));
            }
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
        claimed: &ClaimedKey,
        status: u16,
        body: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key("key", string_value(&claimed.key))
            .update_expression(
                "SET #status = :completed, response_status = :code, response_body = :body",
            )
            .condition_expression("#status = :in_progress AND #owner = :owner")
            .set_expression_attribute_names(Some(HashMap::from([
                ("#status".to_owned(), "status".to_owned()),
                ("#owner".to_owned(), "owner".to_owned()),
            ])))
            .expression_attribute_values(":owner", string_value(&claimed.owner))
            .expression_attribute_values(":completed", string_value("COMPLETED"))
            .expression_attribute_values(":in_progress", string_value("IN_PROGRESS"))
            .expression_attribute_values(":code", number_value(status))
            .expression_attribute_values(":body", string_value(body))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Releases a claimed key after a failed request, so a retry runs again (a claim
    /// taken over meanwhile is not this request's to release).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn release(&self, claimed: &ClaimedKey) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("key", string_value(&claimed.key))
            .condition_expression("#status = :in_progress AND #owner = :owner")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":in_progress", string_value("IN_PROGRESS"))
            .expression_attribute_values(":owner", string_value(&claimed.owner))
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

impl IdempotencyRepo {
    /// Runs `operation` at most once for `key` (already scoped to its user; `None` runs
    /// it plainly) and `body_hash`: the operation gets the claim to complete in its own
    /// transaction; its failure releases the claim; a repeat answers the first response
    /// again, with `Idempotent-Replayed: true`.
    ///
    /// # Errors
    /// The operation's error; 422 `idempotency_key_reused`; 409 `idempotency_in_progress`
    /// when the first request is still running after 3 s; 500 when DynamoDB fails.
    pub async fn once<F, Fut>(
        &self,
        key: Option<&str>,
        body_hash: &str,
        operation: F,
    ) -> Result<Response<Body>, ApiError>
    where
        F: FnOnce(Option<ClaimedKey>) -> Fut,
        Fut: Future<Output = Result<Response<Body>, ApiError>>,
    {
        let Some(key) = key else {
            return operation(None).await;
        };
        for _ in 0..WAIT_ATTEMPTS {
            match self
                .claim(key, body_hash, crate::clock::now().unix_timestamp())
                .await?
            {
                Claim::Proceed(claimed) => {
                    let answer = operation(Some(claimed.clone())).await;
                    if answer.is_err() {
                        self.release(&claimed).await?;
                    }
                    return answer;
                }
                Claim::Replay { status, body } => return Ok(replay(status, body)),
                Claim::Mismatch => {
                    return Err(ApiError::Unprocessable {
                        code: "idempotency_key_reused",
                        message: "This Idempotency-Key was used with a different request body."
                            .into(),
                    })
                }
                Claim::InProgress => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        Err(ApiError::Conflict {
            code: "idempotency_in_progress",
            message: "A request with this Idempotency-Key is still being processed; retry shortly."
                .into(),
        })
    }
}

/// The `Idempotency-Key` header, scoped to `user_id` (one user's key never answers for
/// another's request).
///
/// # Errors
/// 400 `invalid_idempotency_key` unless it is 1 to 255 visible ASCII characters.
pub fn key_header(req: &Request, user_id: &str) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::BadRequest {
            code: "invalid_idempotency_key",
            message: "Idempotency-Key must be 1 to 255 visible ASCII characters.".into(),
        });
    }
    Ok(Some(format!("{user_id}#{key}")))
}

/// The first response again.
fn replay(status: u16, body: String) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED))
        .header("content-type", "application/json")
        .header("idempotent-replayed", "true")
        .body(Body::Text(body))
        .expect("static headers are valid")
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
