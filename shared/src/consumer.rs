//! SQS consumers: the event a queue's event source mapping delivers, and the partial
//! batch response (`ReportBatchItemFailures`) that keeps the messages named in it on the
//! queue, to come back after their visibility timeout and, past the queue's
//! `maxReceiveCount`, to move to its dead-letter queue. Everything else is deleted.

use serde::{Deserialize, Serialize};

use crate::events::Envelope;

/// An SQS event (only what the consumers read).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SqsEvent {
    /// The batch.
    #[serde(rename = "Records", default)]
    pub records: Vec<SqsMessage>,
}

/// One message of a batch.
#[derive(Debug, Clone, Deserialize)]
pub struct SqsMessage {
    /// What a failure is reported by.
    #[serde(rename = "messageId")]
    pub message_id: String,
    /// The message body.
    #[serde(default)]
    pub body: String,
}

impl SqsMessage {
    /// The event envelope in the body.
    ///
    /// # Errors
    /// When the body isn't one.
    pub fn envelope(&self) -> Result<Envelope, serde_json::Error> {
        serde_json::from_str(&self.body)
    }
}

/// The partial batch response.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BatchResponse {
    /// Messages to leave on the queue.
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

/// A message to leave on the queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchItemFailure {
    /// Its `messageId`.
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

impl BatchResponse {
    /// Reports a message as failed.
    pub fn fail(&mut self, message_id: &str) {
        if !self
            .batch_item_failures
            .iter()
            .any(|f| f.item_identifier == message_id)
        {
            self.batch_item_failures.push(BatchItemFailure {
                item_identifier: message_id.to_owned(),
            });
        }
    }
}
