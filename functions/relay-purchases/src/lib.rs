//! DynamoDB Streams consumer of the payments table: relays each paid order line to the
//! behaviour queue as a `purchase` event (see `shop::payments::relay`). A send that
//! fails fails the whole batch from its first record: the mapping retries it until the
//! queue takes it, and the events' ids make the retry count once.

use lambda_runtime::LambdaEvent;
use shop::error::ErrorChain;
use shop::payments::relay::PurchaseRelay;
use shop::stream::{self, DynamoDbEventResponse, StreamEvent};

/// What the function needs, built once per cold start.
pub type Context = PurchaseRelay;

/// Relays the batch's purchases, all or none.
///
/// # Errors
/// Never: a failure is reported as the batch's first record, to retry from.
pub async fn handler(relay: &PurchaseRelay, event: LambdaEvent<StreamEvent>) -> stream::Answer {
    shop::metrics::reset();
    let records = event.payload.records;
    let response = match relay.relay(&records).await {
        Ok(relayed) => {
            if relayed > 0 {
                tracing::info!(relayed, "purchases relayed");
            }
            DynamoDbEventResponse::default()
        }
        Err(e) => {
            tracing::error!(error = %ErrorChain(e.as_ref()), "purchases not relayed; the batch is retried");
            records.first().map(stream::retry_from).unwrap_or_default()
        }
    };
    Ok(stream::finish("relay-purchases", records.len(), response))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_valid_fixture_holds_one_purchase_among_other_writes() {
        let event: shop::stream::StreamEvent =
            serde_json::from_str(include_str!("../../../events/relay-purchases/valid.json"))
                .unwrap();
        let purchases: Vec<_> = event
            .records
            .iter()
            .filter_map(shop::payments::relay::purchase_in)
            .collect();
        assert_eq!(purchases.len(), 1);
        assert_eq!(purchases[0].quantity, 2);
    }
}
