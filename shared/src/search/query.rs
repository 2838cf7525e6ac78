//! Reading the index: top-k retrieval over impact-ordered postings with early
//! termination (the layout and the argument are in the [module header](super)).
//!
//! 1. One BatchGetItem: each term's `df` and the corpus size, hence each term's `idf`.
//! 2. Rounds: every unfinished term's next page of postings (one Query each, run
//!    concurrently), best first. After each round the threshold — what a document seen
//!    in no list yet could still score, `Σ idf·frontier` — is compared with the k-th best
//!    score seen; once it can't enter the top k, reading stops. At most [`MAX_ROUNDS`].
//! 3. One BatchGetItem of the candidates' document items, projecting only the query's
//!    terms: exact scores, and the current category, price and liveness for the filters.
//!
//! The requests of a query depend on its number of terms and the depth asked for, never
//! on the size of the catalogue or how common a term is.

use std::collections::HashMap;

use serde::Deserialize;

use super::index::{df_key, doc_key, stats_keys, Doc, SearchTable};
use super::{category_key, idf, parse_posting_sk, posting_pk, IMPACT_SCALE};
use crate::repo::{attr_n, attr_s, batch_get, n, s, Item, StoreError};

/// Distinct query terms used (the first ones).
pub const MAX_QUERY_TERMS: usize = 12;
/// Deepest result a query can page to.
pub const MAX_DEPTH: usize = 200;
/// Rounds of posting reads per query.
pub const MAX_ROUNDS: usize = 4;
/// Candidates scored exactly, at most.
const MAX_CANDIDATES: usize = 300;

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
    /// The goods.
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
}

/// A term's posting list being read.
struct List {
    idf: f64,
    pk: String,
    /// Highest impact not yet read (scaled).
    frontier: u64,
    start: Option<Item>,
    done: bool,
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
        let counters = batch_get(&self.client, &self.table, keys, None, false).await?;
        outcome.requests += 1;
        outcome.items_read += counters.len();
        let mut corpus = 0u64;
        let mut df: HashMap<String, u64> = HashMap::new();
        for item in &counters {
            let pk = attr_s(item, "pk");
            if pk.starts_with("STATS#") {
                corpus += attr_n(item, "n").max(0) as u64;
            } else if let Some(term) = pk.strip_prefix("F#") {
                df.insert(term.to_owned(), attr_n(item, "df").max(0) as u64);
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
                        start: None,
                        done: false,
                    },
                )
            })
            .collect();
        if lists.is_empty() {
            return Ok(outcome);
        }

        // 2. Rounds of postings, best first, until the top k can't change.
        let page = (2 * k).clamp(50, 200) as i32;
        let mut candidates: HashMap<String, Candidate> = HashMap::new();
        for _ in 0..MAX_ROUNDS {
            let reads = lists
                .iter()
                .enumerate()
                .filter(|(_, (_, l))| !l.done)
                .map(|(i, (_, l))| async move { (i, self.page(l, page, query).await) });
            for (i, read) in futures::future::join_all(reads).await {
                let (items, last, scanned) = read?;
                outcome.requests += 1;
                outcome.items_read += scanned;
                let list = &mut lists[i].1;
                for item in &items {
                    let Some((impact, goods_id)) =
                        parse_posting_sk(attr_s(item, "sk")).map(|(i, g)| (i, g.to_owned()))
                    else {
                        continue;
                    };
                    let c = candidates.entry(goods_id).or_default();
                    if c.seen & (1 << i) == 0 {
                        c.seen |= 1 << i;
                        c.partial += list.idf * impact as f64;
                    }
                }
                match last
                    .as_ref()
                    .and_then(|key| parse_posting_sk(attr_s(key, "sk")).map(|(i, _)| i))
                {
                    Some(impact) => list.frontier = impact,
                    None => {
                        list.done = true;
                        list.frontier = 0;
                    }
                }
                list.start = last;
            }
            let threshold: f64 = lists.iter().map(|(_, l)| l.idf * l.frontier as f64).sum();
            if threshold <= 0.0 || kth_best(&candidates, k) >= threshold {
                break;
            }
        }

        // 3. Exact scores for every candidate that could still make the top k.
        let bar = kth_best(&candidates, k);
        let mut shortlist: Vec<(f64, String)> = candidates
            .into_iter()
            .map(|(id, c)| {
                let missing: f64 = lists
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| c.seen & (1 << i) == 0)
                    .map(|(_, (_, l))| l.idf * l.frontier as f64)
                    .sum();
                (c.partial + missing, id)
            })
            .filter(|(upper, _)| *upper >= bar)
            .collect();
        shortlist.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        shortlist.truncate(MAX_CANDIDATES);
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
            .map(|(_, id)| doc_key(id))
            .collect::<Vec<_>>();
        let requests = keys.len().div_ceil(100);
        let docs = batch_get(
            &self.client,
            &self.table,
            keys,
            Some((&projection, names)),
            false,
        )
        .await?;
        outcome.requests += requests;
        outcome.items_read += docs.len();
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

    /// The next page of a posting list: its items, where it stopped, and how many
    /// postings DynamoDB read (before the price filter).
    async fn page(
        &self,
        list: &List,
        page: i32,
        query: &SearchQuery,
    ) -> Result<(Vec<Item>, Option<Item>, usize), StoreError> {
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(&list.pk))
            .projection_expression("sk")
            .set_exclusive_start_key(list.start.clone())
            .limit(page);
        let mut filters = Vec::new();
        if let Some(min) = query.min_price {
            filters.push("p >= :min");
            request = request.expression_attribute_values(":min", n(min));
        }
        if let Some(max) = query.max_price {
            filters.push("p <= :max");
            request = request.expression_attribute_values(":max", n(max));
        }
        if !filters.is_empty() {
            request = request.filter_expression(filters.join(" AND "));
        }
        let out = request.send().await.map_err(StoreError::new)?;
        let scanned = out.scanned_count.max(0) as usize;
        Ok((
            out.items.unwrap_or_default(),
            out.last_evaluated_key,
            scanned,
        ))
    }
}

/// The k-th best partial score seen (0 with fewer than k candidates).
fn kth_best(candidates: &HashMap<String, Candidate>, k: usize) -> f64 {
    if candidates.len() < k {
        return 0.0;
    }
    let mut scores: Vec<f64> = candidates.values().map(|c| c.partial).collect();
    let (_, kth, _) = scores.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    *kth
}
