//! DynamoDB Streams consumer of the payments table: asks the payment provider for each
//! refund the shop recorded (see `shop::payments::refunds`).
//!
//! Records of a shard apply in order: the first refund the provider keeps refusing stops
//! the batch and is named as its failure, so the mapping retries from it and, past its
//! retries, sends it to the refunds dead-letter queue. Records that are not refund
//! requests (payments, webhook events, refunds moving on) are skipped.

use lambda_runtime::LambdaEvent;
use shop::error::ErrorChain;
use shop::payments::payment::Refund;
use shop::payments::refunds::{RefundRequests, Submitted};
use shop::stream::{self, DynamoDbEventResponse, StreamEvent};

/// What the function needs, built once per cold start.
pub type Context = RefundRequests;

/// Submits each refund request of the batch, in order, stopping at the first failure.
///
/// # Errors
/// Never: a failure is reported as the record to retry from.
pub async fn handler(requests: &RefundRequests, event: LambdaEvent<StreamEvent>) -> stream::Answer {
    shop::metrics::reset();
    let records = event.payload.records;
    let mut response = DynamoDbEventResponse::default();
    for record in &records {
        let is_refund =
            stream::new_string(record, "pk").is_some_and(|pk| pk.starts_with("REFUND#"));
        let Some(refund) = is_refund
            .then(|| stream::new_image::<Refund>(record))
            .flatten()
        else {
            continue;
        };
        match requests.submit(&refund).await {
            Ok(Submitted::Accepted | Submitted::NotDue) => {}
            Err(e) => {
                tracing::error!(payment_id = %refund.payment_id, error = %ErrorChain(&e), "refund not submitted; the batch is retried from it");
                response = stream::retry_from(record);
                break;
            }
        }
    }
    Ok(stream::finish("request-refunds", records.len(), response))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_valid_fixture_is_a_stream_batch_holding_a_refund_request() {
        let event: shop::stream::StreamEvent =
            serde_json::from_str(include_str!("../../../events/request-refunds/valid.json"))
                .unwrap();
        let refunds: Vec<shop::payments::payment::Refund> = event
            .records
            .iter()
            .filter_map(shop::stream::new_image)
            .collect();
        assert_eq!(refunds.len(), 1);
        assert_eq!(refunds[0].amount, 4200);
    }
}
