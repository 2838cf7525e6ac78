//! `--tune`: the known-item MRR of ranking formulas and their parameters over the demo
//! catalogue, every query scored exhaustively in memory with the index's own analyzer
//! (no stack, no posting budget: what the formula itself is worth, a grid in seconds).
//!
//! Two formulas, over the same fields and weights:
//! - **BM25F** (what the index has kept so far): a term's weighted, length-normalised
//!   frequencies are summed over the fields and saturated once,
//!   `idf(df) · tf(k1+1)/(tf+k1)` with `tf = Σ w_f·tf_f/norm_f` and one `df` for the
//!   document;
//! - **per-field BM25** (what Lucene and tantivy do with several fields): each field is
//!   saturated on its own and weighted, `Σ_f w_f · idf(df_f) · tf_f(k1+1)/(tf_f+k1·norm_f)`,
//!   with each field's own `df` (or, to tell the two changes apart, the document's).

use std::collections::HashMap;

use shop::search::analysis::{Analyzer, Mode};
use shop::search::idf;

/// Fields in the index's order: name, description, category.
const FIELDS: usize = 3;

/// How a document's fields make one score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Formula {
    /// Frequencies summed over fields, saturated once, one `df`.
    Bm25f,
    /// The same saturation, and the `idf` of each field the term is in, weighted by
    /// that field's share of the frequency (what the index does since per-field `df`).
    Bm25fFieldIdf,
    /// Each field saturated on its own; `field_df`: with that field's own `df`.
    PerField { field_df: bool },
}

/// One point of the grid.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub formula: Formula,
    pub k1: f64,
    pub b: f64,
    pub weights: [f64; FIELDS],
    /// Each document normalised against the average lengths of the documents indexed
    /// before it (as the indexer does, one goods item after another, until a reindex),
    /// rather than the final ones.
    pub as_indexed: bool,
}

struct Document {
    /// Term frequencies, per field.
    tf: [HashMap<String, u32>; FIELDS],
    /// Lengths as the indexer counts them (query terms).
    len: [f64; FIELDS],
    /// The average lengths when it was indexed: of the documents before it (its own
    /// for the first).
    seen: [f64; FIELDS],
}

/// The catalogue, analysed once.
pub struct Corpus {
    docs: Vec<Document>,
    /// Documents with the term anywhere, and in each field.
    df: HashMap<String, (u64, [u64; FIELDS])>,
    /// For each term, the documents that have it.
    postings: HashMap<String, Vec<usize>>,
    average: [f64; FIELDS],
}

impl Corpus {
    /// `fields` of each document: name, description, category.
    pub fn new<'a>(analyzer: &Analyzer, fields: impl Iterator<Item = [&'a str; FIELDS]>) -> Self {
        let mut docs = Vec::new();
        let mut df: HashMap<String, (u64, [u64; FIELDS])> = HashMap::new();
        let mut postings: HashMap<String, Vec<usize>> = HashMap::new();
        let mut total = [0.0; FIELDS];
        for (i, texts) in fields.enumerate() {
            let mut doc = Document {
                tf: Default::default(),
                len: [0.0; FIELDS],
                seen: [0.0; FIELDS],
            };
            for (f, text) in texts.iter().enumerate() {
                for term in analyzer.terms(text, Mode::Document) {
                    *doc.tf[f].entry(term).or_default() += 1;
                }
                doc.len[f] = analyzer.terms(text, Mode::Query).len() as f64;
                doc.seen[f] = if i == 0 {
                    doc.len[f]
                } else {
                    total[f] / i as f64
                }
                .max(1.0);
                total[f] += doc.len[f];
            }
            let mut terms: Vec<&String> = doc.tf.iter().flat_map(|tf| tf.keys()).collect();
            terms.sort();
            terms.dedup();
            for term in terms {
                let entry = df.entry(term.clone()).or_default();
                entry.0 += 1;
                for f in 0..FIELDS {
                    entry.1[f] += u64::from(doc.tf[f].contains_key(term));
                }
                postings.entry(term.clone()).or_default().push(i);
            }
            docs.push(doc);
        }
        let n = docs.len().max(1) as f64;
        Self {
            average: total.map(|t| (t / n).max(1.0)),
            docs,
            df,
            postings,
        }
    }

    fn score(&self, p: &Params, term: &str, d: usize) -> f64 {
        let n = self.docs.len() as u64;
        let doc = &self.docs[d];
        let (df, dfs) = self.df[term];
        let average = if p.as_indexed { doc.seen } else { self.average };
        let norm = |f: usize| 1.0 - p.b + p.b * doc.len[f] / average[f];
        match p.formula {
            Formula::Bm25f => {
                let tf: f64 = (0..FIELDS)
                    .map(|f| {
                        let count = f64::from(doc.tf[f].get(term).copied().unwrap_or(0));
                        p.weights[f] * count / norm(f)
                    })
                    .sum();
                idf(n, df) * tf * (p.k1 + 1.0) / (tf + p.k1)
            }
            Formula::Bm25fFieldIdf => {
                let shares: Vec<(f64, u64)> = (0..FIELDS)
                    .map(|f| {
                        let count = f64::from(doc.tf[f].get(term).copied().unwrap_or(0));
                        (p.weights[f] * count / norm(f), dfs[f])
                    })
                    .collect();
                let tf: f64 = shares.iter().map(|s| s.0).sum();
                let weighted: f64 = shares.iter().map(|&(s, df)| s * idf(n, df)).sum();
                weighted * (p.k1 + 1.0) / (tf + p.k1)
            }
            Formula::PerField { field_df } => (0..FIELDS)
                .filter_map(|f| {
                    let count = f64::from(*doc.tf[f].get(term)?);
                    let df = if field_df { dfs[f] } else { df };
                    let saturated = count * (p.k1 + 1.0) / (count + p.k1 * norm(f));
                    Some(p.weights[f] * idf(n, df) * saturated)
                })
                .sum(),
        }
    }

    /// The best ten documents for `terms`, best first (ties: the earlier document).
    pub fn top10(&self, p: &Params, terms: &[String]) -> Vec<usize> {
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for term in terms {
            for &d in self.postings.get(term).into_iter().flatten() {
                *scores.entry(d).or_default() += self.score(p, term, d);
            }
        }
        let mut ranked: Vec<(usize, f64)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().take(10).map(|(d, _)| d).collect()
    }

    /// Mean NDCG@10 over a judged set.
    pub fn graded(&self, p: &Params, analyzer: &Analyzer, judged: &[Judged]) -> f64 {
        mean_ndcg(judged, |text| {
            let terms: Vec<String> = analyzer
                .query_words(text)
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            self.top10(p, &terms)
        })
    }

    /// Known-item MRR and hit@10 of `queries` (text, the document sought).
    pub fn known_items(
        &self,
        p: &Params,
        analyzer: &Analyzer,
        queries: &[(String, usize)],
    ) -> (f64, f64) {
        let (mut rr, mut hits) = (0.0, 0usize);
        for (text, target) in queries {
            let terms: Vec<String> = analyzer
                .query_words(text)
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            if let Some(r) = self.top10(p, &terms).iter().position(|d| d == target) {
                rr += 1.0 / (r + 1) as f64;
                hits += 1;
            }
        }
        let n = queries.len().max(1) as f64;
        (rr / n, hits as f64 / n)
    }
}

/// A query and how relevant each document is to it (documents not listed: 0).
pub struct Judged {
    pub text: String,
    pub grades: HashMap<usize, u32>,
}

/// Mean NDCG@10 over a judged set of a ranking (`rank`: a query's documents, best first).
pub fn mean_ndcg(judged: &[Judged], rank: impl Fn(&str) -> Vec<usize>) -> f64 {
    let total: f64 = judged.iter().map(|j| ndcg(&rank(&j.text), &j.grades)).sum();
    total / judged.len().max(1) as f64
}

/// NDCG@10 of `ranked` (documents, best first) against `grades`:
/// `Σ (2^grade − 1) / log2(rank + 1)` over the ideal order's.
pub fn ndcg(ranked: &[usize], grades: &HashMap<usize, u32>) -> f64 {
    let gain =
        |grade: u32, rank: usize| f64::from((1u32 << grade) - 1) / (rank as f64 + 2.0).log2();
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(r, d)| gain(grades.get(d).copied().unwrap_or(0), r))
        .sum();
    let mut ideal: Vec<u32> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(r, &g)| gain(g, r))
        .sum();
    if best > 0.0 {
        dcg / best
    } else {
        0.0
    }
}
