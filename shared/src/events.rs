//! Events that other features react to, published to SQS in one envelope:
//!
//! ```json
//! {"event_id": "01J…", "type": "view", "occurred_at": "2026-11-25T12:00:00Z",
//!  "user_id": "01J…", "goods_id": "01J…", "data": {…}}
//! ```
//!
//! `event_id` identifies the event: consumers deduplicate on it, since SQS delivers at
//! least once (a fresh ULID, or for a purchase its order line, so that a purchase relayed
//! twice is one). Two queues carry them: the behaviour queue (`view`, `cart`, `purchase`:
//! what recommendations learn from) and the password-reset queue
//! (`account.password_reset_requested`: what the reset mailer answers, off the request
//! path).
//!
//! Events that must not be lost are not sent after the write that causes them: goods
//! changes reach search through the goods table's DynamoDB stream, and purchases are
//! relayed to the behaviour queue from the payments table's stream (`relay-purchases`),
//! which retries until the queue takes them. Views and cart additions are best effort by
//! design (a view must never fail a read): [`Publisher::publish_or_log`] logs a failure
//! and goes on.

use aws_sdk_sqs::types::MessageAttributeValue;
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::config::{self, ConfigError};
use crate::error::{BoxError, ErrorChain};
use crate::ids::new_id;

/// What happened, with what each kind of event carries (`type` and `data` on the wire).
/// Producers build these and consumers read them back: one set of types both ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    /// A signed-in user viewed goods.
    #[serde(rename = "view")]
    View(Viewed),
    /// A user put goods in the cart.
    #[serde(rename = "cart")]
    Cart(AddedToCart),
    /// A user paid for goods (one event per order line).
    #[serde(rename = "purchase")]
    Purchase(Purchased),
    /// Someone asked for a password reset email for this address (account or not).
    #[serde(rename = "account.password_reset_requested")]
    PasswordResetRequested(PasswordResetRequested),
}

/// A password reset asked for: the address as typed, whatever account it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordResetRequested {
    /// The address the reset was asked for.
    pub email: String,
}

/// A view carries nothing but the envelope's user and goods.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewed {}

/// Goods put in the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedToCart {
    /// The cart line's units.
    pub quantity: u32,
}

/// One paid order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchased {
    /// The order it was paid in.
    pub order_id: String,
    /// Units.
    pub quantity: u32,
    /// Unit price paid, minor units.
    pub unit_price: i64,
    /// ISO 4217.
    pub currency: String,
}

impl Event {
    /// The wire name of the type (`view`, `purchase` …), also sent as the SQS message
    /// attribute `type`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::View(_) => "view",
            Self::Cart(_) => "cart",
            Self::Purchase(_) => "purchase",
            Self::PasswordResetRequested(_) => "account.password_reset_requested",
        }
    }
}

/// The envelope every event travels in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique per event; the deduplication key.
    pub event_id: String,
    /// What happened: `type` and `data`.
    #[serde(flatten)]
    pub event: Event,
    /// When it happened (RFC 3339, UTC).
    pub occurred_at: String,
    /// Who did it, when someone signed in did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The goods concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_id: Option<String>,
}

impl Envelope {
    /// A new event happening now.
    pub fn new(event: Event, user_id: Option<&str>, goods_id: Option<&str>) -> Self {
        Self {
            event_id: new_id(),
            event,
            occurred_at: clock::rfc3339(clock::now()),
            user_id: user_id.map(str::to_owned),
            goods_id: goods_id.map(str::to_owned),
        }
    }
}

/// The event's type as a message attribute, for filtering.
fn type_attribute(event: &Envelope) -> Result<MessageAttributeValue, BoxError> {
    Ok(MessageAttributeValue::builder()
        .data_type("String")
        .string_value(event.event.name())
        .build()?)
}

/// Sends events to one queue.
#[derive(Debug, Clone)]
pub struct Publisher {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

impl Publisher {
    /// Publishes to the queue whose URL is in the variable `variable`
    /// (`EVENTS_QUEUE_URL` or `PASSWORD_RESET_QUEUE_URL`).
    ///
    /// # Errors
    /// [`ConfigError::Missing`] naming the variable.
    pub fn from_env(sqs: aws_sdk_sqs::Client, variable: &'static str) -> Result<Self, ConfigError> {
        Ok(Self {
            sqs,
            queue_url: config::required(variable)?,
        })
    }

    /// Sends one event; the type also travels as a message attribute, for filtering.
    ///
    /// # Errors
    /// When SQS refuses or can't be reached.
    pub async fn publish(&self, event: &Envelope) -> Result<(), BoxError> {
        self.sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(serde_json::to_string(event)?)
            .message_attributes("type", type_attribute(event)?)
            .send()
            .await?;
        Ok(())
    }

    /// Sends events ten to a SendMessageBatch, sending again the entries SQS failed.
    ///
    /// # Errors
    /// When SQS refuses or can't be reached, or keeps failing entries; the events sent
    /// before stay sent.
    pub async fn publish_all(&self, events: &[Envelope]) -> Result<(), BoxError> {
        for chunk in events.chunks(10) {
            let mut pending: Vec<(usize, &Envelope)> = chunk.iter().enumerate().collect();
            for attempt in 0..5u32 {
                if pending.is_empty() {
                    break;
                }
                let mut entries = Vec::with_capacity(pending.len());
                for (id, event) in &pending {
                    entries.push(
                        aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                            .id(id.to_string())
                            .message_body(serde_json::to_string(event)?)
                            .message_attributes("type", type_attribute(event)?)
                            .build()?,
                    );
                }
                let out = self
                    .sqs
                    .send_message_batch()
                    .queue_url(&self.queue_url)
                    .set_entries(Some(entries))
                    .send()
                    .await?;
                let failed: Vec<String> = out.failed.into_iter().map(|f| f.id).collect();
                pending.retain(|(id, _)| failed.contains(&id.to_string()));
                if !pending.is_empty() {
                    crate::store::backoff(attempt).await;
                }
            }
            if !pending.is_empty() {
                return Err("SendMessageBatch kept failing entries".into());
            }
        }
        Ok(())
    }

    /// Sends one event; a failure is logged, not returned.
    pub async fn publish_or_log(&self, event: &Envelope) {
        if let Err(e) = self.publish(event).await {
            tracing::error!(event_id = %event.event_id, event_type = event.event.name(),
                error = %ErrorChain(e.as_ref()), "event not published");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_has_its_documented_shape() {
        let event = Envelope::new(
            Event::Cart(AddedToCart { quantity: 2 }),
            Some("u1"),
            Some("g1"),
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "cart");
        assert_eq!(json["data"], serde_json::json!({"quantity": 2}));
        assert_eq!(json["user_id"], "u1");
        assert_eq!(json["goods_id"], "g1");
        assert_eq!(json["event_id"].as_str().unwrap().len(), 26);
        assert!(json["occurred_at"].as_str().unwrap().ends_with('Z'));
        let back: Envelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn dotted_types_travel_as_written() {
        let asked = Event::PasswordResetRequested(PasswordResetRequested {
            email: "li@example.com".into(),
        });
        assert_eq!(
            serde_json::to_value(&asked).unwrap()["type"],
            "account.password_reset_requested"
        );
        assert_eq!(asked.name(), "account.password_reset_requested");
    }

    #[test]
    fn an_event_whose_data_does_not_fit_its_type_is_refused() {
        let body = r#"{"event_id": "e", "type": "purchase", "occurred_at": "2026-11-25T12:00:00Z", "data": {"quantity": 1}}"#;
        assert!(serde_json::from_str::<Envelope>(body).is_err());
        let body = r#"{"event_id": "e", "type": "view", "occurred_at": "2026-11-25T12:00:00Z", "data": {}}"#;
        let view: Envelope = serde_json::from_str(body).unwrap();
        assert_eq!(view.event, Event::View(Viewed {}));
    }
}
