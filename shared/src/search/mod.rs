//! Keyword search: an inverted index kept in DynamoDB (`SEARCH_TABLE`), written by the
//! `index-goods` function from the goods table's stream and read by `search`.
//!
//! # Ranking
//! BM25F over three fields, name (weight 3), category (2) and description (1): a term's
//! weighted, length-normalised frequency `tf = Σ w_f·tf_f / (1 − b + b·len_f/avg_f)`
//! saturates as `impact = tf·(k1+1) / (tf + k1)`, and a document scores
//! `Σ_terms idf(t, d) · impact(t, d)` with `idf = ln(1 + (N − df + 0.5)/(df + 0.5))` of
//! each field the term is in, weighted by that field's share of the weighted frequency
//! (`Σ_f idf_f · w_f·tf_f/norm_f / tf`, [`Bm25::score`]): the index counts each term's
//! documents per field (`df_f`, as Lucene and tantivy keep per-field statistics), so a
//! word that every description repeats (`gift`, `free delivery`) keeps, in the names that
//! have it, the weight of a word in few names (measured in BENCHMARKS.md: with one `df`
//! for the whole document such boilerplate cut the known-item MRR of the queries with
//! one of its words from 0.63 to 0.34); plus a
//! proximity bonus: two neighbouring query words found side by side, in that order, in
//! the name add half the lesser of their two contributions (`bluetooth speaker` ranks
//! `Bluetooth Speaker, black` above `Black speaker with Bluetooth`), read from the
//! name's phrases that the document keeps for suggestions ([`query::PHRASE_WEIGHT`]);
//! and a name that has every word of a query of two or more scores a quarter more
//! ([`query::ALL_IN_NAME_WEIGHT`]: `red kettle` ranks a red kettle above a kettle whose
//! description mentions red).
//! `k1` and `b` are tunable (`SEARCH_BM25_K1`, `SEARCH_BM25_B`; read by the indexer, which
//! bakes them into the postings' impacts, and by `search`). A posting's impact depends
//! only on the document, normalised against fixed reference lengths
//! ([`REFERENCE_AVERAGES`]), so it is computed once, at indexing time, orders the posting
//! lists the same way whenever each goods item was indexed, and never goes stale as the
//! catalogue grows; only `idf` is computed per query, from counters (while a term's
//! per-field counts are incomplete — documents indexed before them, until a reindex —
//! its `df` over whole documents stands for every field's). The candidates'
//! exact scores are computed again from each term's occurrences per field, which the
//! document keeps (`tf`), against the corpus's averages of now. (Impacts against the
//! averages of the moment each goods item was indexed, as before, ordered the lists of a
//! grown catalogue by stale yardsticks: replayed over 100,000 goods, the budget kept
//! 44.2 % of the exhaustive top 10 with them, 68.8 % without; BENCHMARKS.md.) The next pages of a search score with
//! the corpus size and averages its first page used (its cursor carries them), so other
//! goods written meanwhile don't reorder the pages. A query word of 5 or more letters
//! also matches the index's terms one edit away (two from 9 letters), each correction
//! scoring less than the word typed ([`query`], [`typo`]). New parameters reach the
//! stored impacts through a reindex (`infra/reindex`, which runs
//! [`index::Indexer::refresh`] on every goods item).
//!
//! # Layout (one table, `pk`/`sk` strings)
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | posting | `T#{term}` | `{rank}#{goods_id}` | `p` price, `n` the name's terms (a string set, for the conjunctive probe of [`query`]) |
//! | posting, per category | `T#{term}#C#{category}` | `{rank}#{goods_id}` | `p` price, `n` |
//! | document | `D#{goods_id}` | `D` | `ver`, `terms` {term: impact}, `tf` {term: occurrences per field, a byte each}, `cat`, `price`, `lens`, `live`, `counted` (its terms are counted per field), and a plan while one is applied |
//! | document frequency | `F#{term}` | `F` | `df`; `c` of them counted per field, `f0..f2` those with it in the name, description, category ([`table::Counts`]); `v` when filed in the typo dictionary |
//! | corpus statistics, 16 shards | `STATS#{00..15}` | `STATS` | `n`, `len0..2` (summed field lengths) |
//! | typo dictionary: a delete | `V#{delete}` | `V` | `t` the terms filed under it ([`typo`]) |
//! | suggestion: a phrase under a prefix | `S#{prefix}` | `{phrase}` | `sn` goods whose name has it ([`suggest`]); the `by_prefix` GSI (`pk`, `sn`) orders them |
//!
//! `rank` is `99999999 − impact·10⁶`, zero-padded: a Query on a term's partition returns
//! its postings **best first**. That is what bounds the cost of a query. Each term's list
//! is read once, from the top, for a fixed number of postings (a budget shared among the
//! query's terms), and the documents that could score best are then scored exactly from
//! their document items (one BatchGetItem, projecting only the query's terms), which also
//! discards postings left behind by an unfinished update: see [`query`]. A common term
//! costs no more than a rare one, and a catalogue of 100,000 goods no more than one of
//! 1,000 — by construction, not by luck: an earlier version read further pages until the
//! threshold algorithm proved the top k, and on a large catalogue, where common terms have
//! thousands of near-equal impacts, that proof came ever later. A category filter reads
//! the per-category posting lists, so it costs no more than no filter and still finds the
//! category's best; a price range is filtered on the postings as they are read, within
//! the same budget.
//!
//! # Keeping it in step
//! The indexer reads the goods' **current** state (not the event's copy), so redelivered
//! and out-of-order events converge on the same index. A change is applied as a plan
//! recorded on the document item, so counters (`df`, `n`, lengths) move exactly once even
//! when an invocation dies half way or two invocations race: see [`index`]. The document
//! items, counters and statistics shards, with their keys, are [`table`]'s; text analysis
//! (English stemming, Chinese bigrams) is [`analysis`]'s; a page of results as the API
//! shows it, [`api`]'s. The typo dictionary and the suggestions' counters are kept by the
//! same plan: the dictionary's entries written with the postings (idempotently), the
//! phrases' counts moved with the `df` counters (exactly once).

pub mod analysis;
pub mod api;
pub mod index;
pub mod query;
pub mod suggest;
pub mod table;
pub mod typo;

use crate::config::{self, ConfigError};

/// Fields, in the order of the `lens` lists, with their BM25F weights.
pub const FIELD_WEIGHTS: [f64; 3] = [3.0, 1.0, 2.0];

/// Scale of the stored (integer) impacts.
pub const IMPACT_SCALE: f64 = 1_000_000.0;

/// The field lengths (name, description, category, in query terms) a posting's impact is
/// normalised against: fixed, so that every posting of a list is ordered by the same
/// yardstick whenever its goods were indexed, and a growing catalogue never leaves them
/// stale. A search scores its candidates against the corpus's averages of now; only the
/// order the lists are read in uses these. Replayed in memory over 100,000 goods
/// (`search --budget`, BENCHMARKS.md), references half or twice the real averages order
/// the lists as well as the real ones; with the averages of indexing time, which they
/// replace, the budget kept 44.2 % of the exhaustive top 10, with these 68.8 % (96.8 %
/// with the conjunctive probe of [`query`]).
pub const REFERENCE_AVERAGES: [f64; 3] = [6.0, 12.0, 2.0];

/// Ranks are `RANK_TOP − impact`, so that ascending order is best first.
const RANK_TOP: u64 = 99_999_999;

/// BM25 parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bm25 {
    /// Term-frequency saturation.
    pub k1: f64,
    /// Length normalisation.
    pub b: f64,
}

impl Default for Bm25 {
    fn default() -> Self {
        Self { k1: 1.2, b: 0.75 }
    }
}

impl Bm25 {
    /// `SEARCH_BM25_K1` and `SEARCH_BM25_B`, defaulting to 1.2 and 0.75.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for a value that isn't a sensible number.
    pub fn from_env() -> Result<Self, ConfigError> {
        let default = Self::default();
        let bm25 = Self {
            k1: config::parsed_or("SEARCH_BM25_K1", default.k1)?,
            b: config::parsed_or("SEARCH_BM25_B", default.b)?,
        };
        if !(0.0..=10.0).contains(&bm25.k1) || !(0.0..=1.0).contains(&bm25.b) {
            return Err(ConfigError::Invalid {
                name: "SEARCH_BM25_K1",
                reason: "k1 must be in 0..=10 and b (SEARCH_BM25_B) in 0..=1".into(),
            });
        }
        Ok(bm25)
    }

    /// The highest impact any posting can have.
    pub fn max_impact(&self) -> f64 {
        self.k1 + 1.0
    }

    /// A term's BM25F impact in a document where it occurs `tf` times in each field, of
    /// lengths `lens`, against the corpus's `averages` (a field without an average is
    /// its own).
    pub fn impact(&self, tf: [u32; 3], lens: [u64; 3], averages: [Option<f64>; 3]) -> f64 {
        self.saturate(self.weighted(tf, lens, averages).iter().sum())
    }

    /// A term's score in such a document when it has `idfs` in each field (name,
    /// description, category): its [`Bm25::impact`] times the `idf` of the fields it is
    /// in, each weighted by that field's share of its weighted frequency. A word that
    /// every description repeats keeps the `idf` it has in names where a name has it.
    pub fn score(
        &self,
        tf: [u32; 3],
        lens: [u64; 3],
        averages: [Option<f64>; 3],
        idfs: [f64; 3],
    ) -> f64 {
        let weighted = self.weighted(tf, lens, averages);
        let sum: f64 = weighted.iter().sum();
        if sum <= 0.0 {
            return 0.0;
        }
        let idf: f64 = weighted
            .iter()
            .zip(idfs)
            .map(|(w, idf)| w * idf)
            .sum::<f64>()
            / sum;
        idf * self.saturate(sum)
    }

    /// Each field's weighted, length-normalised frequency.
    fn weighted(&self, tf: [u32; 3], lens: [u64; 3], averages: [Option<f64>; 3]) -> [f64; 3] {
        [0, 1, 2].map(|f| {
            if tf[f] == 0 {
                return 0.0;
            }
            let len = lens[f] as f64;
            let average = averages[f].unwrap_or(len).max(1.0);
            let norm = 1.0 - self.b + self.b * len / average;
            FIELD_WEIGHTS[f] * f64::from(tf[f]) / norm
        })
    }

    fn saturate(&self, weighted: f64) -> f64 {
        weighted * (self.k1 + 1.0) / (weighted + self.k1)
    }
}

/// A term's occurrences per field (name, description, category) in one number, a byte
/// each (more than 255 count as 255), as a document keeps them ([`table::Doc::tf`]).
pub fn pack_tf(tf: [u32; 3]) -> u32 {
    tf.iter()
        .enumerate()
        .map(|(f, n)| n.min(&255) << (8 * f))
        .sum()
}

/// The occurrences [`pack_tf`] packed.
pub fn unpack_tf(packed: u32) -> [u32; 3] {
    [0, 1, 2].map(|f| (packed >> (8 * f)) & 0xff)
}

/// `idf` of a term found in `df` of `n` documents (never negative).
pub fn idf(n: u64, df: u64) -> f64 {
    let (n, df) = (n as f64, df.min(n) as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// A term's posting partition, optionally restricted to a category.
pub fn posting_pk(term: &str, category: Option<&str>) -> String {
    match category {
        None => format!("T#{term}"),
        Some(category) => format!("T#{term}#C#{category}"),
    }
}

/// A posting's sort key: best first.
pub fn posting_sk(impact: u64, goods_id: &str) -> String {
    format!("{:08}#{goods_id}", RANK_TOP.saturating_sub(impact))
}

/// The impact and goods of a posting's sort key.
pub fn parse_posting_sk(sk: &str) -> Option<(u64, &str)> {
    let (rank, goods_id) = sk.split_once('#')?;
    Some((RANK_TOP.checked_sub(rank.parse().ok()?)?, goods_id))
}

/// How categories are compared: as the goods listing does, case-insensitively.
pub fn category_key(category: &str) -> String {
    category.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posting_keys_sort_best_first_and_parse_back() {
        let high = posting_sk(2_000_000, "A");
        let low = posting_sk(15, "B");
        assert!(high < low);
        assert_eq!(parse_posting_sk(&high), Some((2_000_000, "A")));
        assert_eq!(parse_posting_sk(&low), Some((15, "B")));
        assert_eq!(parse_posting_sk("garbage"), None);
    }

    #[test]
    fn occurrences_pack_a_byte_a_field_and_unpack() {
        for tf in [[0, 0, 0], [1, 0, 0], [3, 1, 2], [255, 255, 255]] {
            assert_eq!(unpack_tf(pack_tf(tf)), tf);
        }
        assert_eq!(unpack_tf(pack_tf([300, 0, 1])), [255, 0, 1]);
    }

    #[test]
    fn an_impact_grows_with_occurrences_and_falls_with_length() {
        let bm25 = Bm25::default();
        let averages = [Some(4.0), Some(10.0), Some(1.0)];
        let once = bm25.impact([1, 0, 0], [4, 10, 1], averages);
        assert!(bm25.impact([2, 0, 0], [4, 10, 1], averages) > once);
        assert!(bm25.impact([1, 1, 0], [4, 10, 1], averages) > once);
        assert!(bm25.impact([1, 0, 0], [8, 10, 1], averages) < once);
        assert!(bm25.impact([9, 9, 9], [4, 10, 1], averages) < bm25.max_impact());
        // Against averages that were its own, a document is of average length.
        let own = bm25.impact([1, 0, 0], [8, 10, 1], [None; 3]);
        assert!((own - bm25.impact([1, 0, 0], [8, 10, 1], [Some(8.0), None, None])).abs() < 1e-12);
    }

    #[test]
    fn a_term_scores_the_idf_of_the_fields_it_is_in_weighted_by_their_share() {
        let bm25 = Bm25::default();
        let averages = [Some(4.0), Some(10.0), Some(1.0)];
        let lens = [4, 10, 1];
        let (rare, common) = (idf(1000, 2), idf(1000, 900));
        // In the name only: the name's idf, whatever the description's.
        let named = bm25.score([1, 0, 0], lens, averages, [rare, common, common]);
        let impact = bm25.impact([1, 0, 0], lens, averages);
        assert!((named - rare * impact).abs() < 1e-12);
        // In the description only: the description's.
        let described = bm25.score([0, 1, 0], lens, averages, [rare, common, common]);
        assert!((described - common * bm25.impact([0, 1, 0], lens, averages)).abs() < 1e-12);
        // In both: between the two, nearer the name's (weight 3 against 1).
        let both = bm25.score([1, 1, 0], lens, averages, [rare, common, common]);
        let idf_of_both = both / bm25.impact([1, 1, 0], lens, averages);
        assert!(idf_of_both < rare && idf_of_both > (rare + common) / 2.0);
        // One idf for every field is plain BM25F.
        let one = bm25.score([2, 1, 1], lens, averages, [rare; 3]);
        assert!((one - rare * bm25.impact([2, 1, 1], lens, averages)).abs() < 1e-12);
        assert_eq!(bm25.score([0, 0, 0], lens, averages, [rare; 3]), 0.0);
    }

    #[test]
    fn idf_falls_as_a_term_gets_common_and_stays_positive() {
        assert!(idf(1000, 1) > idf(1000, 10));
        assert!(idf(1000, 10) > idf(1000, 1000));
        assert!(idf(1000, 1000) > 0.0);
        assert!(idf(0, 5) > 0.0);
    }
}
