//! Reading the index: top-k retrieval over impact-ordered postings with a fixed budget
//! (the layout and the argument are in the [module header](super)).
//!
//! 1. One BatchGetItem: each term's `df` and the corpus size, hence each term's `idf`.
//! 2. One Query per term (run concurrently) for the first page of its postings, best
//!    first: [`POSTING_BUDGET`] postings shared among the terms, at most [`MAX_PAGE`] each.
//!    A list read to its end is exact; a longer one is cut where the page stopped, and no
//!    posting beyond the cut scores more than the one at it (its *frontier*).
//! 3. The candidates — every document seen — are ranked by what they could score (their
//!    partial score plus, for each list they weren't seen in, that list's frontier), and
//!    the best [`MIN_CANDIDATES`] (or the depth asked for, if more) are scored exactly
//!    from their document items in one BatchGetItem per 100, projecting only the query's
//!    terms, with the current category, price and liveness for the filters.
//!
//! So a query makes `terms + 2` requests (`+ 1` per further 100 of depth past 100) and
//! reads at most `POSTING_BUDGET` postings, whatever the size of the catalogue and however
//! common its terms are. What the cut can lose is a document below the cut of every term
//! that still outscores those above it — one that has several common terms, each weakly;
//! the benchmark measures how often that costs the known item its rank.

use std::collections::HashMap;

use serde::Deserialize;

use super::table::{df_key, doc_key, stats_keys, Doc, SearchTable};
use super::{category_key, idf, parse_posting_sk, posting_pk, IMPACT_SCALE};
use aws_sdk_dynamodb::types::ReturnConsumedCapacity;

use crate::store::{
    batch_get_metered, number_attr, number_value, string_attr, string_value, Item, StoreError,
};

/// Distinct query terms used (the first ones).
pub const MAX_QUERY_TERMS: usize = 12;
/// Deepest result a query can page to.
pub const MAX_DEPTH: usize = 200;
/// Postings read per query, over all its terms.
pub const POSTING_BUDGET: usize = 1_000;
/// Postings read from one term (well within a Query's 1 MB page: a posting is ~50 bytes).
pub const MAX_PAGE: usize = 500;
/// Candidates scored exactly: one BatchGetItem.
pub const MIN_CANDIDATES: usize = 100;

/// A search.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Analysed, distinct query terms.
    pub terms: Vec<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Inclusive price bounds, minor units.
    pub min_price: Option<i64>,
    /// See `min_price`.
    pub max_price: Option<i64>,
    /// Results to skip.
    pub offset: usize,
    /// Results to return.
    pub limit: usize,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The goods as they are now.
    pub goods_id: String,
    /// BM25F score.
    pub score: f64,
}

/// What a search found, and what it cost.
#[derive(Debug, Clone, Default)]
pub struct SearchOutcome {
    /// Best first.
    pub hits: Vec<Hit>,
    /// Whether results exist beyond these.
    pub more: bool,
    /// DynamoDB requests made.
    pub requests: usize,
    /// Items read (postings, counters and documents).
    pub items_read: usize,
    /// Read capacity units consumed, as DynamoDB reports them (what AWS bills).
    pub read_units: f64,
}

/// A term's posting list being read.
struct List {
    idf: f64,
    pk: String,
    /// Highest impact not yet read (scaled).
    frontier: u64,
}

/// A document seen in some lists.
#[derive(Default)]
struct Candidate {
    partial: f64,
    seen: u32,
}

#[derive(Deserialize)]
struct DocProjection {
    goods_id_pk: Option<String>,
    #[serde(default)]
    doc: Doc,
}

impl SearchTable {
    /// Runs a search.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn search(
        &self,
        query: &SearchQuery,
        max_impact: u64,
    ) -> Result<SearchOutcome, StoreError> {
        let mut outcome = SearchOutcome::default();
        let terms: Vec<&String> = query.terms.iter().take(MAX_QUERY_TERMS).collect();
        let end = (query.offset + query.limit).min(MAX_DEPTH);
        if terms.is_empty() || query.offset >= end {
            return Ok(outcome);
        }
        let k = end + 1;

        // 1. idf of each term.
        let mut keys: Vec<Item> = terms.iter().map(|t| df_key(t)).collect();
        keys.extend(stats_keys());
        let (counters, units) =
            batch_get_metered(&self.client, &self.table, keys, None, false).await?;
        outcome.requests += 1;
        outcome.read_units += units;
        outcome.items_read += counters.len();
        let mut corpus = 0u64;
        let mut df: HashMap<String, u64> = HashMap::new();
        for item in &counters {
            let pk = string_attr(item, "pk");
            if pk.starts_with("STATS#") {
                corpus += number_attr(item, "n").max(0) as u64;
            } else if let Some(term) = pk.strip_prefix("F#") {
                df.insert(term.to_owned(), number_attr(item, "df").max(0) as u64);
            }
        }
        let category = query.category.as_deref().map(category_key);
        let mut lists: Vec<(&String, List)> = terms
            .iter()
            .filter(|t| df.get(t.as_str()).is_some_and(|&d| d > 0))
            .map(|t| {
                (
                    *t,
                    List {
                        idf: idf(corpus, df[t.as_str()]),
                        pk: posting_pk(t, category.as_deref()),
                        frontier: max_impact,
                    },
                )
            })
            .collect();
        if lists.is_empty() {
            return Ok(outcome);
        }

        // 2. One page of each term's postings, best first, all at once.
        let page = (POSTING_BUDGET / lists.len()).min(MAX_PAGE) as i32;
        let reads = lists.iter().map(|(_, l)| self.page(&l.pk, page, query));
        let mut candidates: HashMap<String, Candidate> = HashMap::new();
        for (i, read) in futures::future::join_all(reads)
            .await
            .into_iter()
            .enumerate()
        {
            let (items, frontier, scanned, units) = read?;
            outcome.requests += 1;
            outcome.read_units += units;
            outcome.items_read += scanned;
            let list = &mut lists[i].1;
            for item in &items {
                let Some((impact, goods_id)) = parse_posting_sk(string_attr(item, "sk")) else {
                    continue;
                };
                let c = candidates.entry(goods_id.to_owned()).or_default();
                if c.seen & (1 << i) == 0 {
                    c.seen |= 1 << i;
                    c.partial += list.idf * impact as f64;
                }
            }
            // Unread postings score at most where the page stopped; a list read to its
            // end holds nothing more.
            list.frontier = frontier.unwrap_or(0);
        }

        // 3. Exact scores for the candidates that could score best: what a document has
        // from the lists it was seen in, plus, for each list it wasn't, that list's frontier.
        let mut shortlist: Vec<(f64, f64, String)> = candidates
            .into_iter()
            .map(|(id, c)| {
                let missing: f64 = lists
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| c.seen & (1 << i) == 0)
                    .map(|(_, (_, l))| l.idf * l.frontier as f64)
                    .sum();
                (c.partial + missing, c.partial, id)
            })
            .collect();
        shortlist.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| b.1.total_cmp(&a.1))
                .then_with(|| a.2.cmp(&b.2))
        });
        shortlist.truncate(MIN_CANDIDATES.max(k));
        let mut names = HashMap::from([
            ("#pk".to_owned(), "pk".to_owned()),
            ("#doc".to_owned(), "doc".to_owned()),
        ]);
        let mut projection = "#pk, #doc.live, #doc.cat, #doc.price".to_owned();
        for (i, (term, _)) in lists.iter().enumerate() {
            names.insert(format!("#t{i}"), (*term).clone());
            projection.push_str(&format!(", #doc.terms.#t{i}"));
        }
        let keys = shortlist
            .iter()
            .map(|(_, _, id)| doc_key(id))
            .collect::<Vec<_>>();
        let requests = keys.len().div_ceil(100);
        let (docs, units) = batch_get_metered(
            &self.client,
            &self.table,
            keys,
            Some((&projection, names)),
            false,
        )
        .await?;
        outcome.requests += requests;
        outcome.items_read += docs.len();
        outcome.read_units += units;
        let mut scored: Vec<Hit> = Vec::with_capacity(docs.len());
        for mut item in docs {
            if let Some(pk) = item.remove("pk") {
                item.insert("goods_id_pk".to_owned(), pk);
            }
            let found: DocProjection = serde_dynamo::from_item(item)?;
            let Some(goods_id) = found
                .goods_id_pk
                .as_deref()
                .and_then(|pk| pk.strip_prefix("D#"))
            else {
                continue;
            };
            let doc = found.doc;
            if !doc.live
                || category.as_ref().is_some_and(|c| *c != doc.cat)
                || query.min_price.is_some_and(|min| doc.price < min)
                || query.max_price.is_some_and(|max| doc.price > max)
            {
                continue;
            }
            let score: f64 = lists
                .iter()
                .filter_map(|(term, l)| doc.terms.get(term.as_str()).map(|&i| l.idf * i as f64))
                .sum();
            if score > 0.0 {
                scored.push(Hit {
                    goods_id: goods_id.to_owned(),
                    score: score / IMPACT_SCALE,
                });
            }
        }
        scored.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.goods_id.cmp(&b.goods_id))
        });
        outcome.more = scored.len() > end && end < MAX_DEPTH;
        outcome.hits = scored
            .into_iter()
            .skip(query.offset)
            .take(end - query.offset)
            .collect();
        Ok(outcome)
    }

    /// The first `page` postings of a list, best first: its items (those in the price
    /// range), the impact where the page stopped (`None` at the end of the list), and how
    /// many postings DynamoDB read.
    async fn page(
        &self,
        pk: &str,
        page: i32,
        query: &SearchQuery,
    ) -> Result<(Vec<Item>, Option<u64>, usize, f64), StoreError> {
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", string_value(pk))
            .projection_expression("sk")
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .limit(page);
        let mut filters = Vec::new();
        if let Some(min) = query.min_price {
            filters.push("p >= :min");
            request = request.expression_attribute_values(":min", number_value(min));
        }
        if let Some(max) = query.max_price {
            filters.push("p <= :max");
            request = request.expression_attribute_values(":max", number_value(max));
        }
        if !filters.is_empty() {
            request = request.filter_expression(filters.join(" AND "));
        }
        let out = request.send().await.map_err(StoreError::new)?;
        let scanned = out.scanned_count.max(0) as usize;
        Ok((
            out.items.unwrap_or_default(),
            out.last_evaluated_key
                .as_ref()
                .and_then(|key| parse_posting_sk(string_attr(key, "sk")).map(|(impact, _)| impact)),
            scanned,
            out.consumed_capacity
                .and_then(|c| c.capacity_units)
                .unwrap_or(0.0),
        ))
    }
}
