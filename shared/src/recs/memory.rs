//! The model's counts kept in memory, applied exactly as the consumer applies them to
//! DynamoDB: the reference the benchmarks and tests compare with.

use std::collections::{HashMap, HashSet};

use super::model::{
    cosine, pair, recommend, seeds, Kind, Neighbours, Recommendation, Strategy, Window, WINDOW,
};

/// Counts kept in memory, applied exactly as the consumer applies them to DynamoDB:
/// for benchmarks and tests.
#[derive(Debug)]
pub struct MemoryModel {
    /// Users' windows.
    pub windows: HashMap<String, Window>,
    /// `n(i)`.
    pub n: HashMap<String, u64>,
    /// `c(i, j)`, keyed with `i < j`.
    pub pairs: HashMap<(String, String), u64>,
    /// Purchases per goods, with their times (Unix seconds).
    pub purchases: HashMap<String, Vec<i64>>,
    /// Distinct goods in a window (normally [`WINDOW`]).
    pub window: usize,
}

impl Default for MemoryModel {
    fn default() -> Self {
        Self::with_window(WINDOW)
    }
}

impl MemoryModel {
    /// A model whose windows hold `window` goods.
    pub fn with_window(window: usize) -> Self {
        Self {
            windows: HashMap::new(),
            n: HashMap::new(),
            pairs: HashMap::new(),
            purchases: HashMap::new(),
            window,
        }
    }

    /// Applies one interaction.
    pub fn apply(&mut self, user: &str, goods: &str, kind: Kind, at: i64) {
        if kind == Kind::Bought {
            self.purchases.entry(goods.to_owned()).or_default().push(at);
        }
        let window = self.windows.entry(user.to_owned()).or_default();
        let Some(partners) = window.record_within(goods, kind, at, self.window) else {
            return;
        };
        // New to the window: the goods count once more, and co-occur once with each
        // partner.
        *self.n.entry(goods.to_owned()).or_default() += 1;
        for j in &partners {
            *self.pairs.entry(pair(goods, j)).or_default() += 1;
        }
    }

    /// Each goods item's `top_k` neighbours by cosine similarity.
    pub fn cosine_lists(&self, top_k: usize) -> HashMap<String, Neighbours> {
        let mut all: HashMap<&str, Vec<(String, f64)>> = HashMap::new();
        for ((i, j), c) in &self.pairs {
            let similarity = cosine(*c, self.n[i], self.n[j]);
            all.entry(i).or_default().push((j.clone(), similarity));
            all.entry(j).or_default().push((i.clone(), similarity));
        }
        all.into_iter()
            .map(|(i, entries)| (i.to_owned(), Neighbours::best(entries, top_k)))
            .collect()
    }

    /// Recommendations for a user from `lists`, as the API computes them.
    pub fn recommend(
        &self,
        user: &str,
        strategy: Strategy,
        now: i64,
        exclude: &HashSet<String>,
        limit: usize,
        lists: &HashMap<String, Neighbours>,
    ) -> Vec<Recommendation> {
        let window = self.windows.get(user).cloned().unwrap_or_default();
        let seeds = seeds(strategy, &window, &[], now);
        recommend(&seeds, lists, exclude, limit)
    }
}
