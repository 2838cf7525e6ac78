//! DynamoDB Streams consumer of the goods table: brings the search index in line with
//! each goods item whose searchable fields a write changed (see `shop::search`).
//!
//! Every write of the goods table reaches it through the table's stream, so a change
//! that was written can't be lost on its way to search, whatever queue was down. A
//! record only names the goods: the indexer reads their current state, so a batch that
//! changes one item several times indexes it once, and a redelivered batch changes
//! nothing. Writes that leave name, description, category, price and deletion as they
//! were (stock moved by orders, ratings) are skipped without a request. Goods whose
//! indexing failed stop the batch at their first record, which the mapping retries.

use std::collections::BTreeMap;

use lambda_runtime::LambdaEvent;
use shop::error::ErrorChain;
use shop::search::index::{Indexer, Outcome};
use shop::stream::{self, DynamoDbEventResponse, EventRecord, StreamEvent};

/// What the function needs, built once per cold start.
pub type Context = Indexer;

/// The attributes the index is built from.
const SEARCHED: [&str; 5] = ["name", "description", "category", "price", "deleted_at"];

/// Whether a record changed what the index holds of its goods.
pub fn changes_the_index(record: &EventRecord) -> bool {
    let (old, new) = (&record.change.old_image, &record.change.new_image);
    old.is_empty() || new.is_empty() || SEARCHED.iter().any(|a| old.get(*a) != new.get(*a))
}

/// Indexes each goods item the batch's records changed, once however often they name it.
///
/// # Errors
/// Never: a failure is reported as the record to retry from.
pub async fn handler(indexer: &Indexer, event: LambdaEvent<StreamEvent>) -> stream::Answer {
    shop::metrics::reset();
    let records = event.payload.records;
    // Each goods item with the first record that changed it.
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in records.iter().enumerate() {
        let goods_id = match record.change.keys.get("goods_id") {
            Some(serde_dynamo::AttributeValue::S(id)) => id,
            _ => continue,
        };
        if changes_the_index(record) {
            first.entry(goods_id.clone()).or_insert(i);
        }
    }
    let syncs = first
        .keys()
        .map(|goods_id| async move { (goods_id, indexer.sync(goods_id).await) });
    let mut retry_from: Option<usize> = None;
    for (goods_id, result) in futures::future::join_all(syncs).await {
        match result {
            Ok(Outcome::Applied) => tracing::info!(%goods_id, "indexed"),
            Ok(Outcome::UpToDate) => tracing::debug!(%goods_id, "already up to date"),
            Err(e) => {
                tracing::error!(%goods_id, error = %ErrorChain(&e), "indexing failed; the batch is retried from it");
                let at = first[goods_id];
                retry_from = Some(retry_from.map_or(at, |r| r.min(at)));
            }
        }
    }
    let response = retry_from.map_or_else(DynamoDbEventResponse::default, |i| {
        stream::retry_from(&records[i])
    });
    Ok(stream::finish("index-goods", records.len(), response))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> StreamEvent {
        serde_json::from_str(include_str!("../../../events/index-goods/valid.json")).unwrap()
    }

    #[test]
    fn a_new_item_a_renamed_one_and_a_deleted_one_change_the_index() {
        let records = batch().records;
        let changed: Vec<&str> = records
            .iter()
            .filter(|r| changes_the_index(r))
            .map(|r| r.event_name.as_str())
            .collect();
        assert_eq!(changed, ["INSERT", "MODIFY", "REMOVE"]);
    }

    #[test]
    fn a_stock_change_leaves_the_index_alone() {
        let records = batch().records;
        let stock_only = records
            .iter()
            .find(|r| r.event_id == "stock-moved")
            .unwrap();
        assert!(!changes_the_index(stock_only));
    }
}
