//! The recommendation model, free of storage: what an event changes, how similarity is
//! computed, and how a user's items become recommendations. The consumer applies it to
//! DynamoDB ([`super::store`]); the quality benchmark applies it to maps in memory.
//!
//! Item-to-item collaborative filtering after Linden, Smith & York (2003): two goods are
//! similar when the same users interact with both. Each user has a **window** of their
//! [`WINDOW`] most recent distinct goods (views, cart additions, purchases: their current
//! sessions and baskets). When goods enter a user's window, they co-occur once with each
//! of the goods already in it: `c(i, j)` goes up by one, and `n(i)`, the number of users
//! whose window took `i`, by one. Similarity is the cosine of the two goods' user vectors,
//! `c(i, j) / sqrt(n(i) · n(j))`.
//!
//! Work per event is bounded by the window: at most `WINDOW` pairs, however popular the
//! user or the goods. Each goods item keeps its best [`TOP_K`] neighbours (ranked by
//! `c(i, j) / sqrt(n(j))`, which orders them as the cosine does, `n(i)` being common to the
//! list) so that a read is one item.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// Distinct goods in a user's window.
pub const WINDOW: usize = 20;
/// Neighbours kept per goods item.
pub const TOP_K: usize = 50;
/// A neighbour list is cut back to [`TOP_K`] when it grows past this.
pub const TRIM_AT: usize = 2 * TOP_K;

/// How a user met goods; a window entry keeps every way they did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Viewed the goods.
    Viewed,
    /// Put them in the cart.
    InCart,
    /// Paid for them.
    Bought,
}

impl Kind {
    fn bit(self) -> u8 {
        match self {
            Self::Viewed => 1,
            Self::InCart => 2,
            Self::Bought => 4,
        }
    }
}

/// One goods item of a user's window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The goods.
    pub g: String,
    /// Ways the user met them (bits of [`Kind`]).
    pub k: u8,
    /// Last time, Unix seconds.
    pub t: i64,
}

impl Entry {
    /// Whether the user met the goods this way.
    pub fn has(&self, kind: Kind) -> bool {
        self.k & kind.bit() != 0
    }
}

/// A user's window, most recent first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// The entries, most recent first, at most [`WINDOW`].
    #[serde(default)]
    pub items: Vec<Entry>,
}

impl Window {
    /// Records an interaction. Goods new to the window answer the goods they now
    /// co-occur with (possibly none); goods already in it answer `None`.
    pub fn record(&mut self, goods: &str, kind: Kind, at: i64) -> Option<Vec<String>> {
        if let Some(entry) = self.items.iter_mut().find(|e| e.g == goods) {
            entry.k |= kind.bit();
            entry.t = entry.t.max(at);
            self.items
                .sort_by(|a, b| b.t.cmp(&a.t).then_with(|| a.g.cmp(&b.g)));
            return None;
        }
        let partners = self.items.iter().map(|e| e.g.clone()).collect();
        self.items.push(Entry {
            g: goods.to_owned(),
            k: kind.bit(),
            t: at,
        });
        self.items
            .sort_by(|a, b| b.t.cmp(&a.t).then_with(|| a.g.cmp(&b.g)));
        self.items.truncate(WINDOW);
        Some(partners)
    }
}

/// A goods item's best neighbours: `j → (c(i, j), n(j))` as last seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Neighbours {
    /// Neighbour → `[c(i, j), n(j)]`.
    #[serde(default)]
    pub nb: HashMap<String, [u64; 2]>,
}

impl Neighbours {
    /// The ranking key: the cosine without the list's common `sqrt(n(i))`.
    fn key(c: u64, n_j: u64) -> f64 {
        c as f64 / (n_j.max(1) as f64).sqrt()
    }

    /// Cuts the list back to the best [`TOP_K`] when it has grown past [`TRIM_AT`];
    /// answers whether it did.
    pub fn trim(&mut self) -> bool {
        if self.nb.len() <= TRIM_AT {
            return false;
        }
        let mut ranked: Vec<(String, [u64; 2])> = self.nb.drain().collect();
        ranked.sort_by(|a, b| {
            Self::key(b.1[0], b.1[1])
                .total_cmp(&Self::key(a.1[0], a.1[1]))
                .then_with(|| a.0.cmp(&b.0))
        });
        ranked.truncate(TOP_K);
        self.nb = ranked.into_iter().collect();
        true
    }

    /// Neighbours with their cosine similarity to an item seen by `n_i` users, best first.
    pub fn ranked(&self, n_i: u64) -> Vec<(String, f64)> {
        let mut ranked: Vec<(String, f64)> = self
            .nb
            .iter()
            .map(|(j, [c, n_j])| (j.clone(), cosine(*c, n_i, *n_j)))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(TOP_K);
        ranked
    }
}

/// Cosine similarity from co-occurrence and item counts (at most 1).
pub fn cosine(c: u64, n_i: u64, n_j: u64) -> f64 {
    (c as f64 / ((n_i.max(1) * n_j.max(1)) as f64).sqrt()).min(1.0)
}

/// The recommendation strategies of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// What the user browsed.
    History,
    /// What is in the user's cart.
    Cart,
    /// What the user bought and browsed.
    Behavior,
    /// All of the above, blended.
    Auto,
}

/// A goods item a recommendation starts from, and how much it counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    /// The user's goods.
    pub goods: String,
    /// Weight (kind and recency).
    pub weight: f64,
    /// Why it is one of the user's goods.
    pub kind: Kind,
}

/// Half-life of an interaction's weight, in seconds (a week).
pub const HALF_LIFE_SECS: f64 = 7.0 * 86_400.0;

/// The seeds of a strategy: the window's entries of the kinds it uses (and the cart's
/// goods), weighted by kind and halved every [`HALF_LIFE_SECS`] of age.
pub fn seeds(strategy: Strategy, window: &Window, cart: &[String], now: i64) -> Vec<Seed> {
    let weights: &[(Kind, f64)] = match strategy {
        Strategy::History => &[(Kind::Viewed, 1.0)],
        Strategy::Cart => &[(Kind::InCart, 1.0)],
        Strategy::Behavior => &[(Kind::Bought, 1.0), (Kind::Viewed, 0.5)],
        Strategy::Auto => &[
            (Kind::InCart, 1.0),
            (Kind::Bought, 0.8),
            (Kind::Viewed, 0.5),
        ],
    };
    let mut seeds: Vec<Seed> = Vec::new();
    if matches!(strategy, Strategy::Cart | Strategy::Auto) {
        for goods in cart {
            seeds.push(Seed {
                goods: goods.clone(),
                weight: 1.0,
                kind: Kind::InCart,
            });
        }
    }
    for entry in &window.items {
        if seeds.iter().any(|s| s.goods == entry.g) {
            continue;
        }
        // Cart entries of the window are history: the cart itself says what is in it now.
        let best = weights
            .iter()
            .filter(|(kind, _)| *kind != Kind::InCart && entry.has(*kind))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((kind, weight)) = best {
            let age = (now - entry.t).max(0) as f64;
            seeds.push(Seed {
                goods: entry.g.clone(),
                weight: weight * 0.5f64.powf(age / HALF_LIFE_SECS),
                kind: *kind,
            });
        }
    }
    seeds
}

/// One recommendation.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The goods.
    pub goods: String,
    /// `Σ seed weight · similarity`.
    pub score: f64,
    /// The seed that contributed most.
    pub because: Option<(String, Kind)>,
}

/// Merges the seeds' neighbour lists (`lists[seed] = (n(seed), neighbours)`), leaving
/// out `exclude` and the seeds themselves; best first, at most `limit`.
pub fn recommend(
    seeds: &[Seed],
    lists: &HashMap<String, (u64, Neighbours)>,
    exclude: &HashSet<String>,
    limit: usize,
) -> Vec<Recommendation> {
    let own: HashSet<&str> = seeds.iter().map(|s| s.goods.as_str()).collect();
    let mut scores: HashMap<&str, (f64, f64, &Seed)> = HashMap::new();
    for seed in seeds {
        let Some((n_i, list)) = lists.get(&seed.goods) else {
            continue;
        };
        for (j, sim) in list.ranked(*n_i) {
            if own.contains(j.as_str()) || exclude.contains(&j) {
                continue;
            }
            let Some((key, _)) = list.nb.get_key_value(&j) else {
                continue;
            };
            let contribution = seed.weight * sim;
            let entry = scores.entry(key.as_str()).or_insert((0.0, 0.0, seed));
            entry.0 += contribution;
            if contribution > entry.1 {
                entry.1 = contribution;
                entry.2 = seed;
            }
        }
    }
    let mut ranked: Vec<Recommendation> = scores
        .into_iter()
        .map(|(goods, (score, _, seed))| Recommendation {
            goods: goods.to_owned(),
            score,
            because: Some((seed.goods.clone(), seed.kind)),
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.goods.cmp(&b.goods))
    });
    ranked.truncate(limit);
    ranked
}

/// The key of a pair, smaller id first.
pub fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

pub use super::memory::MemoryModel;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goods_bought_together_become_each_others_neighbours() {
        let mut model = MemoryModel::default();
        for (user, goods) in [
            ("u1", ["tea", "cups"]),
            ("u2", ["tea", "cups"]),
            ("u3", ["tea", "lamp"]),
        ] {
            for (t, g) in goods.iter().enumerate() {
                model.apply(user, g, Kind::Bought, t as i64);
            }
        }
        assert_eq!(model.n["tea"], 3);
        assert_eq!(model.pairs[&pair("tea", "cups")], 2);
        let ranked = model.lists["tea"].ranked(model.n["tea"]);
        assert_eq!(ranked[0].0, "cups");
        assert!((ranked[0].1 - 2.0 / 6f64.sqrt()).abs() < 1e-9);
        assert_eq!(ranked[1].0, "lamp");
    }

    #[test]
    fn an_interaction_with_goods_already_in_the_window_counts_once() {
        let mut model = MemoryModel::default();
        model.apply("u", "a", Kind::Viewed, 1);
        model.apply("u", "b", Kind::Viewed, 2);
        model.apply("u", "a", Kind::InCart, 3);
        model.apply("u", "a", Kind::Bought, 4);
        assert_eq!(model.n["a"], 1);
        assert_eq!(model.pairs[&pair("a", "b")], 1);
        let window = &model.windows["u"];
        assert_eq!(window.items[0].g, "a");
        assert!(window.items[0].has(Kind::Bought) && window.items[0].has(Kind::Viewed));
    }

    #[test]
    fn the_window_and_the_work_per_event_are_bounded() {
        let mut window = Window::default();
        for i in 0..100 {
            let partners = window.record(&format!("g{i:03}"), Kind::Viewed, i).unwrap();
            assert!(partners.len() <= WINDOW);
        }
        assert_eq!(window.items.len(), WINDOW);
        assert_eq!(window.items[0].g, "g099");
    }

    #[test]
    fn neighbour_lists_are_cut_back_to_the_best() {
        let mut list = Neighbours::default();
        for i in 0..=TRIM_AT as u64 {
            list.nb.insert(format!("g{i:03}"), [i + 1, 10]);
        }
        assert!(list.trim());
        assert_eq!(list.nb.len(), TOP_K);
        assert!(list.nb.contains_key(&format!("g{TRIM_AT:03}")));
        assert!(!list.nb.contains_key("g000"));
    }

    #[test]
    fn recommendations_skip_the_seeds_and_excluded_goods_and_name_their_reason() {
        let mut model = MemoryModel::default();
        for user in ["a", "b", "c"] {
            model.apply(user, "tea", Kind::Bought, 1);
            model.apply(user, "cups", Kind::Bought, 2);
            model.apply(user, "pot", Kind::Viewed, 3);
        }
        model.apply("me", "tea", Kind::Viewed, 10);
        let recs = model.recommend("me", Strategy::History, 10, &HashSet::new(), 10);
        let goods: Vec<&str> = recs.iter().map(|r| r.goods.as_str()).collect();
        assert_eq!(goods.len(), 2);
        assert!(!goods.contains(&"tea"));
        assert_eq!(recs[0].because, Some(("tea".to_owned(), Kind::Viewed)));
        let excluded = HashSet::from(["cups".to_owned()]);
        let recs = model.recommend("me", Strategy::History, 10, &excluded, 10);
        assert_eq!(
            recs.iter().map(|r| r.goods.as_str()).collect::<Vec<_>>(),
            ["pot"]
        );
        assert!(model
            .recommend("me", Strategy::Cart, 10, &HashSet::new(), 10)
            .is_empty());
    }
}
