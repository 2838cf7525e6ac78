//! Reading the index: top-k retrieval over impact-ordered postings with a fixed budget
//! (the layout and the argument are in the [module header](super)), with typo
//! corrections, facets and sort orders.
//!
//! 1. One BatchGetItem (two for long words): each term's `df`, the corpus size, and the
//!    typo dictionary's entries for the deletes of each word long enough to correct
//!    ([`super::typo`]); then, if that met corrections, one BatchGetItem for their `df`.
//!    A word keeps its [`TYPO_TERMS`] nearest, most common corrections.
//! 2. One Query per list (run concurrently) for the first page of its postings, best
//!    first: [`POSTING_BUDGET`] postings shared among the lists, an exact term's list
//!    getting twice a correction's share, at most [`MAX_PAGE`] each; the lengths are
//!    known from step 1, so a list shorter than its share is read whole and leaves the
//!    rest of its share to the longer ones. A list read to its end is exact; a longer
//!    one is cut where the page stopped, and no posting beyond the cut scores more than
//!    the one at it (its *frontier*). Beside them, for a query of two or more words that
//!    all have lists, the **conjunctive probe**: one Query on the shortest of those
//!    lists, evaluating at most [`PROBE_SCAN`] postings, filtered to the goods whose
//!    name has every other word (postings carry their name's terms). With many goods
//!    sharing each word, a name with all of them is often below the cut of every list;
//!    the probe's first [`PROBE_KEEP`] matches are scored first.
//! 3. The candidates — every document seen — are ranked by what they could score (for
//!    each word, the best of what they have and the frontiers of its lists they weren't
//!    seen in), and the best [`CANDIDATES`] (or the depth asked for; [`SORT_CANDIDATES`]
//!    for a sort by price or date) are scored exactly from their document items in one
//!    BatchGetItem per 100, projecting only the lists' terms, with the current category,
//!    price and liveness for the filters (and, for a query of two or more English
//!    words, the name's phrases: the proximity bonus of the [module header](super)).
//!
//! A word scores the best of its matches: an exact match `idf · impact` (each field's
//! `idf`, weighted by its share: [`super::Bm25::score`]; a posting, whose field the
//! candidates' ranking doesn't know, is bounded by the greatest), a correction
//! [`TYPO_WEIGHT`] times that ([`KNOWN_WORD_TYPO_WEIGHT`] when the index has the word
//! as typed, so it was most likely meant), with its `idf` capped at the typed word's (a
//! rare misspelling-neighbour must not outrank the word the shopper typed): so a
//! document that has the word ranks above one that only has its neighbour.
//!
//! **Facets and sorting** work on the documents scored in step 3, the best-matching
//! goods of the query, so they cost no further reads: a category's count is how many of
//! those match, exact for a query that matches fewer goods than were scored, a lower
//! bound otherwise (the OpenAPI document says so). A sort by price or date orders the
//! scored goods that match the most query words (all of them, when any goods do), so
//! that `red kettle` by price lists red kettles, not every red thing.
//!
//! So a query makes `lists + 2` requests (`+ 1` with corrections, `+ 1` for the probe of
//! a query of several words, `+ 1` per further 100 of depth past 100) and reads at most
//! `POSTING_BUDGET + PROBE_SCAN` postings, whatever the size of the catalogue and however
//! common its terms are. What the cut can lose is a document
//! below the cut of every term that still outscores those above it — one that has
//! several common terms, each weakly, and not every query word in its name (the probe
//! finds those that do); the benchmark measures how often that happens.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use serde::{Deserialize, Serialize};

use super::analysis::{is_cjk, Analyzer};
use super::table::{df_key, doc_key, greatest, stats_keys, Counts, Doc, SearchTable, Stats};
use super::typo::{self, delete_key};
use super::{category_key, idf, parse_posting_sk, posting_pk, unpack_tf, IMPACT_SCALE};
use crate::store::{batch_get_metered, number_value, string_attr, string_value, Item, StoreError};

/// Distinct query terms used (the first ones).
pub const MAX_QUERY_TERMS: usize = 12;
/// Deepest result a query can page to.
pub const MAX_DEPTH: usize = 200;
/// Postings read per query, over all its lists.
pub const POSTING_BUDGET: usize = 1_000;
/// Postings read from one list (well within a Query's 1 MB page: a posting is ~50 bytes).
pub const MAX_PAGE: usize = 500;
/// Candidates scored exactly for a ranking by relevance: one BatchGetItem.
pub const CANDIDATES: usize = 100;
/// Candidates scored exactly for a sort by price or date (the deepest page).
pub const SORT_CANDIDATES: usize = MAX_DEPTH;
/// Postings the conjunctive probe evaluates (before its filter keeps those whose name has
/// every other query word): one Query page of ~100 bytes a posting.
pub const PROBE_SCAN: usize = 2_000;
/// Probe matches scored first, ahead of the candidates ranked by what they could score.
pub const PROBE_KEEP: usize = 50;
/// Corrections kept per word.
pub const TYPO_TERMS: usize = 3;
/// Words of a query that are corrected (the first ones long enough).
pub const TYPO_WORDS: usize = 4;
/// What a correction scores against an exact match of the same impact, for a word the
/// index doesn't have.
pub const TYPO_WEIGHT: f64 = 0.4;
/// The same for a word the index has (`shirt` also matches `short`, far below shirts).
pub const KNOWN_WORD_TYPO_WEIGHT: f64 = 0.1;
/// What two query words found side by side in a name add: this times the lesser of
/// the two words' contributions.
pub const PHRASE_WEIGHT: f64 = 0.5;
/// What goods whose name has every word of a query of two or more words gain: this
/// times their score (coordination, as Meilisearch ranks by words matched first: a name
/// with all the words is what the shopper typed; measured in BENCHMARKS.md).
pub const ALL_IN_NAME_WEIGHT: f64 = 0.25;
/// Categories in `facets.category`.
pub const MAX_FACETS: usize = 20;
/// Corrections met in the dictionary whose `df` is read (the nearest first).
const TYPO_CANDIDATES: usize = 8;

/// The order of the results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Cheapest first.
    PriceAsc,
    /// Dearest first.
    PriceDesc,
    /// Newest first.
    Newest,
}

impl Sort {
    /// The order named `name` in the API (`relevance`, `price_asc`, `price_desc`,
    /// `newest`).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "relevance" => Self::Relevance,
            "price_asc" => Self::PriceAsc,
            "price_desc" => Self::PriceDesc,
            "newest" => Self::Newest,
            _ => return None,
        })
    }
}

/// A search.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Analysed, distinct query terms.
    pub terms: Vec<String>,
    /// For each term, the word typed when it is a word of letters (empty otherwise, or
    /// missing): its length says how far a correction may be ([`typo::max_edits`]), and
    /// corrections are measured from it as well as from the term (a stemmer cuts a
    /// misspelt word where it wouldn't cut the word: `wireles` → `wirel`).
    pub typed: Vec<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Inclusive price bounds, minor units.
    pub min_price: Option<i64>,
    /// See `min_price`.
    pub max_price: Option<i64>,
    /// The order of the results.
    pub sort: Sort,
    /// Results to skip.
    pub offset: usize,
    /// Results to return.
    pub limit: usize,
    /// Whether the name counts beyond BM25: goods whose name has two of the query's words
    /// side by side, in the query's order, score [`PHRASE_WEIGHT`] more, and goods whose
    /// name has every query word [`ALL_IN_NAME_WEIGHT`] more ([`SearchQuery::text`] asks
    /// for it; plain BM25, without, is what the benchmark compares retrieval with).
    pub name_bonuses: bool,
    /// The corpus statistics to score with: those a first page was scored with
    /// ([`SearchOutcome::scoring`]), so that its next pages rank as it did while other
    /// goods are written meanwhile; `None` for the corpus's of now.
    pub scoring: Option<Scoring>,
}

/// The corpus statistics a search scores with besides each term's `df`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Scoring {
    /// Live documents (the `N` of `idf`).
    pub corpus: u64,
    /// Average field lengths (name, description, category), rounded to 10⁻⁴ so that a
    /// cursor carries them exactly.
    pub averages: [Option<f64>; 3],
}

impl SearchQuery {
    /// A search for `text`, ranked by relevance, first `limit` results.
    pub fn text(analyzer: &Analyzer, text: &str, limit: usize) -> Self {
        let (terms, typed) = analyzer.query_words(text).into_iter().unzip();
        Self {
            terms,
            typed,
            limit,
            name_bonuses: true,
            ..Default::default()
        }
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The goods as they are now.
    pub goods_id: String,
    /// BM25F score.
    pub score: f64,
}

/// A category and how many of the matching goods are in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    /// The category as a merchant wrote it.
    pub value: String,
    /// Matching goods in it (see the module header).
    pub count: usize,
}

/// What a search found, and what it cost.
#[derive(Debug, Clone, Default)]
pub struct SearchOutcome {
    /// In the order asked for.
    pub hits: Vec<Hit>,
    /// Whether results exist beyond these.
    pub more: bool,
    /// The categories of the matching goods, most first.
    pub facets: Vec<Facet>,
    /// Corrections searched besides the typed words.
    pub corrections: usize,
    /// DynamoDB requests made.
    pub requests: usize,
    /// Items read (postings, counters and documents).
    pub items_read: usize,
    /// Read capacity units consumed, as DynamoDB reports them (what AWS bills).
    pub read_units: f64,
    /// The statistics the candidates were scored with.
    pub scoring: Scoring,
}

impl SearchOutcome {
    fn count(&mut self, requests: usize, items: usize, units: f64) {
        self.requests += requests;
        self.items_read += items;
        self.read_units += units;
    }
}

/// A posting list being read: an exact term or a correction of a query word.
struct List {
    word: usize,
    term: String,
    /// The term's `idf` in each field, times the typo weight for a correction.
    idfs: [f64; 3],
    /// Its `idf` over whole documents, likewise (for documents indexed before they kept
    /// their occurrences per field).
    idf: f64,
    /// The greatest of `idfs` over the fields with the term: what bounds a posting's
    /// contribution.
    weight: f64,
    pk: String,
    /// Highest impact not yet read (scaled).
    frontier: u64,
}

/// A document seen in some lists.
struct Candidate {
    /// Best contribution met so far, per word.
    best: [f64; MAX_QUERY_TERMS],
    /// Lists it was seen in.
    seen: u64,
}

/// A document scored exactly.
struct Scored {
    goods_id: String,
    score: f64,
    /// Query words it matches.
    words: usize,
    price: i64,
    cat: String,
    label: String,
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
        let words: Vec<(&String, &str)> = query
            .terms
            .iter()
            .take(MAX_QUERY_TERMS)
            .enumerate()
            .map(|(i, t)| (t, query.typed.get(i).map_or("", String::as_str)))
            .collect();
        let end = (query.offset + query.limit).min(MAX_DEPTH);
        if words.is_empty() || query.offset >= end {
            return Ok(outcome);
        }

        // 1. idf of each term, and the corrections of the long words.
        let corrected: Vec<(usize, usize)> = words
            .iter()
            .enumerate()
            .map(|(i, (_, typed))| (i, typo::max_edits(typed.chars().count())))
            .filter(|(_, edits)| *edits > 0)
            .take(TYPO_WORDS)
            .collect();
        let mut keys: Vec<Item> = words.iter().map(|(t, _)| df_key(t)).collect();
        keys.extend(stats_keys());
        let deletes: BTreeSet<String> = corrected
            .iter()
            .flat_map(|&(i, edits)| {
                let (term, typed) = words[i];
                typo::deletes(term, edits)
                    .into_iter()
                    .chain(typo::deletes(typed, edits))
            })
            .collect();
        keys.extend(deletes.iter().map(|d| delete_key(d)));
        let counters = self.get_all(keys, &mut outcome).await?;
        let mut stats = Stats::default();
        let mut counts: HashMap<String, Counts> = HashMap::new();
        let mut filed: Vec<String> = Vec::new();
        for item in &counters {
            if string_attr(item, "pk").starts_with("STATS#") {
                stats.add(&serde_dynamo::from_item(item.clone())?);
            } else if let Some((term, found)) = Counts::from_item(item) {
                counts.insert(term, found);
            } else if let Some(AttributeValue::Ss(terms)) = item.get("t") {
                filed.extend(terms.iter().cloned());
            }
        }
        let scoring = query.scoring.unwrap_or_else(|| Scoring {
            corpus: stats.n.max(0) as u64,
            averages: [0, 1, 2].map(|field| stats.average(field).map(|a| (a * 1e4).round() / 1e4)),
        });
        outcome.scoring = scoring;
        let Scoring { corpus, averages } = scoring;
        let typed: BTreeSet<&str> = words.iter().map(|(t, _)| t.as_str()).collect();
        let mut near: Vec<(usize, usize, String)> = Vec::new();
        for &(i, edits) in &corrected {
            let mut found: Vec<(usize, &String)> = filed
                .iter()
                .filter(|t| !typed.contains(t.as_str()))
                .filter_map(|t| {
                    let (term, typed) = words[i];
                    let d = typo::distance(term, t, edits).into_iter();
                    d.chain(typo::distance(typed, t, edits))
                        .min()
                        .map(|d| (d, t))
                })
                .collect();
            found.sort();
            found.dedup();
            found.truncate(TYPO_CANDIDATES);
            near.extend(found.into_iter().map(|(d, t)| (i, d, t.clone())));
        }
        if !near.is_empty() {
            let unknown: BTreeSet<&String> = near
                .iter()
                .map(|(_, _, t)| t)
                .filter(|t| !counts.contains_key(t.as_str()))
                .collect();
            let keys = unknown.into_iter().map(|t| df_key(t)).collect();
            for item in self.get_all(keys, &mut outcome).await? {
                counts.extend(Counts::from_item(&item));
            }
        }
        let category = query.category.as_deref().map(category_key);
        let counts_of = |t: &str| counts.get(t).copied().unwrap_or_default();
        let df_of = |t: &str| counts_of(t).df;
        let mut lists: Vec<List> = Vec::new();
        for (i, (term, _)) in words.iter().enumerate() {
            if df_of(term) > 0 {
                let idfs = counts_of(term).idfs(corpus);
                lists.push(List {
                    word: i,
                    term: (*term).clone(),
                    idfs,
                    idf: idf(corpus, df_of(term)),
                    weight: greatest(idfs, counts_of(term).present()),
                    pk: posting_pk(term, category.as_deref()),
                    frontier: max_impact,
                });
            }
        }
        for &(i, _) in &corrected {
            let (typed_idfs, typed_idf) = match counts_of(words[i].0) {
                c if c.df == 0 => ([f64::INFINITY; 3], f64::INFINITY),
                c => (c.idfs(corpus), idf(corpus, c.df)),
            };
            let mut options: Vec<(usize, u64, &String)> = near
                .iter()
                .filter(|(w, _, t)| *w == i && df_of(t) > 0)
                .map(|(_, d, t)| (*d, df_of(t), t))
                .collect();
            options.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
            // A word the index knows was most likely meant as typed: its neighbours
            // still match, but weakly.
            let typo_weight = if typed_idf.is_finite() {
                KNOWN_WORD_TYPO_WEIGHT
            } else {
                TYPO_WEIGHT
            };
            for (_, d, term) in options.into_iter().take(TYPO_TERMS) {
                let own = counts_of(term).idfs(corpus);
                let idfs = [0, 1, 2].map(|f| typo_weight * own[f].min(typed_idfs[f]));
                lists.push(List {
                    word: i,
                    term: term.clone(),
                    idfs,
                    idf: typo_weight * idf(corpus, d).min(typed_idf),
                    weight: greatest(idfs, counts_of(term).present()),
                    pk: posting_pk(term, category.as_deref()),
                    frontier: max_impact,
                });
                outcome.corrections += 1;
            }
        }
        if lists.is_empty() {
            return Ok(outcome);
        }

        // 2. One page of each list's postings, best first, all at once.
        let wants: Vec<(u64, usize)> = lists
            .iter()
            .map(|l| (df_of(&l.term), if l.is_typed(&words) { 2 } else { 1 }))
            .collect();
        let pages = shares(&wants, POSTING_BUDGET, MAX_PAGE);
        let reads = lists
            .iter()
            .zip(&pages)
            .map(|(l, page)| self.page(&l.pk, (*page).max(1) as i32, query, &[]));
        // The conjunctive probe: the shortest exact list of a query of several words,
        // filtered to the goods whose name has every other word — found below the cut of
        // every list when each word is common.
        let exact: Vec<&List> = lists.iter().filter(|l| l.is_typed(&words)).collect();
        let probe = (words.len() > 1 && exact.len() == words.len())
            .then(|| exact.iter().min_by_key(|l| (df_of(&l.term), l.word)))
            .flatten()
            .map(|shortest| {
                let others: Vec<String> = exact
                    .iter()
                    .filter(|l| l.word != shortest.word)
                    .map(|l| l.term.clone())
                    .collect();
                (&shortest.pk, others)
            });
        let probe = probe
            .as_ref()
            .map(|(pk, others)| self.page(pk, PROBE_SCAN as i32, query, others));
        let (read, probed) = futures::join!(
            futures::future::join_all(reads),
            futures::future::OptionFuture::from(probe)
        );
        let mut first: Vec<String> = Vec::new();
        if let Some((items, _, scanned, units)) = probed.transpose()? {
            outcome.count(1, scanned, units);
            first.extend(
                items
                    .iter()
                    .filter_map(|item| parse_posting_sk(string_attr(item, "sk")))
                    .map(|(_, goods_id)| goods_id.to_owned())
                    .take(PROBE_KEEP),
            );
        }
        let mut candidates: HashMap<String, Candidate> = HashMap::new();
        for (i, read) in read.into_iter().enumerate() {
            let (items, frontier, scanned, units) = read?;
            outcome.count(1, scanned, units);
            let list = &mut lists[i];
            for item in &items {
                let Some((impact, goods_id)) = parse_posting_sk(string_attr(item, "sk")) else {
                    continue;
                };
                let c = candidates
                    .entry(goods_id.to_owned())
                    .or_insert_with(|| Candidate {
                        best: [0.0; MAX_QUERY_TERMS],
                        seen: 0,
                    });
                c.seen |= 1 << i;
                let contribution = list.weight * impact as f64;
                if contribution > c.best[list.word] {
                    c.best[list.word] = contribution;
                }
            }
            // Unread postings score at most where the page stopped; a list read to its
            // end holds nothing more.
            list.frontier = frontier.unwrap_or(0);
        }

        // 3. Exact scores for the candidates that could score best: for each word, the
        // best of what a document has and of the frontiers of the lists it wasn't seen in.
        let mut shortlist: Vec<(f64, f64, String)> = candidates
            .into_iter()
            .map(|(id, c)| {
                let mut bound = 0.0;
                for (w, best) in c.best.iter().enumerate().take(words.len()) {
                    let unseen = lists
                        .iter()
                        .enumerate()
                        .filter(|(i, l)| l.word == w && c.seen & (1 << i) == 0)
                        .map(|(_, l)| l.weight * l.frontier as f64)
                        .fold(0.0, f64::max);
                    bound += best.max(unseen);
                }
                (bound, c.best.iter().sum::<f64>(), id)
            })
            .collect();
        shortlist.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| b.1.total_cmp(&a.1))
                .then_with(|| a.2.cmp(&b.2))
        });
        let depth = match query.sort {
            Sort::Relevance => CANDIDATES.max(end + 1),
            _ => SORT_CANDIDATES,
        };
        let probed: HashSet<&String> = first.iter().collect();
        let ids: Vec<&String> = first
            .iter()
            .chain(
                shortlist
                    .iter()
                    .map(|(_, _, id)| id)
                    .filter(|id| !probed.contains(id)),
            )
            .take(depth)
            .collect();
        // Neighbouring words of the query (English: Chinese bigrams already overlap).
        let pairs: Vec<usize> = (1..words.len())
            .filter(|_| query.name_bonuses)
            .filter(|&i| !words[i - 1].0.chars().chain(words[i].0.chars()).any(is_cjk))
            .collect();
        let docs = self
            .documents(&ids, &lists, !pairs.is_empty(), &mut outcome)
            .await?;
        let analyzer = Analyzer::new();
        let mut scored: Vec<Scored> = Vec::with_capacity(docs.len());
        for (goods_id, doc) in docs {
            if !doc.live
                || category.as_ref().is_some_and(|c| *c != doc.cat)
                || query.min_price.is_some_and(|min| doc.price < min)
                || query.max_price.is_some_and(|max| doc.price > max)
            {
                continue;
            }
            let mut best = [0.0f64; MAX_QUERY_TERMS];
            // Words found in the name (as typed or corrected).
            let mut in_name = 0u32;
            for l in &lists {
                // Against the averages of now, with each field's idf, when the document
                // keeps its occurrences (the posting's impact used the reference lengths).
                let contribution = match (doc.tf.get(&l.term), doc.terms.get(&l.term)) {
                    (Some(&tf), _) => {
                        let tf = unpack_tf(tf);
                        if tf[0] > 0 {
                            in_name |= 1 << l.word;
                        }
                        self.bm25.score(tf, doc.lens, averages, l.idfs) * IMPACT_SCALE
                    }
                    (None, Some(&impact)) => l.idf * impact as f64,
                    (None, None) => continue,
                };
                best[l.word] = best[l.word].max(contribution);
            }
            let mut score: f64 = best.iter().sum();
            if !pairs.is_empty() && !doc.phrases.is_empty() {
                let side_by_side = analyzer.neighbours(&doc.phrases);
                for &i in &pairs {
                    let (a, b) = (words[i - 1].0, words[i].0);
                    if side_by_side.iter().any(|(x, y)| x == a && y == b) {
                        score += PHRASE_WEIGHT * best[i - 1].min(best[i]);
                    }
                }
            }
            // Scales the phrase bonus too: between two names with every word, the one
            // with them side by side keeps its lead.
            if query.name_bonuses && words.len() > 1 && in_name.count_ones() as usize == words.len()
            {
                score *= 1.0 + ALL_IN_NAME_WEIGHT;
            }
            if score > 0.0 {
                scored.push(Scored {
                    goods_id,
                    score: score / IMPACT_SCALE,
                    words: best.iter().filter(|b| **b > 0.0).count(),
                    price: doc.price,
                    label: if doc.label.is_empty() {
                        doc.cat.clone()
                    } else {
                        doc.label
                    },
                    cat: doc.cat,
                });
            }
        }
        outcome.facets = facets(&scored);
        order(&mut scored, query.sort);
        outcome.more = scored.len() > end && end < MAX_DEPTH;
        outcome.hits = scored
            .into_iter()
            .skip(query.offset)
            .take(end - query.offset)
            .map(|s| Hit {
                goods_id: s.goods_id,
                score: s.score,
            })
            .collect();
        Ok(outcome)
    }

    /// Items by key, 100 to a BatchGetItem, the requests made at once.
    async fn get_all(
        &self,
        keys: Vec<Item>,
        outcome: &mut SearchOutcome,
    ) -> Result<Vec<Item>, StoreError> {
        let reads = keys
            .chunks(100)
            .map(|chunk| batch_get_metered(&self.client, &self.table, chunk.to_vec(), None, false));
        let mut items = Vec::new();
        for read in futures::future::join_all(reads).await {
            let (found, units) = read?;
            outcome.count(1, found.len(), units);
            items.extend(found);
        }
        Ok(items)
    }

    /// The document items of `ids`, projected to what scoring and the filters need.
    async fn documents(
        &self,
        ids: &[&String],
        lists: &[List],
        phrases: bool,
        outcome: &mut SearchOutcome,
    ) -> Result<Vec<(String, Doc)>, StoreError> {
        let mut names = HashMap::from([
            ("#pk".to_owned(), "pk".to_owned()),
            ("#doc".to_owned(), "doc".to_owned()),
        ]);
        let mut projection =
            "#pk, #doc.live, #doc.cat, #doc.label, #doc.price, #doc.lens".to_owned();
        if phrases {
            projection.push_str(", #doc.phrases");
        }
        let terms: BTreeSet<&String> = lists.iter().map(|l| &l.term).collect();
        for (i, term) in terms.into_iter().enumerate() {
            names.insert(format!("#t{i}"), term.clone());
            projection.push_str(&format!(", #doc.terms.#t{i}, #doc.tf.#t{i}"));
        }
        let reads = ids.chunks(100).map(|chunk| {
            batch_get_metered(
                &self.client,
                &self.table,
                chunk.iter().map(|id| doc_key(id)).collect(),
                Some((&projection, names.clone())),
                false,
            )
        });
        let mut docs = Vec::with_capacity(ids.len());
        for read in futures::future::join_all(reads).await {
            let (items, units) = read?;
            outcome.count(1, items.len(), units);
            for mut item in items {
                if let Some(pk) = item.remove("pk") {
                    item.insert("goods_id_pk".to_owned(), pk);
                }
                let found: DocProjection = serde_dynamo::from_item(item)?;
                if let Some(id) = found
                    .goods_id_pk
                    .as_deref()
                    .and_then(|pk| pk.strip_prefix("D#"))
                {
                    docs.push((id.to_owned(), found.doc));
                }
            }
        }
        Ok(docs)
    }

    /// The first `page` postings of a list, best first: its items (those in the price
    /// range, and whose goods' name has every term of `named`), the impact where the page
    /// stopped (`None` at the end of the list), and how many postings DynamoDB read.
    async fn page(
        &self,
        pk: &str,
        page: i32,
        query: &SearchQuery,
        named: &[String],
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
        let contains: Vec<String> = (0..named.len())
            .map(|i| format!("contains(n, :n{i})"))
            .collect();
        for (i, term) in named.iter().enumerate() {
            request =
                request.expression_attribute_values(format!(":n{i}"), string_value(term.as_str()));
        }
        filters.extend(contains.iter().map(String::as_str));
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

impl List {
    /// Whether this list is the word's own term (not a correction).
    fn is_typed(&self, words: &[(&String, &str)]) -> bool {
        *words[self.word].0 == self.term
    }
}

/// How many postings to read from each list, given each list's length (its term's `df`:
/// a category's list is no longer) and weight: `budget` shared in proportion to the
/// weights, a list shorter than its share read to its end (one more than its length, so
/// that its page says it ended) and what it leaves shared among the longer ones, none
/// past `max_page`. Every posting of the budget goes where it can be read.
pub fn shares(lists: &[(u64, usize)], budget: usize, max_page: usize) -> Vec<usize> {
    let mut pages = vec![0usize; lists.len()];
    let mut open: Vec<usize> = (0..lists.len()).collect();
    let mut left = budget;
    loop {
        let weights: usize = open.iter().map(|&i| lists[i].1).sum();
        if weights == 0 {
            return pages;
        }
        let (short, long): (Vec<usize>, Vec<usize>) = open.iter().partition(|&&i| {
            let need = (lists[i].0 as usize).saturating_add(1).min(max_page);
            need <= left * lists[i].1 / weights
        });
        if short.is_empty() {
            for &i in &long {
                pages[i] = (left * lists[i].1 / weights).min(max_page);
            }
            return pages;
        }
        for &i in &short {
            pages[i] = (lists[i].0 as usize).saturating_add(1).min(max_page);
            left -= pages[i];
        }
        open = long;
    }
}

/// The categories of the scored goods, most first (then by name), at most
/// [`MAX_FACETS`]; each shown as its goods write it.
fn facets(scored: &[Scored]) -> Vec<Facet> {
    let mut counts: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for s in scored {
        let entry = counts.entry(&s.cat).or_insert((0, &s.label));
        entry.0 += 1;
    }
    let mut facets: Vec<Facet> = counts
        .into_values()
        .map(|(count, label)| Facet {
            value: label.to_owned(),
            count,
        })
        .collect();
    facets.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    facets.truncate(MAX_FACETS);
    facets
}

/// Puts the scored goods in the order asked for (see the module header).
fn order(scored: &mut Vec<Scored>, sort: Sort) {
    let by_score = |a: &Scored, b: &Scored| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.goods_id.cmp(&b.goods_id))
    };
    if sort != Sort::Relevance {
        let most = scored.iter().map(|s| s.words).max().unwrap_or(0);
        scored.retain(|s| s.words == most);
    }
    match sort {
        Sort::Relevance => scored.sort_by(by_score),
        Sort::PriceAsc => scored.sort_by(|a, b| a.price.cmp(&b.price).then_with(|| by_score(a, b))),
        Sort::PriceDesc => {
            scored.sort_by(|a, b| b.price.cmp(&a.price).then_with(|| by_score(a, b)));
        }
        // Ids are ULIDs: their order is their creation's.
        Sort::Newest => scored.sort_by(|a, b| b.goods_id.cmp(&a.goods_id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(id: &str, score: f64, words: usize, price: i64, cat: &str) -> Scored {
        Scored {
            goods_id: id.into(),
            score,
            words,
            price,
            cat: cat.to_lowercase(),
            label: cat.into(),
        }
    }

    fn ids(s: &[Scored]) -> Vec<&str> {
        s.iter().map(|s| s.goods_id.as_str()).collect()
    }

    #[test]
    fn a_short_list_is_read_whole_and_leaves_its_share_to_the_long_ones() {
        // Equal weights, all long: equal shares.
        assert_eq!(shares(&[(5000, 2), (9000, 2)], 1000, 500), [500, 500]);
        // A rare word is read to its end (and one more, to see the end); a common one
        // takes the rest, up to a page.
        assert_eq!(shares(&[(20, 2), (5000, 2)], 1000, 1000), [21, 979]);
        assert_eq!(shares(&[(20, 2), (5000, 2)], 1000, 500), [21, 500]);
        // An exact list gets twice a correction's share; what a short correction leaves
        // goes by weight.
        assert_eq!(
            shares(&[(5000, 2), (3, 1), (800, 1)], 1000, 1000),
            [664, 4, 332]
        );
        // Chains: freeing one share can make another list short.
        assert_eq!(
            shares(&[(10, 1), (400, 1), (5000, 1)], 1000, 1000),
            [11, 401, 588]
        );
        assert_eq!(shares(&[], 1000, 500), Vec::<usize>::new());
    }

    proptest::proptest! {
        #[test]
        fn shares_spend_no_more_than_the_budget_and_read_short_lists_whole(
            lists in proptest::collection::vec((0u64..3000, 1usize..3), 1..12),
        ) {
            let pages = shares(&lists, POSTING_BUDGET, MAX_PAGE);
            proptest::prop_assert!(pages.iter().sum::<usize>() <= POSTING_BUDGET);
            proptest::prop_assert!(pages.iter().all(|p| *p <= MAX_PAGE));
            let even = POSTING_BUDGET / lists.iter().map(|l| l.1).sum::<usize>();
            for (&(len, weight), &page) in lists.iter().zip(&pages) {
                // Never less than an even split would give, nor more than it can use.
                let need = (len as usize + 1).min(MAX_PAGE);
                proptest::prop_assert!(page >= need.min(even * weight), "{lists:?} {pages:?}");
                proptest::prop_assert!(page <= need);
            }
        }
    }

    #[test]
    fn each_sort_orders_the_goods_matching_most_words() {
        let all = || {
            vec![
                scored("01A", 3.0, 2, 500, "Kitchen"),
                scored("01B", 2.0, 2, 100, "Kitchen"),
                scored("01C", 5.0, 1, 50, "Garden"),
                scored("01D", 1.0, 2, 900, "Garden"),
            ]
        };
        let sorted = |sort| {
            let mut s = all();
            order(&mut s, sort);
            ids(&s).into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        assert_eq!(sorted(Sort::Relevance), ["01C", "01A", "01B", "01D"]);
        assert_eq!(sorted(Sort::PriceAsc), ["01B", "01A", "01D"]);
        assert_eq!(sorted(Sort::PriceDesc), ["01D", "01A", "01B"]);
        assert_eq!(sorted(Sort::Newest), ["01D", "01B", "01A"]);
        for name in ["relevance", "price_asc", "price_desc", "newest"] {
            assert!(Sort::parse(name).is_some());
        }
        assert_eq!(Sort::parse("cheapest"), None);
    }

    #[test]
    fn facets_count_categories_most_first_as_written() {
        let all = vec![
            scored("01A", 3.0, 1, 500, "Kitchen"),
            scored("01B", 2.0, 1, 100, "Garden"),
            scored("01C", 5.0, 1, 50, "Kitchen"),
        ];
        assert_eq!(
            facets(&all),
            [
                Facet {
                    value: "Kitchen".into(),
                    count: 2
                },
                Facet {
                    value: "Garden".into(),
                    count: 1
                }
            ]
        );
    }
}
