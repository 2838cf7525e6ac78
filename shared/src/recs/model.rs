//! The recommendation model, free of storage: what an event changes, how similarity is
//! computed, and how a user's items become recommendations. The consumer applies it to
//! DynamoDB ([`super::store`]); the quality benchmark applies it to maps in memory.
//!
//! Item-to-item collaborative filtering: two goods are related when the same users
//! interact with both. Each user has a **window** of their [`WINDOW`] most recent distinct
//! goods (views, cart additions, purchases: their current sessions and baskets). When goods
//! enter a user's window, they co-occur once with each of the goods already in it: `c(i, j)`
//! goes up by one, and `n(i)`, the number of times a window took `i`, by one. The consumer
//! keeps these counts ([`super::store`]); work per event is bounded by the window, at most
//! `WINDOW` pairs however popular the user or the goods.
//!
//! From the counts, the scheduled fit (`fit-similarity`, EASE: Steck 2019) learns each
//! goods item's weights to the others and keeps its best [`TOP_K`] as its
//! [`Neighbours`]. A user's goods are the **seeds** ([`seeds`]), weighted by how they met
//! them and by age; their neighbour lists are merged ([`recommend`]). Cosine similarity
//! (`c(i, j) / sqrt(n(i) · n(j))`, Linden, Smith & York 2003) is kept for the benchmark's
//! comparison ([`cosine`]).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// Distinct goods in a user's window.
pub const WINDOW: usize = 100;
/// Seeds a recommendation merges, at most (the heaviest): 50 lists are one BatchGetItem,
/// and the benchmark measured 50 well ahead of 20 (NDCG@10 +9 %) and close to 100.
pub const MAX_SEEDS: usize = 50;
/// Neighbours kept per goods item.
pub const TOP_K: usize = 50;

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
        self.record_within(goods, kind, at, WINDOW)
    }

    /// [`Window::record`] with a window of `size` instead of [`WINDOW`] (for the benchmark's
    /// comparison of sizes).
    pub fn record_within(
        &mut self,
        goods: &str,
        kind: Kind,
        at: i64,
        size: usize,
    ) -> Option<Vec<String>> {
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
        self.items.truncate(size);
        Some(partners)
    }
}

/// A goods item's best neighbours and their weights, as the fit wrote them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Neighbours {
    /// Neighbour → weight (higher is closer), at most [`TOP_K`].
    #[serde(default)]
    pub w: HashMap<String, f64>,
}

impl Neighbours {
    /// The neighbours, best first (ties by id).
    pub fn ranked(&self) -> Vec<(String, f64)> {
        let mut ranked: Vec<(String, f64)> = self.w.iter().map(|(j, w)| (j.clone(), *w)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked
    }

    /// The best `top_k` of `(neighbour, weight)`.
    pub fn best(entries: impl IntoIterator<Item = (String, f64)>, top_k: usize) -> Self {
        let mut ranked: Vec<(String, f64)> = entries.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(top_k);
        Self {
            w: ranked.into_iter().collect(),
        }
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

/// Half-life of an interaction's weight, in seconds (30 days: of a day, a week, 30 days
/// and none, the recommendations benchmark measured it best, if barely).
pub const HALF_LIFE_SECS: f64 = 30.0 * 86_400.0;

/// The seeds of a strategy: the window's entries of the kinds it uses (and the cart's
/// goods), weighted by kind and halved every [`HALF_LIFE_SECS`] of age.
pub fn seeds(strategy: Strategy, window: &Window, cart: &[String], now: i64) -> Vec<Seed> {
    seeds_with(strategy, window, cart, now, HALF_LIFE_SECS)
}

/// [`seeds`] with a half-life of `half_life` seconds (for the benchmark's comparison).
pub fn seeds_with(
    strategy: Strategy,
    window: &Window,
    cart: &[String],
    now: i64,
    half_life: f64,
) -> Vec<Seed> {
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
                weight: weight * 0.5f64.powf(age / half_life),
                kind: *kind,
            });
        }
    }
    seeds
}

/// Half-life of a purchase's weight among the popular goods, in seconds (four weeks).
pub const POPULAR_HALF_LIFE_SECS: f64 = 28.0 * 86_400.0;

/// What a purchase at `at` adds to its bucket starting at `bucket_start` (Unix seconds):
/// its weight as of the bucket's start, `2^((at − start) / half-life)`, bounded by the
/// bucket's length, so buckets sum purchases exactly and never overflow.
pub fn purchase_weight(at: i64, bucket_start: i64) -> f64 {
    2f64.powf((at - bucket_start) as f64 / POPULAR_HALF_LIFE_SECS)
}

/// The popular goods from purchase buckets (`(goods, bucket start, summed weights)`, see
/// [`purchase_weight`]): each purchase weighs half as much every
/// [`POPULAR_HALF_LIFE_SECS`] of age as of `now`. Most popular first (ties by id), with
/// their shares of the weighted purchases.
pub fn popular<'a>(
    purchases: impl IntoIterator<Item = (&'a str, i64, f64)>,
    now: i64,
) -> Vec<(String, f64)> {
    let mut scores: HashMap<&str, f64> = HashMap::new();
    for (goods, start, weight) in purchases {
        *scores.entry(goods).or_default() +=
            weight * 2f64.powf((start - now) as f64 / POPULAR_HALF_LIFE_SECS);
    }
    let total: f64 = scores.values().sum();
    let mut ranked: Vec<(String, f64)> = scores
        .into_iter()
        .filter(|(_, s)| *s > 0.0)
        .map(|(g, s)| (g.to_owned(), s / total))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked
}

/// One recommendation.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The goods.
    pub goods: String,
    /// `Σ seed weight · neighbour weight`.
    pub score: f64,
    /// The seed that contributed most.
    pub because: Option<(String, Kind)>,
}

/// Merges the seeds' neighbour lists, leaving out `exclude` and the seeds themselves;
/// best first, at most `limit`.
pub fn recommend(
    seeds: &[Seed],
    lists: &HashMap<String, Neighbours>,
    exclude: &HashSet<String>,
    limit: usize,
) -> Vec<Recommendation> {
    let own: HashSet<&str> = seeds.iter().map(|s| s.goods.as_str()).collect();
    let mut scores: HashMap<&str, (f64, f64, &Seed)> = HashMap::new();
    for seed in seeds {
        let Some(list) = lists.get(&seed.goods) else {
            continue;
        };
        for (j, weight) in &list.w {
            if own.contains(j.as_str()) || exclude.contains(j) {
                continue;
            }
            let contribution = seed.weight * weight;
            let entry = scores.entry(j.as_str()).or_insert((0.0, 0.0, seed));
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
    fn goods_met_together_are_counted_as_pairs() {
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
        let lists = model.cosine_lists(TOP_K);
        let ranked = lists["tea"].ranked();
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
    fn recording_an_event_again_changes_nothing_in_any_order() {
        // What lets the consumer apply a redelivered view without a marker.
        let events: Vec<(String, Kind, i64)> = (0..130)
            .map(|i| {
                (
                    format!("g{:03}", i % 110),
                    [Kind::Viewed, Kind::InCart][i % 2],
                    i as i64,
                )
            })
            .collect();
        let mut once = Window::default();
        for (g, kind, at) in &events {
            once.record(g, *kind, *at);
        }
        let mut again = once.clone();
        // Every event again, the evicted ones (older than the window) included.
        for (g, kind, at) in &events {
            again.record(g, *kind, *at);
        }
        assert_eq!(again, once);
        let mut reversed = Window::default();
        for (g, kind, at) in events.iter().rev() {
            reversed.record(g, *kind, *at);
        }
        assert_eq!(reversed.items.len(), WINDOW);
        assert_eq!(reversed.items[0], once.items[0]);
    }

    #[test]
    fn popularity_weighs_recent_purchases_more() {
        let week = 7 * 86_400;
        let now = 100 * week;
        // Four purchases of "old" eight weeks ago weigh one; two of "new" now, two.
        let old = 4.0 * purchase_weight(92 * week, 92 * week);
        let new = 2.0 * purchase_weight(now, 99 * week);
        let ranked = popular(
            [
                ("old", 92 * week, old),
                ("new", 99 * week, new),
                ("none", now, 0.0),
            ],
            now,
        );
        assert_eq!(ranked.len(), 2);
        assert_eq!(ranked[0].0, "new");
        assert!((ranked[0].1 - 2.0 / 3.0).abs() < 1e-9);
        assert!((ranked[1].1 - 1.0 / 3.0).abs() < 1e-9);
        // Within a bucket, the later purchase weighs more.
        let ranked = popular(
            [
                ("a", 0, purchase_weight(10, 0)),
                ("b", 0, purchase_weight(20, 0)),
            ],
            30,
        );
        assert_eq!(ranked[0].0, "b");
    }

    #[test]
    fn neighbour_lists_keep_the_best() {
        let list = Neighbours::best((0..100).map(|i| (format!("g{i:03}"), f64::from(i))), TOP_K);
        assert_eq!(list.w.len(), TOP_K);
        assert!(list.w.contains_key("g099"));
        assert!(!list.w.contains_key("g000"));
        assert_eq!(list.ranked()[0].0, "g099");
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
        let lists = model.cosine_lists(TOP_K);
        let recs = model.recommend("me", Strategy::History, 10, &HashSet::new(), 10, &lists);
        let goods: Vec<&str> = recs.iter().map(|r| r.goods.as_str()).collect();
        assert_eq!(goods.len(), 2);
        assert!(!goods.contains(&"tea"));
        assert_eq!(recs[0].because, Some(("tea".to_owned(), Kind::Viewed)));
        let excluded = HashSet::from(["cups".to_owned()]);
        let recs = model.recommend("me", Strategy::History, 10, &excluded, 10, &lists);
        assert_eq!(
            recs.iter().map(|r| r.goods.as_str()).collect::<Vec<_>>(),
            ["pot"]
        );
        assert!(model
            .recommend("me", Strategy::Cart, 10, &HashSet::new(), 10, &lists)
            .is_empty());
    }
}
