//! What the index table holds besides postings: one document item per goods item (its
//! committed terms and field lengths), one `df` counter per term, and the corpus
//! statistics spread over [`STATS_SHARDS`] items; with their keys (see [`super`] for the
//! whole layout).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use super::{posting_pk, Bm25};
use crate::config::{self, ConfigError};
use crate::store::{string_value, Item};

/// The index table, for readers and writers.
#[derive(Debug, Clone)]
pub struct SearchTable {
    pub(crate) client: Client,
    pub(crate) table: String,
    /// What a search scores documents with (the indexer's parameters: see
    /// [`super::Bm25::from_env`]).
    pub(crate) bm25: Bm25,
}

impl SearchTable {
    /// The table named by `SEARCH_TABLE`, scored with `SEARCH_BM25_K1` and
    /// `SEARCH_BM25_B` (as the indexer is).
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `SEARCH_TABLE` is unset, [`ConfigError::Invalid`]
    /// for BM25 parameters out of range.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(client, config::required("SEARCH_TABLE")?).with_bm25(Bm25::from_env()?))
    }

    /// The table named `table`, scored with the default BM25 parameters.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            bm25: Bm25::default(),
        }
    }

    /// The same table, scored with `bm25`.
    pub fn with_bm25(self, bm25: Bm25) -> Self {
        Self { bm25, ..self }
    }
}

/// What the index knows of one goods item: its terms with their impacts, and what the
/// filters need.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    /// Term → impact (scaled by [`IMPACT_SCALE`]).
    #[serde(default)]
    pub terms: BTreeMap<String, u64>,
    /// Each term's occurrences per field, packed ([`super::pack_tf`]): with `lens`, what
    /// lets a search score the document against the corpus's averages of now rather than
    /// the reference lengths of its impacts (empty for a document indexed before).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tf: BTreeMap<String, u32>,
    /// Category, as [`category_key`] folds it.
    #[serde(default)]
    pub cat: String,
    /// Category as the merchant wrote it (what a facet shows).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The name's phrases that complete a typed word ([`super::suggest`]).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub phrases: BTreeSet<String>,
    /// Price in minor units.
    #[serde(default)]
    pub price: i64,
    /// Field lengths in terms (name, description, category).
    #[serde(default)]
    pub lens: [u64; 3],
    /// Whether the goods are live (deleted goods have no terms).
    #[serde(default)]
    pub live: bool,
    /// Whether its terms are counted per field too ([`Counts`]: `c` and `f0..f2` of their
    /// counters); false for a document indexed before they were, which a reindex rewrites.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub counted: bool,
}

/// How far an impact may drift (relatively) before a reindex rewrites the document: the
/// corpus's average field lengths move a little with every goods item written, and
/// rewriting every document for that would make a reindex rewrite the whole index (and
/// reorder equal matches under a shopper paging through them) for no change in ranking.
pub const IMPACT_TOLERANCE: f64 = 0.01;

impl Doc {
    /// Whether `other` says the same: the same terms, category, price, phrases and
    /// lengths, and impacts within [`IMPACT_TOLERANCE`] of each other.
    pub fn in_step_with(&self, other: &Doc) -> bool {
        self.cat == other.cat
            && self.label == other.label
            && self.price == other.price
            && self.lens == other.lens
            && self.live == other.live
            && self.counted == other.counted
            && self.phrases == other.phrases
            && self.tf == other.tf
            && self.terms.len() == other.terms.len()
            && self.terms.iter().zip(&other.terms).all(|((a, x), (b, y))| {
                a == b && (*x as f64 - *y as f64).abs() <= IMPACT_TOLERANCE * (*x).max(*y) as f64
            })
    }

    /// The terms of the name (from the occurrences it keeps; none for a document indexed
    /// before it kept them).
    pub fn name_terms(&self) -> BTreeSet<String> {
        self.tf
            .iter()
            .filter(|(_, &tf)| super::unpack_tf(tf)[0] > 0)
            .map(|(term, _)| term.clone())
            .collect()
    }

    /// What this document adds to each of its terms' counters: `df`, `c` and `f0..f2`
    /// ([`Counts`]); only `df` for a document not [`Doc::counted`] per field.
    pub(crate) fn counts(&self) -> BTreeMap<&String, [i64; 5]> {
        self.terms
            .keys()
            .map(|term| {
                let mut counts = [1, 0, 0, 0, 0];
                if self.counted {
                    let tf = self.tf.get(term).map_or([0; 3], |&tf| super::unpack_tf(tf));
                    counts[1] = 1;
                    for f in 0..3 {
                        counts[2 + f] = i64::from(tf[f] > 0);
                    }
                }
                (term, counts)
            })
            .collect()
    }

    /// The posting keys this document owns.
    pub(crate) fn postings(&self) -> BTreeSet<(String, u64)> {
        let mut keys = BTreeSet::new();
        for (term, impact) in &self.terms {
            keys.insert((posting_pk(term, None), *impact));
            keys.insert((posting_pk(term, Some(&self.cat)), *impact));
        }
        keys
    }
}

/// The attributes of a term's counter item: documents with the term (`df`), those of them
/// counted per field (`c`), and those with it in the name, description and category.
pub(crate) const COUNTERS: [&str; 5] = ["df", "c", "f0", "f1", "f2"];

/// A term's counters ([`df_key`]): in how many documents it is, and, once every one of
/// them is counted per field (after a reindex of an index older than these counts), in
/// how many of them it is in each field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Documents with the term in any field.
    pub df: u64,
    /// Documents with it in the name, description and category, when known for all.
    pub fields: Option<[u64; 3]>,
}

impl Counts {
    /// The term and its counts, from a counter item (`None` for another item).
    pub fn from_item(item: &Item) -> Option<(String, Counts)> {
        let term = crate::store::string_attr(item, "pk").strip_prefix("F#")?;
        let number = |name: &str| crate::store::number_attr(item, name).max(0) as u64;
        let df = number("df");
        let fields =
            (df > 0 && number("c") == df).then(|| [number("f0"), number("f1"), number("f2")]);
        Some((term.to_owned(), Counts { df, fields }))
    }

    /// The term's `idf` in each field over a corpus of `n` documents (its `idf` over
    /// the whole document in each, while the per-field counts are incomplete).
    pub fn idfs(&self, n: u64) -> [f64; 3] {
        match self.fields {
            Some(fields) => fields.map(|df| super::idf(n, df)),
            None => [super::idf(n, self.df); 3],
        }
    }

    /// Which fields some document has the term in (all, while unknown).
    pub fn present(&self) -> [bool; 3] {
        self.fields
            .map_or([true; 3], |fields| fields.map(|df| df > 0))
    }
}

/// The greatest of `idfs` over the fields `present`: what bounds the contribution of a
/// posting, whose field the posting doesn't say (a field without the term must not lend
/// it its idf, the highest of all).
pub fn greatest(idfs: [f64; 3], present: [bool; 3]) -> f64 {
    (0..3)
        .filter(|&f| present[f])
        .map(|f| idfs[f])
        .fold(0.0, f64::max)
}

/// A change being applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Plan {
    pub(crate) ver: String,
    pub(crate) doc: Doc,
    pub(crate) step: u32,
}

/// The document item.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct DocItem {
    #[serde(default)]
    pub(crate) ver: Option<String>,
    #[serde(default)]
    pub(crate) doc: Doc,
    #[serde(default)]
    pub(crate) plan: Option<Plan>,
}

/// Corpus statistics.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Stats {
    /// Live documents.
    #[serde(default)]
    pub n: i64,
    #[serde(default)]
    len0: i64,
    #[serde(default)]
    len1: i64,
    #[serde(default)]
    len2: i64,
}

impl Stats {
    /// Adds a shard.
    pub fn add(&mut self, shard: &Stats) {
        self.n += shard.n;
        self.len0 += shard.len0;
        self.len1 += shard.len1;
        self.len2 += shard.len2;
    }

    /// The average length of `field` (name, description, category) over the live
    /// documents, when there are any.
    pub fn average(&self, field: usize) -> Option<f64> {
        let sum = [self.len0, self.len1, self.len2][field];
        (self.n > 0 && sum > 0).then(|| sum as f64 / self.n as f64)
    }
}

/// The document item's key.
pub(crate) fn doc_key(goods_id: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), string_value(format!("D#{goods_id}"))),
        ("sk".to_owned(), string_value("D")),
    ])
}

/// A counter item's key.
pub(crate) fn df_key(term: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), string_value(format!("F#{term}"))),
        ("sk".to_owned(), string_value("F")),
    ])
}

/// Statistics are spread over this many items, so that indexing many goods at once
/// doesn't make one item every transaction's point of conflict; readers add them up.
pub const STATS_SHARDS: u32 = 16;

/// A statistics shard's key.
pub(crate) fn stats_key(shard: u32) -> Item {
    HashMap::from([
        ("pk".to_owned(), string_value(format!("STATS#{shard:02}"))),
        ("sk".to_owned(), string_value("STATS")),
    ])
}

/// Every statistics shard's key.
pub(crate) fn stats_keys() -> impl Iterator<Item = Item> {
    (0..STATS_SHARDS).map(stats_key)
}

/// The shard a goods item's statistics go to.
pub(crate) fn stats_shard(goods_id: &str) -> u32 {
    goods_id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % STATS_SHARDS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{idf, pack_tf};
    use crate::store::number_value;

    #[test]
    fn a_counted_document_adds_to_its_terms_fields_and_an_older_one_only_to_df() {
        let mut doc = Doc {
            terms: BTreeMap::from([("red".to_owned(), 10), ("kettl".to_owned(), 20)]),
            tf: BTreeMap::from([
                ("red".to_owned(), pack_tf([1, 2, 0])),
                ("kettl".to_owned(), pack_tf([0, 0, 1])),
            ]),
            live: true,
            counted: true,
            ..Doc::default()
        };
        let counts = doc.counts();
        assert_eq!(counts[&"red".to_owned()], [1, 1, 1, 1, 0]);
        assert_eq!(counts[&"kettl".to_owned()], [1, 1, 0, 0, 1]);
        doc.counted = false;
        assert_eq!(doc.counts()[&"red".to_owned()], [1, 0, 0, 0, 0]);
        assert!(Doc::default().counts().is_empty());
    }

    #[test]
    fn per_field_counts_are_used_only_once_every_document_of_the_term_is_counted() {
        let item = |counts: [i64; 5]| {
            let mut item = df_key("gift");
            for (name, value) in COUNTERS.iter().zip(counts) {
                item.insert((*name).to_owned(), number_value(value));
            }
            item
        };
        let (term, complete) = Counts::from_item(&item([6, 6, 1, 5, 0])).unwrap();
        assert_eq!(term, "gift");
        assert_eq!(complete.fields, Some([1, 5, 0]));
        assert_eq!(complete.idfs(100), [idf(100, 1), idf(100, 5), idf(100, 0)]);
        assert_eq!(complete.present(), [true, true, false]);
        // A field without the term doesn't lend it its (highest) idf.
        let bound = greatest(complete.idfs(100), complete.present());
        assert_eq!(bound, idf(100, 1));
        // Two of the six documents indexed before per-field counts: the whole `df`.
        let (_, partial) = Counts::from_item(&item([6, 4, 1, 3, 0])).unwrap();
        assert_eq!(partial.fields, None);
        assert_eq!(partial.idfs(100), [idf(100, 6); 3]);
        assert_eq!(partial.present(), [true; 3]);
        assert!(Counts::from_item(&doc_key("x")).is_none());
    }
}
