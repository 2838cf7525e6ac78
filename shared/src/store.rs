//! What every DynamoDB repository uses. Each capability owns its tables (one concrete
//! repository struct per table, with its key layout in its header and its item mapping
//! through serde_dynamo); this module holds what they share: attribute values,
//! transactions and how DynamoDB cancels them, batched reads and writes.
//!
//! Repositories return narrow errors; [`StoreError`] is the unexpected kind (the table
//! could not be reached or refused the request), which the API answers with a 500.

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
pub fn string_value(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute value.
pub fn number_value(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A string attribute of an item, or `""`.
pub fn string_attr<'a>(item: &'a Item, name: &str) -> &'a str {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v,
        _ => "",
    }
}

/// A number attribute of an item, or 0.
pub fn number_attr(item: &Item, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().unwrap_or(0),
        _ => 0,
    }
}

/// The error of a `TransactWriteItems` call, for [`cancellation`] to read.
pub type TransactError =
    SdkError<TransactWriteItemsError, aws_smithy_runtime_api::client::orchestrator::HttpResponse>;

/// Runs the writes as one transaction.
///
/// # Errors
/// The SDK's error, for [`cancellation`] to read.
pub async fn transact(
    client: &aws_sdk_dynamodb::Client,
    writes: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
) -> Result<(), TransactError> {
    client
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map(|_| ())
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

/// The items of a Query or Scan answer, each read as a `T`.
///
/// # Errors
/// [`StoreError`] when an item isn't a `T`.
pub fn items_of<T: serde::de::DeserializeOwned>(
    items: Option<Vec<Item>>,
) -> Result<Vec<T>, StoreError> {
    items
        .unwrap_or_default()
        .into_iter()
        .map(|item| serde_dynamo::from_item(item).map_err(StoreError::from))
        .collect()
}

/// Whether an SDK error is a failed condition of a single-item write.
pub fn is_condition_failed<E, R>(err: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    matches!(err, SdkError::ServiceError(service)
        if service.err().code() == Some("ConditionalCheckFailedException"))
}

/// The one retry policy of the store: waits a little longer on each attempt (10 ms more
/// each time), with up to 20 ms of jitter so colliding writers spread out.
pub async fn backoff(attempt: u32) {
    let mut jitter = [0u8; 1];
    let _ = getrandom::fill(&mut jitter);
    let millis = 10 * u64::from(attempt + 1) + u64::from(jitter[0] % 20);
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
}

/// Reads items by key with BatchGetItem, 100 keys a request, retrying unprocessed keys.
/// `projection` (with its `#names`) narrows what each item returns.
///
/// # Errors
/// [`StoreError`] when DynamoDB fails or keeps leaving keys unprocessed.
pub async fn batch_get(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    keys: Vec<Item>,
    projection: Option<(&str, HashMap<String, String>)>,
    consistent: bool,
) -> Result<Vec<Item>, StoreError> {
    Ok(
        batch_get_metered(client, table, keys, projection, consistent)
            .await?
            .0,
    )
}

/// [`batch_get`], also returning the read capacity units DynamoDB says it consumed.
///
/// # Errors
/// As [`batch_get`].
pub async fn batch_get_metered(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    keys: Vec<Item>,
    projection: Option<(&str, HashMap<String, String>)>,
    consistent: bool,
) -> Result<(Vec<Item>, f64), StoreError> {
    use aws_sdk_dynamodb::types::{KeysAndAttributes, ReturnConsumedCapacity};
    let mut found = Vec::with_capacity(keys.len());
    let mut units = 0.0;
    for chunk in keys.chunks(100) {
        let mut request = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .set_projection_expression(projection.as_ref().map(|(p, _)| (*p).to_owned()))
                .set_expression_attribute_names(
                    projection
                        .as_ref()
                        .map(|(_, names)| names.clone())
                        .filter(|names| !names.is_empty()),
                )
                .consistent_read(consistent)
                .build()
                .map_err(StoreError::new)?,
        );
        for attempt in 0..6u32 {
            let Some(keys) = request.take() else { break };
            let out = client
                .batch_get_item()
                .request_items(table, keys)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(StoreError::new)?;
            units += out
                .consumed_capacity()
                .iter()
                .filter_map(|c| c.capacity_units)
                .sum::<f64>();
            found.extend(
                out.responses
                    .and_then(|mut r| r.remove(table))
                    .unwrap_or_default(),
            );
            request = out.unprocessed_keys.and_then(|mut u| u.remove(table));
            if request.is_some() {
                backoff(attempt).await;
            }
        }
        if request.is_some() {
            return Err(StoreError::new(
                "BatchGetItem kept leaving keys unprocessed",
            ));
        }
    }
    Ok((found, units))
}

/// A BatchWriteItem put of `item`.
///
/// # Errors
/// [`StoreError`] when the request can't be built.
pub fn put_request(item: Item) -> Result<aws_sdk_dynamodb::types::WriteRequest, StoreError> {
    let put = aws_sdk_dynamodb::types::PutRequest::builder()
        .set_item(Some(item))
        .build()
        .map_err(StoreError::new)?;
    Ok(aws_sdk_dynamodb::types::WriteRequest::builder()
        .put_request(put)
        .build())
}

/// Applies puts and deletes with BatchWriteItem, 25 a request, retrying unprocessed ones.
/// Not atomic: each write stands alone, so use it for writes that are idempotent.
///
/// # Errors
/// [`StoreError`] when DynamoDB fails or keeps leaving writes unprocessed.
pub async fn batch_write(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    writes: Vec<aws_sdk_dynamodb::types::WriteRequest>,
) -> Result<(), StoreError> {
    for chunk in writes.chunks(25) {
        let mut pending = chunk.to_vec();
        for attempt in 0..8u32 {
            if pending.is_empty() {
                break;
            }
            let out = client
                .batch_write_item()
                .request_items(table, std::mem::take(&mut pending))
                .send()
                .await
                .map_err(StoreError::new)?;
            pending = out
                .unprocessed_items
                .and_then(|mut u| u.remove(table))
                .unwrap_or_default();
            if !pending.is_empty() {
                backoff(attempt).await;
            }
        }
        if !pending.is_empty() {
            return Err(StoreError::new(
                "BatchWriteItem kept leaving writes unprocessed",
            ));
        }
    }
    Ok(())
}
