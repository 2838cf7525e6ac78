//! `--budget`: the posting budget of `shared/src/search/query.rs` replayed in memory over
//! the bench's growing catalogue (the products, then their perturbed copies), against the
//! exhaustive ranking of the same scores: what the cut loses at 100,000 goods and what
//! would keep it, in seconds instead of the stack's hour of loading.
//!
//! The replay follows the search step by step, without corrections or name bonuses (as the
//! bench's retrieval table): each term's list ordered by its stored impact (best first,
//! then the goods id), pages shared out by [`shares`], candidates ranked by what they
//! could score, the best [`CANDIDATES`] scored from their occurrences against the averages
//! of now, ties broken by goods id. Variants:
//! - **stored impacts** against the averages of the documents before each one (what the
//!   index held when goods arrived one by one, before impacts used fixed reference
//!   lengths), against the final averages (what a reindex gave then), or against
//!   reference lengths: the index's [`REFERENCE_AVERAGES`], or half or twice them;
//! - **the conjunctive probe** (`shop::search::query`'s, built after this replay showed
//!   what it keeps): one more Query on the query's shortest list, filtered to the
//!   postings whose goods have every other query word in the name, evaluating at most
//!   [`PROBE_SCAN`] postings; its first matches join the shortlist first.

use std::collections::{HashMap, HashSet};

use shop::search::analysis::{Analyzer, Mode};
use shop::search::index::Counts;
use shop::search::query::{shares, CANDIDATES, MAX_PAGE, POSTING_BUDGET, PROBE_SCAN};
use shop::search::table::greatest;
use shop::search::{Bm25, IMPACT_SCALE, REFERENCE_AVERAGES};

struct Document {
    /// Occurrences per field, by term.
    tf: HashMap<String, [u32; 3]>,
    lens: [u64; 3],
}

/// The catalogue, analysed, with its lists in both orders.
pub struct Index {
    docs: Vec<Document>,
    /// Term → (impact as indexed, impact as reindexed, document), unsorted.
    postings: HashMap<String, Vec<(u64, u64, u32)>>,
    /// Term → impacts against the reference lengths times ½, 1 and 2, by document.
    reference: HashMap<String, Vec<[u64; 3]>>,
    /// Term → documents with it in the name, description and category.
    field_df: HashMap<String, [u64; 3]>,
    averages: [Option<f64>; 3],
}

/// What the stored impacts are normalised against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stored {
    /// The averages of the documents indexed before each one.
    AsIndexed,
    /// The final averages.
    Final,
    /// The reference lengths times 0.5 (`0`), 1 (`1`) or 2 (`2`).
    Reference(usize),
}

/// How the replay reads.
#[derive(Debug, Clone, Copy)]
pub struct Variant {
    pub stored: Stored,
    /// The conjunctive probe, keeping at most this many matches (0: no probe).
    pub probe: usize,
}

impl Index {
    /// Documents in the order they are indexed: name, description, category.
    pub fn new(analyzer: &Analyzer, fields: &[[String; 3]]) -> Self {
        let bm25 = Bm25::default();
        let mut docs = Vec::with_capacity(fields.len());
        let mut indexed: Vec<Vec<(String, u64)>> = Vec::with_capacity(fields.len());
        let mut total = [0u64; 3];
        for (i, texts) in fields.iter().enumerate() {
            let mut tf: HashMap<String, [u32; 3]> = HashMap::new();
            for (f, text) in texts.iter().enumerate() {
                for term in analyzer.terms(text, Mode::Document) {
                    tf.entry(term).or_default()[f] += 1;
                }
            }
            let lens = texts
                .each_ref()
                .map(|text| analyzer.terms(text, Mode::Query).len() as u64);
            let before = (0..3).map(|f| (i > 0).then(|| total[f] as f64 / i as f64));
            let before: Vec<Option<f64>> = before.collect();
            let averages = [before[0], before[1], before[2]];
            indexed.push(
                tf.iter()
                    .map(|(t, &counts)| (t.clone(), scaled(bm25.impact(counts, lens, averages))))
                    .collect(),
            );
            for f in 0..3 {
                total[f] += lens[f];
            }
            docs.push(Document { tf, lens });
        }
        let n = docs.len().max(1) as f64;
        let averages = total.map(|t| Some(t as f64 / n));
        let mut postings: HashMap<String, Vec<(u64, u64, u32)>> = HashMap::new();
        let mut fixed: HashMap<String, Vec<[u64; 3]>> = HashMap::new();
        let mut field_df: HashMap<String, [u64; 3]> = HashMap::new();
        for (d, terms) in indexed.into_iter().enumerate() {
            for (term, then) in terms {
                let counts = field_df.entry(term.clone()).or_default();
                for (f, count) in counts.iter_mut().enumerate() {
                    *count += u64::from(docs[d].tf[&term][f] > 0);
                }
                let now = scaled(bm25.impact(docs[d].tf[&term], docs[d].lens, averages));
                let against = |times: f64| {
                    let lengths = REFERENCE_AVERAGES.map(|a| Some(a * times));
                    scaled(bm25.impact(docs[d].tf[&term], docs[d].lens, lengths))
                };
                fixed.entry(term.clone()).or_default().push([
                    against(0.5),
                    against(1.0),
                    against(2.0),
                ]);
                postings
                    .entry(term)
                    .or_default()
                    .push((then, now, d as u32));
            }
        }
        Self {
            docs,
            postings,
            reference: fixed,
            field_df,
            averages,
        }
    }

    /// What a document scores for `terms` (with their idf in each field, and the greatest
    /// over the fields they are in), as a search's exact step.
    fn score(&self, d: u32, terms: &[(&String, [f64; 3], f64)]) -> f64 {
        let doc = &self.docs[d as usize];
        terms
            .iter()
            .filter_map(|(t, idfs, _)| {
                let tf = *doc.tf.get(*t)?;
                Some(Bm25::default().score(tf, doc.lens, self.averages, *idfs) * IMPACT_SCALE)
            })
            .sum()
    }

    /// The query's terms that the index has, with their idf in each field and the
    /// greatest over the fields they are in (what bounds a posting's contribution).
    fn terms<'a>(&'a self, analyzer: &Analyzer, text: &str) -> Vec<(&'a String, [f64; 3], f64)> {
        let mut words = analyzer.terms(text, Mode::Query);
        words.sort();
        words.dedup();
        let n = self.docs.len() as u64;
        words
            .iter()
            .filter_map(|w| self.field_df.get_key_value(w))
            .map(|(t, &fields)| {
                let counts = Counts {
                    df: self.postings[t].len() as u64,
                    fields: Some(fields),
                };
                let idfs = counts.idfs(n);
                (t, idfs, greatest(idfs, counts.present()))
            })
            .collect()
    }

    /// The exhaustive top 10: every document with any of the terms, scored.
    pub fn exhaustive(&self, analyzer: &Analyzer, text: &str) -> Vec<u32> {
        let terms = self.terms(analyzer, text);
        let met: HashSet<u32> = terms
            .iter()
            .flat_map(|(t, _, _)| self.postings[*t].iter().map(|p| p.2))
            .collect();
        top10(met.into_iter().map(|d| (d, self.score(d, &terms))))
    }

    /// The budgeted top 10 of a variant.
    pub fn budgeted(&self, analyzer: &Analyzer, text: &str, variant: Variant) -> Vec<u32> {
        let terms = self.terms(analyzer, text);
        if terms.is_empty() {
            return Vec::new();
        }
        let lists: Vec<Vec<(u64, u32)>> = terms
            .iter()
            .map(|(t, _, _)| {
                let mut list: Vec<(u64, u32)> = self.postings[*t]
                    .iter()
                    .zip(&self.reference[*t])
                    .map(|(&(then, now, d), fixed)| {
                        let impact = match variant.stored {
                            Stored::AsIndexed => then,
                            Stored::Final => now,
                            Stored::Reference(i) => fixed[i],
                        };
                        (impact, d)
                    })
                    .collect();
                list.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                list
            })
            .collect();
        let lengths: Vec<(u64, usize)> = lists.iter().map(|l| (l.len() as u64, 2)).collect();
        let pages = shares(&lengths, POSTING_BUDGET, MAX_PAGE);
        // Candidate → (best contribution per term, lists seen in).
        let mut candidates: HashMap<u32, (Vec<f64>, u32)> = HashMap::new();
        let mut frontiers = vec![0u64; lists.len()];
        for (i, (list, page)) in lists.iter().zip(&pages).enumerate() {
            let page = (*page).max(1);
            for &(impact, d) in list.iter().take(page) {
                let c = candidates
                    .entry(d)
                    .or_insert_with(|| (vec![0.0; lists.len()], 0));
                c.0[i] = terms[i].2 * impact as f64;
                c.1 |= 1 << i;
            }
            if list.len() > page {
                frontiers[i] = list[page - 1].0;
            }
        }
        let mut shortlist: Vec<(f64, f64, u32)> = candidates
            .into_iter()
            .map(|(d, (best, seen))| {
                let bound: f64 = (0..lists.len())
                    .map(|i| {
                        if seen & (1 << i) != 0 {
                            best[i]
                        } else {
                            terms[i].2 * frontiers[i] as f64
                        }
                    })
                    .sum();
                (bound, best.iter().sum(), d)
            })
            .collect();
        shortlist.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| b.1.total_cmp(&a.1))
                .then_with(|| a.2.cmp(&b.2))
        });
        let mut chosen: Vec<u32> = Vec::with_capacity(CANDIDATES);
        if variant.probe > 0 && terms.len() > 1 {
            let shortest = (0..lists.len()).min_by_key(|&i| lists[i].len()).unwrap();
            let others: Vec<&String> = (0..terms.len())
                .filter(|&i| i != shortest)
                .map(|i| terms[i].0)
                .collect();
            chosen.extend(
                lists[shortest]
                    .iter()
                    .take(PROBE_SCAN)
                    .filter(|(_, d)| {
                        let tf = &self.docs[*d as usize].tf;
                        others.iter().all(|t| tf.get(*t).is_some_and(|c| c[0] > 0))
                    })
                    .take(variant.probe)
                    .map(|(_, d)| *d),
            );
        }
        let probed: HashSet<u32> = chosen.iter().copied().collect();
        chosen.extend(
            shortlist
                .into_iter()
                .map(|(_, _, d)| d)
                .filter(|d| !probed.contains(d))
                .take(CANDIDATES.saturating_sub(probed.len())),
        );
        top10(chosen.into_iter().map(|d| (d, self.score(d, &terms))))
    }
}

fn scaled(impact: f64) -> u64 {
    (impact * IMPACT_SCALE).round().max(1.0) as u64
}

/// Best ten by score, ties by goods id (the documents' order).
fn top10(scored: impl Iterator<Item = (u32, f64)>) -> Vec<u32> {
    let mut scored: Vec<(u32, f64)> = scored.collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().take(10).map(|(d, _)| d).collect()
}
