//! DynamoDB repositories: one concrete struct per table, owning its key layout and its
//! item mapping (serde_dynamo). Each module's header states its keys.
//!
//! Repositories return narrow errors; [`StoreError`] is the unexpected kind (the table
//! could not be reached or refused the request), which the API answers with a 500.

pub mod carts;
pub mod goods;
pub mod idempotency;
pub mod orders;
pub mod payments;
pub mod sessions;
pub mod users;

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{ApiError, BoxError};

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// The store failed unexpectedly.
#[derive(Debug, thiserror::Error)]
#[error("DynamoDB request failed")]
pub struct StoreError(#[source] pub BoxError);

impl StoreError {
    /// Wraps any error as a store failure.
    pub fn new(cause: impl Into<BoxError>) -> Self {
        Self(cause.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(Box::new(e))
    }
}

impl From<serde_dynamo::Error> for StoreError {
    fn from(e: serde_dynamo::Error) -> Self {
        Self::new(e)
    }
}

/// A string attribute value.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute value.
pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// How a transaction's items fared, when DynamoDB cancelled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancellation {
    /// These items' conditions failed (indexes into the transaction's items).
    ConditionsFailed(Vec<usize>),
    /// Another transaction touched the same items at the same time; worth retrying.
    Conflict,
}

/// Reads a transaction's cancellation reasons; any other error stays unexpected.
///
/// # Errors
/// [`StoreError`] for every failure that is not a cancellation.
pub fn cancellation<R>(
    err: SdkError<TransactWriteItemsError, R>,
) -> Result<Cancellation, StoreError>
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(service) => match service.into_err() {
            TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                let reasons = cancelled.cancellation_reasons();
                let failed: Vec<usize> = reasons
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
                    .map(|(i, _)| i)
                    .collect();
                if failed.is_empty() {
                    Ok(Cancellation::Conflict)
                } else {
                    Ok(Cancellation::ConditionsFailed(failed))
                }
            }
            other => Err(StoreError::new(other)),
        },
        other => Err(StoreError::new(other)),
    }
}

/// Whether an SDK error is a failed condition of a single-item write.
pub fn is_condition_failed<E, R>(err: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    matches!(err, SdkError::ServiceError(service)
        if service.err().code() == Some("ConditionalCheckFailedException"))
}
