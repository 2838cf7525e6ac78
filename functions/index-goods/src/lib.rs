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
use shop::consumer::{self, Batch, SqsEvent};
use shop::error::ErrorChain;
use shop::ids::is_id;
use shop::search::index::{Indexer, Outcome};

/// What the function needs, built once per cold start.
pub type Context = Indexer;

/// Indexes each goods item the batch's changes name, once however often it is named.
///
/// # Errors
/// Never: every failure is reported per message.
pub async fn handler(indexer: &Indexer, event: LambdaEvent<SqsEvent>) -> consumer::Answer {
    let mut batch = Batch::parse(event.payload);
    let mut by_goods: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for delivered in std::mem::take(&mut batch.events) {
        let envelope = &delivered.envelope;
        let goods_id = envelope.goods_id.clone().filter(|id| is_id(id));
        match goods_id.filter(|_| envelope.event.is_goods_change()) {
            Some(id) => by_goods.entry(id).or_default().push(delivered.message_id),
            None => batch.reject(&delivered, "a goods change"),
        }
    }
    let syncs = by_goods
        .keys()
        .map(|goods_id| async move { (goods_id, indexer.sync(goods_id).await) });
    for (goods_id, result) in futures::future::join_all(syncs).await {
        match result {
            Ok(Outcome::Applied) => tracing::info!(%goods_id, "indexed"),
            Ok(Outcome::UpToDate) => tracing::debug!(%goods_id, "already up to date"),
            Err(e) => {
                tracing::error!(%goods_id, error = %ErrorChain(&e), "indexing failed");
                for message_id in &by_goods[goods_id] {
                    batch.fail(message_id);
                }
            }
        }
    }
    Ok(batch.finish("index-goods"))
}

#[test]
fn the_valid_fixture_is_a_batch_of_goods_changes() {
    let events = shop::testing::well_formed_batch(shop::fixture!("valid"));
    assert!(events.iter().all(|d| d.envelope.event.is_goods_change()));
}

shop::batch_answers! {
    malformed_messages_are_reported_without_touching_the_store: "malformed" => ["no-goods-id", "not-a-goods-change", "not-json"];
}
