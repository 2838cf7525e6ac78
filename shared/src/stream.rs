//! DynamoDB Streams consumers: the batch a stream's event source mapping delivers
//! (`aws_lambda_events`' [`StreamEvent`], the records of one shard in order) and the
//! partial batch response ([`DynamoDbEventResponse`], with `ReportBatchItemFailures`).
//!
//! Records of a shard must apply in order, so a consumer stops at its first failure and
//! names that record: Lambda (and the local stack) retries the batch from it, splits the
//! batch on repeated failures (`BisectBatchOnFunctionError`), and after
//! `MaximumRetryAttempts` sends the batch's description to the mapping's on-failure
//! destination. Records already applied before the failure come back with the retry only
//! when they follow it, so whatever a consumer does must be safe to redo.

pub use aws_lambda_events::event::dynamodb::{Event as StreamEvent, EventRecord};
pub use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use serde::de::DeserializeOwned;

/// What a stream consumer's handler returns.
pub type Answer = Result<DynamoDbEventResponse, lambda_http::lambda_runtime::Error>;

/// The answer that retries the batch from `record` (all of it when the record has no
/// sequence number).
pub fn retry_from(record: &EventRecord) -> DynamoDbEventResponse {
    let mut failure = DynamoDbBatchItemFailure::default();
    failure.item_identifier = record.change.sequence_number.clone();
    let mut response = DynamoDbEventResponse::default();
    response.batch_item_failures.push(failure);
    response
}

/// The item a record wrote (its new image) as `T`, when the record wrote one and it
/// reads as `T`.
pub fn new_image<T: DeserializeOwned>(record: &EventRecord) -> Option<T> {
    if record.change.new_image.is_empty() {
        return None;
    }
    serde_dynamo::from_item(record.change.new_image.clone()).ok()
}

/// The `S` attribute `name` of a record's new image.
pub fn new_string<'a>(record: &'a EventRecord, name: &str) -> Option<&'a str> {
    match record.change.new_image.get(name) {
        Some(serde_dynamo::AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}

/// Logs one line for the batch, with the AWS requests it made.
pub fn finish(
    function: &str,
    records: usize,
    response: DynamoDbEventResponse,
) -> DynamoDbEventResponse {
    let counts = crate::metrics::counts();
    tracing::info!(
        function,
        messages = records,
        failed = response.batch_item_failures.len(),
        dynamodb = counts.dynamodb,
        sqs = counts.sqs,
        ses = counts.ses,
        "batch done"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(sequence: &str, pk: &str) -> serde_json::Value {
        serde_json::json!({
            "eventID": "1", "eventName": "INSERT", "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
            "dynamodb": {
                "ApproximateCreationDateTime": 1_795_608_000.0,
                "Keys": {"pk": {"S": pk}},
                "NewImage": {"pk": {"S": pk}, "amount": {"N": "100"}},
                "SequenceNumber": sequence, "SizeBytes": 26,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            }
        })
    }

    #[test]
    fn a_failure_names_the_record_to_retry_from() {
        let event: StreamEvent = serde_json::from_value(
            serde_json::json!({"Records": [record("100", "REFUND#a"), record("200", "REFUND#b")]}),
        )
        .unwrap();
        let answer = retry_from(&event.records[1]);
        assert_eq!(
            answer.batch_item_failures[0].item_identifier.as_deref(),
            Some("200")
        );
        assert_eq!(new_string(&event.records[0], "pk"), Some("REFUND#a"));
        #[derive(serde::Deserialize)]
        struct Amount {
            amount: i64,
        }
        assert_eq!(
            new_image::<Amount>(&event.records[0]).map(|a| a.amount),
            Some(100)
        );
    }
}
