//! SQS consumer of the behaviour queue (`view`, `cart`, `purchase`): applies each event
//! to the item-to-item similarity model (`shop::recs`), exactly once per event id.
//!
//! Messages are applied one after another, in the batch's order, so that one user's
//! events meet their window in order. A malformed message (not an event envelope, an
//! unknown type, no user or goods, a bad timestamp) is reported as a batch item failure:
//! after the queue's `maxReceiveCount` it moves to the dead-letter queue, and it never
//! holds back the rest of its batch. An event that failed on DynamoDB is reported the same
//! way and comes back after the visibility timeout.

use lambda_runtime::LambdaEvent;
use shop::aws::Aws;
use shop::config::ConfigError;
use shop::consumer::{BatchResponse, SqsEvent, SqsMessage};
use shop::error::ErrorChain;
use shop::events::EventType;
use shop::ids::is_id;
use shop::recs::model::Kind;
use shop::recs::store::{Applied, Interaction, RecsStore};

/// What the function needs, built once per cold start.
pub struct Context {
    store: RecsStore,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            store: RecsStore::from_env(Aws::from_env()?.dynamodb())?,
        })
    }
}

/// The interaction a message carries, if it is a well-formed behaviour event.
pub fn interaction(message: &SqsMessage) -> Option<Interaction> {
    let event = message.envelope().ok()?;
    let kind = match event.event_type {
        EventType::View => Kind::Viewed,
        EventType::Cart => Kind::InCart,
        EventType::Purchase => Kind::Bought,
        _ => return None,
    };
    let at = shop::clock::parse_rfc3339(&event.occurred_at)?.unix_timestamp();
    let user_id = event.user_id.filter(|u| is_id(u))?;
    let goods_id = event.goods_id.filter(|g| is_id(g))?;
    (!event.event_id.is_empty() && event.event_id.len() <= 64).then_some(Interaction {
        event_id: event.event_id,
        user_id,
        goods_id,
        kind,
        at,
    })
}

/// Handles one batch.
///
/// # Errors
/// Never: every failure is reported per message.
pub async fn handler(
    ctx: &Context,
    event: LambdaEvent<SqsEvent>,
) -> Result<BatchResponse, lambda_runtime::Error> {
    let started = std::time::Instant::now();
    let mut response = BatchResponse::default();
    for message in &event.payload.records {
        let Some(interaction) = interaction(message) else {
            tracing::warn!(message_id = %message.message_id, "not a behaviour event; left for the dead-letter queue");
            response.fail(&message.message_id);
            continue;
        };
        match ctx.store.apply(&interaction).await {
            Ok(Applied::Applied) => {}
            Ok(Applied::Duplicate) => {
                tracing::info!(event_id = %interaction.event_id, "already applied")
            }
            Err(e) => {
                tracing::error!(event_id = %interaction.event_id, error = %ErrorChain(&e), "event not applied");
                response.fail(&message.message_id);
            }
        }
    }
    tracing::info!(
        messages = event.payload.records.len(),
        failed = response.batch_item_failures.len(),
        duration_ms = started.elapsed().as_millis() as u64,
        "batch done"
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop::testing::offline_env;

    #[tokio::test]
    async fn malformed_messages_are_reported_without_touching_the_store() {
        offline_env();
        let ctx = Context::from_env().unwrap();
        let event: SqsEvent = serde_json::from_str(include_str!(
            "../../../events/learn-similarity/malformed.json"
        ))
        .unwrap();
        let answer = handler(&ctx, LambdaEvent::new(event, Default::default()))
            .await
            .unwrap();
        let failed: Vec<&str> = answer
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["not-json", "goods-change", "no-user", "bad-time"]);
    }
}
