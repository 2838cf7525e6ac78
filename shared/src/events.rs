//! Events that other features react to, published to SQS in one envelope:
//!
//! ```json
//! {"event_id": "01J…", "type": "view", "occurred_at": "2026-11-25T12:00:00Z",
//!  "user_id": "01J…", "goods_id": "01J…", "data": {…}}
//! ```
//!
//! `event_id` is a fresh ULID per event: consumers deduplicate on it, since SQS delivers
//! at least once. Two queues carry them: the behaviour queue (`view`, `cart`, `purchase`:
//! what recommendations learn from) and the goods-changes queue (`goods.created`,
//! `goods.updated`, `goods.deleted`: what search and recommendations keep in step with).
//!
//! Publishing is best effort by design where the contract says so (a view must never
//! fail a read): [`Publisher::publish_or_log`] logs a failure and goes on.

use aws_sdk_sqs::types::MessageAttributeValue;
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::config::{self, ConfigError};
use crate::error::{BoxError, ErrorChain};
use crate::ids::new_id;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    /// A signed-in user viewed goods.
    #[serde(rename = "view")]
    View,
    /// A user put goods in the cart.
    #[serde(rename = "cart")]
    Cart,
    /// A user paid for goods (one event per order line).
    #[serde(rename = "purchase")]
    Purchase,
    /// A merchant created goods.
    #[serde(rename = "goods.created")]
    GoodsCreated,
    /// A merchant changed goods.
    #[serde(rename = "goods.updated")]
    GoodsUpdated,
    /// A merchant deleted goods.
    #[serde(rename = "goods.deleted")]
    GoodsDeleted,
}

impl EventType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Cart => "cart",
            Self::Purchase => "purchase",
            Self::GoodsCreated => "goods.created",
            Self::GoodsUpdated => "goods.updated",
            Self::GoodsDeleted => "goods.deleted",
        }
    }
}

/// The envelope every event travels in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique per event; the deduplication key.
    pub event_id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened (RFC 3339, UTC).
    pub occurred_at: String,
    /// Who did it, when someone signed in did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The goods concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_id: Option<String>,
    /// Type-specific details (the goods for goods changes, quantity for cart …).
    #[serde(default)]
    pub data: serde_json::Value,
}

impl Envelope {
    /// A new event happening now.
    pub fn new(
        event_type: EventType,
        user_id: Option<&str>,
        goods_id: Option<&str>,
        data: serde_json::Value,
    ) -> Self {
        Self {
            event_id: new_id(),
            event_type,
            occurred_at: clock::rfc3339(clock::now()),
            user_id: user_id.map(str::to_owned),
            goods_id: goods_id.map(str::to_owned),
            data,
        }
    }
}

/// Sends events to one queue.
#[derive(Debug, Clone)]
pub struct Publisher {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

impl Publisher {
    /// Publishes to the queue whose URL is in the variable `variable`
    /// (`EVENTS_QUEUE_URL` or `GOODS_CHANGES_QUEUE_URL`).
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
        let attribute = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(event.event_type.as_str())
            .build()?;
        self.sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(serde_json::to_string(event)?)
            .message_attributes("type", attribute)
            .send()
            .await?;
        Ok(())
    }

    /// Sends one event; a failure is logged, not returned.
    pub async fn publish_or_log(&self, event: &Envelope) {
        if let Err(e) = self.publish(event).await {
            tracing::error!(event_id = %event.event_id, event_type = event.event_type.as_str(),
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
            EventType::View,
            Some("u1"),
            Some("g1"),
            serde_json::json!({}),
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "view");
        assert_eq!(json["user_id"], "u1");
        assert_eq!(json["goods_id"], "g1");
        assert_eq!(json["event_id"].as_str().unwrap().len(), 26);
        assert!(json["occurred_at"].as_str().unwrap().ends_with('Z'));
        let back: Envelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn goods_changes_carry_dotted_types() {
        assert_eq!(
            serde_json::to_value(EventType::GoodsDeleted).unwrap(),
            "goods.deleted"
        );
    }
}
