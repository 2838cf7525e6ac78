//! Relaying purchases to the behaviour queue: the `relay-purchases` consumer of the
//! payments table's stream.
//!
//! A paid order's purchases are written in the payment's own transaction (the
//! `PURCHASED#` items, [`Purchase`]); their stream records become `purchase` events on
//! the behaviour queue, where `learn-similarity` reads them with views and cart
//! additions. A send that fails fails the batch, which the mapping retries until the
//! queue takes it, so a purchase is never lost to a queue that was down. Each event's id
//! is its order line's (`purchase-<order_id>-<goods_id>`), so a batch relayed twice
//! counts once.

use super::repo::Purchase;
use crate::aws::Aws;
use crate::config::ConfigError;
use crate::error::BoxError;
use crate::events::{Envelope, Event, Publisher, Purchased};
use crate::stream::{self, EventRecord};

/// The purchase a stream record announces: a new `PURCHASED#` item, or one a later
/// order of the same goods by the same buyer overwrote.
pub fn purchase_in(record: &EventRecord) -> Option<Purchase> {
    let is_purchase =
        stream::new_string(record, "pk").is_some_and(|pk| pk.starts_with("PURCHASED#"));
    if !is_purchase {
        return None;
    }
    let purchase: Purchase = stream::new_image(record)?;
    let before = record.change.old_image.get("order_id");
    match before {
        Some(serde_dynamo::AttributeValue::S(order_id)) if *order_id == purchase.order_id => None,
        _ => Some(purchase),
    }
}

/// The behaviour event of a purchase, with its order line's id.
pub fn event_of(purchase: Purchase) -> Envelope {
    let mut envelope = Envelope::new(
        Event::Purchase(Purchased {
            order_id: purchase.order_id.clone(),
            quantity: purchase.quantity,
            unit_price: purchase.unit_price,
            currency: purchase.currency,
        }),
        Some(&purchase.buyer_id),
        Some(&purchase.goods_id),
    );
    envelope.event_id = format!("purchase-{}-{}", purchase.order_id, purchase.goods_id);
    envelope.occurred_at = purchase.at;
    envelope
}

/// The `relay-purchases` service, built once per cold start.
pub struct PurchaseRelay {
    events: Publisher,
}

impl PurchaseRelay {
    /// Reads `EVENTS_QUEUE_URL`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            events: Publisher::from_env(Aws::from_env()?.sqs(), "EVENTS_QUEUE_URL")?,
        })
    }

    /// Sends the purchases of `records` to the behaviour queue; answers how many.
    ///
    /// # Errors
    /// When SQS refuses or can't be reached (the whole batch is to be retried).
    pub async fn relay(&self, records: &[EventRecord]) -> Result<usize, BoxError> {
        let events: Vec<Envelope> = records
            .iter()
            .filter_map(purchase_in)
            .map(event_of)
            .collect();
        self.events.publish_all(&events).await?;
        Ok(events.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::StreamEvent;

    fn record(name: &str, new: serde_json::Value, old: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "eventID": "1", "eventName": name, "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
            "dynamodb": {"ApproximateCreationDateTime": 1_795_608_000.0, "Keys": {},
                "NewImage": new, "OldImage": old, "SequenceNumber": "1", "SizeBytes": 1,
                "StreamViewType": "NEW_AND_OLD_IMAGES"}
        })
    }

    fn purchased(order_id: &str) -> serde_json::Value {
        serde_json::json!({
            "pk": {"S": "PURCHASED#buyer#goods"}, "buyer_id": {"S": "buyer"},
            "goods_id": {"S": "goods"}, "order_id": {"S": order_id}, "quantity": {"N": "2"},
            "unit_price": {"N": "500"}, "currency": {"S": "CNY"}, "at": {"S": "2026-11-25T12:00:00Z"}
        })
    }

    #[test]
    fn new_and_repeated_purchases_are_relayed_with_their_order_lines_id() {
        let event: StreamEvent = serde_json::from_value(serde_json::json!({"Records": [
            record("INSERT", purchased("o1"), serde_json::json!({})),
            record("MODIFY", purchased("o2"), purchased("o1")),
            record("MODIFY", purchased("o2"), purchased("o2")),
            record("INSERT", serde_json::json!({"pk": {"S": "PAYMENT#p"}}), serde_json::json!({})),
        ]}))
        .unwrap();
        let events: Vec<Envelope> = event
            .records
            .iter()
            .filter_map(purchase_in)
            .map(event_of)
            .collect();
        let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, ["purchase-o1-goods", "purchase-o2-goods"]);
        assert_eq!(events[0].user_id.as_deref(), Some("buyer"));
        assert_eq!(events[0].occurred_at, "2026-11-25T12:00:00Z");
        assert!(
            matches!(&events[0].event, Event::Purchase(p) if p.quantity == 2 && p.unit_price == 500)
        );
    }
}
