//! SQS consumers: the batch a queue's event source mapping delivers
//! (`aws_lambda_events`' [`SqsEvent`]) and the partial batch response
//! ([`SqsBatchResponse`], with `ReportBatchItemFailures`) that keeps the messages named in
//! it on the queue, to come back after their visibility timeout and, past the queue's
//! `maxReceiveCount`, to move to its dead-letter queue. Everything else is deleted.
//!
//! [`Batch::parse`] is the one way a consumer reads its batch: every message whose body
//! is not an [`Envelope`] is reported as failed (and logged) at once, so a malformed
//! message never holds back the rest; the consumer applies the others and reports its
//! own failures with [`Batch::fail`].

use aws_lambda_events::event::sqs::BatchItemFailure;
pub use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};

use crate::events::Envelope;

/// What a consumer's handler returns: the partial batch response, or an error that
/// fails the whole batch (none of ours does: every failure is reported per message).
pub type Answer = Result<SqsBatchResponse, lambda_http::lambda_runtime::Error>;

/// One delivered event.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivered {
    /// What a failure is reported by.
    pub message_id: String,
    /// The event in the body.
    pub envelope: Envelope,
}

/// A batch being applied: the events it holds and the failures reported so far.
#[derive(Debug, Default)]
pub struct Batch {
    /// The well-formed events, in delivery order.
    pub events: Vec<Delivered>,
    /// Messages to leave on the queue.
    pub response: SqsBatchResponse,
    /// How many messages the batch held.
    pub size: usize,
}

impl Batch {
    /// Reads the batch; messages that are not events are reported as failed.
    pub fn parse(event: SqsEvent) -> Self {
        // A batch is one invocation: its requests are counted from here to `finish`.
        crate::metrics::reset();
        let mut batch = Self {
            size: event.records.len(),
            ..Self::default()
        };
        for message in event.records {
            let message_id = message.message_id.unwrap_or_default();
            let body = message.body.unwrap_or_default();
            match serde_json::from_str::<Envelope>(&body) {
                Ok(envelope) => batch.events.push(Delivered {
                    message_id,
                    envelope,
                }),
                Err(e) => {
                    tracing::warn!(%message_id, error = %e, "not an event; left for the dead-letter queue");
                    batch.fail(&message_id);
                }
            }
        }
        batch
    }

    /// A batch of `size` messages that are not events (S3's notifications), for a
    /// consumer that reads its messages itself and reports through [`Batch::fail`].
    pub fn of_size(size: usize) -> Self {
        crate::metrics::reset();
        Self {
            size,
            ..Self::default()
        }
    }

    /// Reports a message as failed (once, however often it is named).
    pub fn fail(&mut self, message_id: &str) {
        let failures = &mut self.response.batch_item_failures;
        if !failures.iter().any(|f| f.item_identifier == message_id) {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id.to_owned();
            failures.push(failure);
        }
    }

    /// Reports a well-formed event that is not what this consumer takes (`what`, such
    /// as "a goods change"): it goes on to the dead-letter queue.
    pub fn reject(&mut self, delivered: &Delivered, what: &str) {
        tracing::warn!(message_id = %delivered.message_id, event_id = %delivered.envelope.event_id,
            "not {what}; left for the dead-letter queue");
        self.fail(&delivered.message_id);
    }

    /// Reports an event whose work failed (a store or a mail error): it comes back after
    /// the visibility timeout.
    pub fn retry(&mut self, delivered: &Delivered, error: &(dyn std::error::Error + 'static)) {
        tracing::error!(event_id = %delivered.envelope.event_id, error = %crate::error::ErrorChain(error),
            "event not applied; it comes back");
        self.fail(&delivered.message_id);
    }

    /// The response, after logging one line for the batch, with the AWS requests it made.
    pub fn finish(self, function: &str) -> SqsBatchResponse {
        let counts = crate::metrics::counts();
        tracing::info!(
            function,
            messages = self.size,
            failed = self.response.batch_item_failures.len(),
            dynamodb = counts.dynamodb,
            sqs = counts.sqs,
            ses = counts.ses,
            "batch done"
        );
        self.response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str, body: &str) -> serde_json::Value {
        serde_json::json!({"messageId": id, "body": body})
    }

    #[test]
    fn malformed_messages_fail_at_once_and_each_failure_is_named_once() {
        let view = r#"{"event_id": "e1", "type": "view", "occurred_at": "2026-11-25T12:00:00Z", "data": {}}"#;
        let event: SqsEvent = serde_json::from_value(serde_json::json!({"Records": [
            message("a", view), message("b", "{not json"), message("c", r#"{"type": "view"}"#)
        ]}))
        .unwrap();
        let mut batch = Batch::parse(event);
        assert_eq!(batch.events.len(), 1);
        assert_eq!(batch.events[0].message_id, "a");
        batch.fail("a");
        batch.fail("a");
        let failed: Vec<String> = batch
            .finish("test")
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect();
        assert_eq!(failed, ["b", "c", "a"]);
    }
}
