//! Writing the index: [`Indexer::sync`] brings one goods item's postings, document item
//! and counters in line with the goods' current state.
//!
//! # Exactly-once counters without one big transaction
//! A change can touch hundreds of items (two postings per term, one `df` counter per
//! term), more than a transaction holds, and postings are written with BatchWriteItem.
//! So a change is applied as a **plan** stored on the document item:
//! 1. One transaction records the plan (the target version and the new document) on the
//!    document item, on condition that its version is still the one read and no plan is
//!    pending, and moves the corpus statistics (`n`, field lengths) by the difference.
//! 2. Postings are put and deleted. These writes are idempotent, so repeating them is
//!    harmless.
//! 3. The counters (a term's `df` and its per-field counts move in one update of its
//!    counter item) move in transactions of up to 99 counters, each also advancing the
//!    plan's `step` on condition that it is still the step this transaction follows, so
//!    each batch of counters moves once. The last transaction makes the plan the
//!    document's committed state and removes it. A document indexed before per-field
//!    counts counted only `df`: the plan that rewrites it (a reindex) adds its terms'
//!    per-field counts, and a term's are used once all its documents are counted.
//!
//! Anyone who finds a plan pending (an invocation that died, or one racing this one)
//! finishes it first: everything it needs is on the document item. A failed condition
//! means someone else moved on, so the loop reads again. Queries trust only the committed
//! state, so postings written ahead of it are ignored until the last step.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use futures::{StreamExt, TryStreamExt};

use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, TransactWriteItem, Update, WriteRequest,
};
use aws_sdk_dynamodb::Client;

use super::analysis::{Analyzer, Mode};
use super::table::{df_key, doc_key, stats_key, stats_shard, DocItem, Plan, COUNTERS};
pub use super::table::{Counts, Doc, SearchTable, Stats, STATS_SHARDS};
use super::{
    category_key, pack_tf, posting_sk, suggest, typo, Bm25, IMPACT_SCALE, REFERENCE_AVERAGES,
};
use crate::catalogue::repo::{GoodsRecord, GoodsRepo};
use crate::config::ConfigError;
use crate::store::{
    backoff, batch_get, batch_write, cancellation, number_value, string_value, transact, Item,
    StoreError,
};

/// Distinct terms indexed per goods item: the highest-impact ones (a name and category
/// always fit; a 5,000-character description is cut).
pub const MAX_DOC_TERMS: usize = 256;
/// Counter updates per transaction (one more item is the document's).
const DF_PER_TRANSACTION: usize = 99;
/// Typo-dictionary requests in flight at once.
const FILING_CONCURRENCY: usize = 4;
/// Attempts before an invocation gives up and lets SQS redeliver.
const MAX_ATTEMPTS: u32 = 10;

/// A counter item's key, and how much each of its attributes moves.
type CounterUpdate = (Item, Vec<(&'static str, i64)>);

/// What [`Indexer::sync`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The index already reflected the goods' current state.
    UpToDate,
    /// The index changed.
    Applied,
}

/// Keeps the index in line with the goods table.
pub struct Indexer {
    table: SearchTable,
    goods: GoodsRepo,
    analyzer: Analyzer,
    bm25: Bm25,
}

impl Indexer {
    /// Reads `SEARCH_TABLE`, `GOODS_TABLE` and the BM25 parameters, with a DynamoDB
    /// client of its own (for a function that needs nothing else).
    ///
    /// # Errors
    /// A missing or invalid variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::with_client(crate::aws::Aws::from_env()?.dynamodb())
    }

    /// Reads `SEARCH_TABLE`, `GOODS_TABLE` and the BM25 parameters; reads and writes
    /// through `client`.
    ///
    /// # Errors
    /// A missing or invalid variable, named.
    pub fn with_client(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(
            SearchTable::from_env(client.clone())?,
            GoodsRepo::from_env(client)?,
            Bm25::from_env()?,
        ))
    }

    /// An indexer of `table` for `goods`, with these BM25 parameters.
    pub fn new(table: SearchTable, goods: GoodsRepo, bm25: Bm25) -> Self {
        Self {
            table,
            goods,
            analyzer: Analyzer::new(),
            bm25,
        }
    }

    /// The document of live goods, with impacts against the reference lengths
    /// ([`REFERENCE_AVERAGES`]: what orders the posting lists).
    pub fn document(&self, goods: &GoodsRecord) -> Doc {
        let fields = [&goods.name, &goods.description, &goods.category]
            .map(|text| self.analyzer.terms(text, Mode::Document));
        // Lengths count what a query can use: the extra single characters a document
        // indexes for one-character queries don't make its text longer.
        let lens = [&goods.name, &goods.description, &goods.category]
            .map(|text| self.analyzer.terms(text, Mode::Query).len() as u64);
        let mut occurrences: HashMap<&str, [u32; 3]> = HashMap::new();
        for (field, terms) in fields.iter().enumerate() {
            for term in terms {
                occurrences.entry(term).or_default()[field] += 1;
            }
        }
        let averages = REFERENCE_AVERAGES.map(Some);
        let mut impacts: Vec<(String, u64, [u32; 3])> = occurrences
            .into_iter()
            .map(|(term, tf)| {
                let impact = self.bm25.impact(tf, lens, averages);
                (
                    term.to_owned(),
                    (impact * IMPACT_SCALE).round().max(1.0) as u64,
                    tf,
                )
            })
            .collect();
        if impacts.len() > MAX_DOC_TERMS {
            impacts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            impacts.truncate(MAX_DOC_TERMS);
        }
        let tf = impacts
            .iter()
            .map(|(term, _, tf)| (term.clone(), pack_tf(*tf)))
            .collect();
        let impacts = impacts.into_iter().map(|(term, impact, _)| (term, impact));
        Doc {
            terms: impacts.collect(),
            tf,
            cat: category_key(&goods.category),
            label: goods.category.trim().to_owned(),
            phrases: suggest::phrases(&goods.name),
            price: goods.price,
            lens,
            live: true,
            counted: true,
        }
    }

    /// Brings the index in line with the current state of `goods_id` (live, deleted or
    /// unknown). Idempotent; safe to run concurrently for the same goods.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails, or when racing writers kept it from finishing
    /// (SQS delivers the message again).
    pub async fn sync(&self, goods_id: &str) -> Result<Outcome, StoreError> {
        self.bring_in_line(goods_id, false).await
    }

    /// Like [`Indexer::sync`], and also rewrites a document that is up to date with the
    /// goods but whose impacts this indexer would compute differently (by more than
    /// [`super::table::IMPACT_TOLERANCE`]): after `k1`, `b` or the reference lengths
    /// changed; or that was indexed before its terms were counted per field
    /// ([`Doc::counted`]). What a reindex runs for every goods item.
    ///
    /// # Errors
    /// As [`Indexer::sync`].
    pub async fn refresh(&self, goods_id: &str) -> Result<Outcome, StoreError> {
        self.bring_in_line(goods_id, true).await
    }

    async fn bring_in_line(&self, goods_id: &str, refresh: bool) -> Result<Outcome, StoreError> {
        for attempt in 0..MAX_ATTEMPTS {
            let (current, goods) = tokio::join!(self.read(goods_id), self.goods.get_any(goods_id));
            let item = current?;
            let goods = goods?;
            if let Some(plan) = item.plan.clone() {
                if !self.finish(goods_id, &item.doc, &plan).await? {
                    backoff(attempt).await;
                }
                continue;
            }
            let (ver, doc) = match &goods {
                Some(g) if g.deleted_at.is_none() => (g.updated_at.clone(), self.document(g)),
                Some(g) => (format!("deleted {}", g.updated_at), Doc::default()),
                None => ("absent".to_owned(), Doc::default()),
            };
            let same_version = item.ver.as_deref() == Some(ver.as_str());
            if (same_version && (!refresh || item.doc.in_step_with(&doc)))
                || (item.ver.is_none() && !doc.live)
            {
                if refresh {
                    // A reindex also files terms indexed before the typo dictionary was.
                    self.file_terms(self.named_terms(&item.doc).iter()).await?;
                }
                return Ok(Outcome::UpToDate);
            }
            let plan = Plan { ver, doc, step: 0 };
            if self.record(goods_id, &item, &plan).await?
                && self.finish(goods_id, &item.doc, &plan).await?
            {
                return Ok(Outcome::Applied);
            }
            backoff(attempt).await;
        }
        Err(StoreError::new(
            "the search index kept changing under this update",
        ))
    }

    /// The document item (a consistent read; a default one when there is none).
    async fn read(&self, goods_id: &str) -> Result<DocItem, StoreError> {
        let items = batch_get(
            &self.table.client,
            &self.table.table,
            vec![doc_key(goods_id)],
            None,
            true,
        )
        .await?;
        Ok(match items.into_iter().next() {
            Some(item) => serde_dynamo::from_item(item)?,
            None => DocItem::default(),
        })
    }

    /// Step 1: records the plan and moves the statistics. False when the document
    /// changed since it was read.
    async fn record(
        &self,
        goods_id: &str,
        item: &DocItem,
        plan: &Plan,
    ) -> Result<bool, StoreError> {
        let old = &item.doc;
        let mut values =
            HashMap::from([(":plan".to_owned(), serde_dynamo::to_attribute_value(plan)?)]);
        let condition = match &item.ver {
            Some(ver) => {
                values.insert(":ver".to_owned(), string_value(ver));
                "ver = :ver AND attribute_not_exists(#plan)"
            }
            None => "attribute_not_exists(ver) AND attribute_not_exists(#plan)",
        };
        let mut writes = vec![TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.table.table)
                    .set_key(Some(doc_key(goods_id)))
                    .update_expression("SET #plan = :plan")
                    .condition_expression(condition)
                    .expression_attribute_names("#plan", "plan")
                    .set_expression_attribute_values(Some(values))
                    .build()
                    .map_err(StoreError::new)?,
            )
            .build()];
        let live = |d: &Doc| i64::from(d.live);
        let delta = |f: usize| plan.doc.lens[f] as i64 - old.lens[f] as i64;
        if live(&plan.doc) != live(old) || (0..3).any(|f| delta(f) != 0) {
            writes.push(
                TransactWriteItem::builder()
                    .update(
                        Update::builder()
                            .table_name(&self.table.table)
                            .set_key(Some(stats_key(stats_shard(goods_id))))
                            .update_expression("ADD n :n, len0 :l0, len1 :l1, len2 :l2")
                            .expression_attribute_values(
                                ":n",
                                number_value(live(&plan.doc) - live(old)),
                            )
                            .expression_attribute_values(":l0", number_value(delta(0)))
                            .expression_attribute_values(":l1", number_value(delta(1)))
                            .expression_attribute_values(":l2", number_value(delta(2)))
                            .build()
                            .map_err(StoreError::new)?,
                    )
                    .build(),
            );
        }
        self.conditional(writes).await
    }

    /// Steps 2 and 3: postings, then counters and the commit. False when another
    /// invocation moved the plan on first.
    async fn finish(&self, goods_id: &str, old: &Doc, plan: &Plan) -> Result<bool, StoreError> {
        let new = &plan.doc;
        let (before, after) = (old.postings(), new.postings());
        let mut writes: Vec<WriteRequest> = Vec::new();
        for (pk, impact) in before.difference(&after) {
            let key = HashMap::from([
                ("pk".to_owned(), string_value(pk)),
                ("sk".to_owned(), string_value(posting_sk(*impact, goods_id))),
            ]);
            writes.push(
                WriteRequest::builder()
                    .delete_request(
                        DeleteRequest::builder()
                            .set_key(Some(key))
                            .build()
                            .map_err(StoreError::new)?,
                    )
                    .build(),
            );
        }
        // A posting carries its goods' price (for price filters) and name terms (for the
        // conjunctive probe of a query of several words).
        let named = new.name_terms();
        let rewrite = old.price != new.price || old.name_terms() != named;
        for (pk, impact) in &after {
            if !rewrite && before.contains(&(pk.clone(), *impact)) {
                continue;
            }
            let mut item = HashMap::from([
                ("pk".to_owned(), string_value(pk)),
                ("sk".to_owned(), string_value(posting_sk(*impact, goods_id))),
                ("p".to_owned(), number_value(new.price)),
            ]);
            if !named.is_empty() {
                item.insert(
                    "n".to_owned(),
                    AttributeValue::Ss(named.iter().cloned().collect()),
                );
            }
            writes.push(crate::store::put_request(item)?);
        }
        batch_write(&self.table.client, &self.table.table, writes).await?;

        let (old_named, new_named) = (self.named_terms(old), self.named_terms(new));
        self.file_terms(new_named.difference(&old_named)).await?;
        // Counters in one order every finisher of this plan agrees on: each term's (`df`
        // and its per-field counts), then the suggestions' by prefix and phrase.
        let mut counters: BTreeMap<(u8, String, String), CounterUpdate> = BTreeMap::new();
        let (old_counts, new_counts) = (old.counts(), new.counts());
        let terms: BTreeSet<&&String> = old_counts.keys().chain(new_counts.keys()).collect();
        for term in terms {
            let (was, is) = (old_counts.get(term), new_counts.get(term));
            let deltas: Vec<(&'static str, i64)> = COUNTERS
                .iter()
                .enumerate()
                .map(|(i, name)| (*name, is.map_or(0, |c| c[i]) - was.map_or(0, |c| c[i])))
                .filter(|(_, delta)| *delta != 0)
                .collect();
            if !deltas.is_empty() {
                counters.insert((0, (*term).clone(), String::new()), (df_key(term), deltas));
            }
        }
        for (phrase, delta) in new
            .phrases
            .difference(&old.phrases)
            .map(|p| (p, 1))
            .chain(old.phrases.difference(&new.phrases).map(|p| (p, -1)))
        {
            for prefix in suggest::prefixes(phrase) {
                let key = suggest::counter_key(&prefix, phrase);
                counters.insert((1, prefix, phrase.clone()), (key, vec![("sn", delta)]));
            }
        }
        let counters: Vec<CounterUpdate> = counters.into_values().collect();
        let chunks: Vec<&[CounterUpdate]> = if counters.is_empty() {
            vec![&[]]
        } else {
            counters.chunks(DF_PER_TRANSACTION).collect()
        };
        let last = chunks.len() as u32 - 1;
        for (step, chunk) in chunks.into_iter().enumerate().skip(plan.step as usize) {
            let step = step as u32;
            let doc_update = Update::builder()
                .table_name(&self.table.table)
                .set_key(Some(doc_key(goods_id)))
                .condition_expression("#plan.ver = :pver AND #plan.step = :step")
                .expression_attribute_names("#plan", "plan")
                .expression_attribute_values(":pver", string_value(&plan.ver))
                .expression_attribute_values(":step", number_value(step));
            let doc_update = if step == last {
                doc_update
                    .update_expression("SET ver = :pver, doc = :doc REMOVE #plan")
                    .expression_attribute_values(":doc", serde_dynamo::to_attribute_value(new)?)
            } else {
                doc_update
                    .update_expression("SET #plan.step = :next")
                    .expression_attribute_values(":next", number_value(step + 1))
            };
            let mut writes = vec![TransactWriteItem::builder()
                .update(doc_update.build().map_err(StoreError::new)?)
                .build()];
            for (key, deltas) in chunk {
                writes.push(self.add(key, deltas)?);
            }
            if !self.conditional(writes).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The terms of a document's name and category: what the typo dictionary holds
    /// (shoppers type the names of things; descriptions add mostly noise, and every
    /// term filed costs its deletes' writes).
    fn named_terms(&self, doc: &Doc) -> BTreeSet<String> {
        doc.phrases
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(doc.label.as_str()))
            .flat_map(|text| self.analyzer.terms(text, Mode::Query))
            .filter(|term| doc.terms.contains_key(term))
            .collect()
    }

    /// Files terms new to a document's name in the typo dictionary ([`super::typo`]), unless
    /// their `df` counter says they are filed already; marks them filed after. Idempotent:
    /// run again by whoever finishes a plan an invocation left.
    async fn file_terms(&self, terms: impl Iterator<Item = &String>) -> Result<(), StoreError> {
        let terms: Vec<(&String, BTreeSet<String>)> = terms
            .map(|t| (t, typo::filed_under(t)))
            .filter(|(_, deletes)| !deletes.is_empty())
            .collect();
        if terms.is_empty() {
            return Ok(());
        }
        let names = HashMap::from([
            ("#pk".to_owned(), "pk".to_owned()),
            ("#v".to_owned(), "v".to_owned()),
        ]);
        let filed: HashSet<String> = batch_get(
            &self.table.client,
            &self.table.table,
            terms.iter().map(|(t, _)| df_key(t)).collect(),
            Some(("#pk, #v", names)),
            false,
        )
        .await?
        .into_iter()
        .filter(|item| item.contains_key("v"))
        .filter_map(|item| match item.get("pk") {
            Some(AttributeValue::S(pk)) => pk.strip_prefix("F#").map(str::to_owned),
            _ => None,
        })
        .collect();
        let todo: Vec<(&String, BTreeSet<String>)> = terms
            .into_iter()
            .filter(|(t, _)| !filed.contains(t.as_str()))
            .collect();
        // One update per delete (its terms added at once), up to 100 to a transaction:
        // a term costs its deletes' write units, not as many requests. Then the terms
        // are marked filed, likewise.
        let mut entries: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (term, deletes) in &todo {
            for delete in deletes {
                entries
                    .entry(delete.clone())
                    .or_default()
                    .push((*term).clone());
            }
        }
        let updates: Vec<(Item, &str, AttributeValue)> = entries
            .into_iter()
            .map(|(delete, terms)| {
                (
                    typo::delete_key(&delete),
                    "ADD t :v",
                    AttributeValue::Ss(terms),
                )
            })
            .collect();
        self.transact_all(updates).await?;
        let marks = todo
            .iter()
            .map(|(term, _)| (df_key(term), "SET v = :v", number_value(1)))
            .collect();
        self.transact_all(marks).await
    }

    /// Runs the updates (key, expression, its `:v`), 100 to a transaction, a few
    /// transactions at once, each retried when it collides with another indexer's.
    async fn transact_all(
        &self,
        updates: Vec<(Item, &str, AttributeValue)>,
    ) -> Result<(), StoreError> {
        futures::stream::iter(updates.chunks(100))
            .map(|chunk| self.transact_chunk(chunk))
            .buffer_unordered(FILING_CONCURRENCY)
            .try_collect::<Vec<_>>()
            .await?;
        Ok(())
    }

    async fn transact_chunk(
        &self,
        chunk: &[(Item, &str, AttributeValue)],
    ) -> Result<(), StoreError> {
        let writes = chunk
            .iter()
            .map(|(key, expression, value)| self.update(key, expression, value.clone()))
            .collect::<Result<Vec<_>, StoreError>>()?;
        for attempt in 0..MAX_ATTEMPTS {
            if self.conditional(writes.clone()).await? {
                return Ok(());
            }
            backoff(attempt).await;
        }
        Err(StoreError::new(
            "filing terms in the typo dictionary kept colliding",
        ))
    }

    /// A transaction's update of the index item `key`: `expression`, its value `:v`.
    fn update(
        &self,
        key: &Item,
        expression: &str,
        value: AttributeValue,
    ) -> Result<TransactWriteItem, StoreError> {
        Ok(TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.table.table)
                    .set_key(Some(key.clone()))
                    .update_expression(expression)
                    .expression_attribute_values(":v", value)
                    .build()
                    .map_err(StoreError::new)?,
            )
            .build())
    }

    /// A transaction's update of the counter item `key`: each attribute moved by its delta.
    fn add(&self, key: &Item, deltas: &[(&str, i64)]) -> Result<TransactWriteItem, StoreError> {
        let expression = deltas
            .iter()
            .map(|(name, _)| format!("{name} :{name}"))
            .collect::<Vec<_>>()
            .join(", ");
        let values = deltas
            .iter()
            .map(|(name, delta)| (format!(":{name}"), number_value(delta)))
            .collect();
        Ok(TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.table.table)
                    .set_key(Some(key.clone()))
                    .update_expression(format!("ADD {expression}"))
                    .set_expression_attribute_values(Some(values))
                    .build()
                    .map_err(StoreError::new)?,
            )
            .build())
    }

    /// Runs a transaction whose first item carries the condition: false when that
    /// condition failed or another transaction collided with it.
    async fn conditional(&self, writes: Vec<TransactWriteItem>) -> Result<bool, StoreError> {
        match transact(&self.table.client, writes).await {
            Ok(()) => Ok(true),
            Err(e) => {
                cancellation(e)?;
                Ok(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::GoodsInput;
    use crate::search::unpack_tf;

    fn offline_indexer() -> Indexer {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .build();
        let client = Client::from_conf(config);
        Indexer::new(
            SearchTable::new(client.clone(), "search"),
            GoodsRepo::new(client, "goods"),
            Bm25::default(),
        )
    }

    #[test]
    fn a_document_keeps_each_terms_occurrences_and_they_give_back_its_impacts() {
        let fields = GoodsInput {
            name: Some("Red Kettle".into()),
            description: Some("A red kettle, as red as a fire engine".into()),
            price: Some(2500),
            currency: Some("GBP".into()),
            category: Some("Kitchen".into()),
            stock: Some(3),
            images: None,
        }
        .validate(&[])
        .unwrap();
        let goods = GoodsRecord::new(
            "01JDQ000000000000000000001".into(),
            "merchant".into(),
            fields,
            "2026-12-07T10:00:00Z",
        );
        let doc = offline_indexer().document(&goods);
        assert_eq!(unpack_tf(doc.tf["red"]), [1, 2, 0]);
        assert_eq!(unpack_tf(doc.tf["kitchen"]), [0, 0, 1]);
        assert_eq!(
            doc.tf.keys().collect::<Vec<_>>(),
            doc.terms.keys().collect::<Vec<_>>()
        );
        // Against the reference lengths, what a search computes from the occurrences is
        // the impact the postings were written with.
        let reference = REFERENCE_AVERAGES.map(Some);
        for (term, &impact) in &doc.terms {
            let again = Bm25::default().impact(unpack_tf(doc.tf[term]), doc.lens, reference);
            assert_eq!((again * IMPACT_SCALE).round() as u64, impact, "{term}");
        }
    }
}
