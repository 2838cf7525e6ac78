//! The model's counts kept in memory, applied exactly as the consumer applies them to
//! DynamoDB: the reference the benchmarks and tests compare with.

use std::collections::{HashMap, HashSet};

use super::model::{pair, recommend, seeds, Kind, Neighbours, Recommendation, Strategy, Window};

/// Counts kept in memory, applied exactly as the consumer applies them to DynamoDB:
/// for benchmarks and tests.
#[derive(Debug, Default)]
pub struct MemoryModel {
    /// Users' windows.
    pub windows: HashMap<String, Window>,
    /// `n(i)`.
    pub n: HashMap<String, u64>,
    /// `c(i, j)`, keyed with `i < j`.
    pub pairs: HashMap<(String, String), u64>,
    /// Neighbour lists.
    pub lists: HashMap<String, Neighbours>,
    /// Purchases per goods.
    pub purchases: HashMap<String, u64>,
}

impl MemoryModel {
    /// Applies one interaction.
    pub fn apply(&mut self, user: &str, goods: &str, kind: Kind, at: i64) {
        if kind == Kind::Bought {
            *self.purchases.entry(goods.to_owned()).or_default() += 1;
        }
        let window = self.windows.entry(user.to_owned()).or_default();
        let Some(partners) = window.record(goods, kind, at) else {
            return;
        };
        // New to the window: the goods count once more, and co-occur once with each
        // partner.
        *self.n.entry(goods.to_owned()).or_default() += 1;
        for j in &partners {
            *self.pairs.entry(pair(goods, j)).or_default() += 1;
        }
        self.refresh(goods, &partners);
    }

    /// Brings the neighbour lists of `goods` and its partners up to date.
    pub fn refresh(&mut self, goods: &str, partners: &[String]) {
        let n_g = self.n.get(goods).copied().unwrap_or(0);
        for j in partners {
            let c = self.pairs.get(&pair(goods, j)).copied().unwrap_or(0);
            let n_j = self.n.get(j).copied().unwrap_or(0);
            let list = self.lists.entry(goods.to_owned()).or_default();
            list.nb.insert(j.clone(), [c, n_j]);
            list.trim();
            let other = self.lists.entry(j.clone()).or_default();
            other.nb.insert(goods.to_owned(), [c, n_g]);
            other.trim();
        }
    }

    /// Recommendations for a user, as the API computes them.
    pub fn recommend(
        &self,
        user: &str,
        strategy: Strategy,
        now: i64,
        exclude: &HashSet<String>,
        limit: usize,
    ) -> Vec<Recommendation> {
        let window = self.windows.get(user).cloned().unwrap_or_default();
        let seeds = seeds(strategy, &window, &[], now);
        let lists: HashMap<String, (u64, Neighbours)> = seeds
            .iter()
            .filter_map(|s| {
                let list = self.lists.get(&s.goods)?.clone();
                Some((
                    s.goods.clone(),
                    (self.n.get(&s.goods).copied().unwrap_or(0), list),
                ))
            })
            .collect();
        recommend(&seeds, &lists, exclude, limit)
    }
}
