//! SQS consumer of the goods-changes queue: brings the search index in line with each
//! changed goods item (see `shop::search`).
//!
//! The event only names the goods: the indexer reads their current state, so a batch
//! holding several changes of one item indexes it once, and redelivered or out-of-order
//! events change nothing. A malformed message, or goods whose indexing failed, is
//! reported as a batch item failure; after the queue's `maxReceiveCount` it moves to the
//! dead-letter queue, and the rest of the batch is applied either way.

use std::collections::BTreeMap;

use lambda_runtime::LambdaEvent;
use shop::aws::Aws;
use shop::config::ConfigError;
use shop::consumer::{BatchResponse, SqsEvent};
use shop::error::ErrorChain;
use shop::events::EventType;
use shop::ids::is_id;
use shop::search::index::{Indexer, Outcome};

/// What the function needs, built once per cold start.
pub struct Context {
    indexer: Indexer,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or invalid variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            indexer: Indexer::from_env(Aws::from_env()?.dynamodb())?,
        })
    }
}

/// Handles one batch.
///
/// # Errors
/// Never: every failure is reported per message.
pub async fn handler(
    ctx: &Context,
    event: LambdaEvent<SqsEvent>,
) -> Result<BatchResponse, lambda_runtime::Error> {
    let mut response = BatchResponse::default();
    let mut by_goods: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for message in &event.payload.records {
        let goods_id = message.envelope().ok().and_then(|e| {
            matches!(
                e.event_type,
                EventType::GoodsCreated | EventType::GoodsUpdated | EventType::GoodsDeleted
            )
            .then_some(e.goods_id)
            .flatten()
            .filter(|id| is_id(id))
        });
        match goods_id {
            Some(id) => by_goods.entry(id).or_default().push(&message.message_id),
            None => {
                tracing::warn!(message_id = %message.message_id, "not a goods change; left for the dead-letter queue");
                response.fail(&message.message_id);
            }
        }
    }
    let results = futures::future::join_all(
        by_goods
            .keys()
            .map(|goods_id| async move { (goods_id, ctx.indexer.sync(goods_id).await) }),
    )
    .await;
    for (goods_id, result) in results {
        match result {
            Ok(Outcome::Applied) => tracing::info!(%goods_id, "indexed"),
            Ok(Outcome::UpToDate) => tracing::debug!(%goods_id, "already up to date"),
            Err(e) => {
                tracing::error!(%goods_id, error = %ErrorChain(&e), "indexing failed");
                for message_id in &by_goods[goods_id] {
                    response.fail(message_id);
                }
            }
        }
    }
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
        let event: SqsEvent =
            serde_json::from_str(include_str!("../../../events/index-goods/malformed.json"))
                .unwrap();
        let answer = handler(&ctx, LambdaEvent::new(event, Default::default()))
            .await
            .unwrap();
        let failed: Vec<&str> = answer
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["not-json", "not-a-goods-change", "no-goods-id"]);
    }
}
