//! Scheduled: fits the recommendation model from the users' windows that
//! `learn-similarity` keeps, and writes each goods item's neighbours where `recommend` and
//! `similar-goods` read them.
//!
//! A run: one parallel Scan of `BEHAVIOUR_TABLE` (the windows and the purchase counts:
//! nothing else lives there), the fit ([`Baskets::fit`]: each window is a user's basket),
//! then the neighbour lists that moved and the popular goods written whole (BatchWriteItem,
//! 25 to a request) to `RECOMMENDATIONS_TABLE`. Its answer says how many goods, pairs and lists, and how long
//! each step took.
//!
//! **Size.** The fit is dense: `n × n` `f32` matrices, two at the peak, `O(n³)` time. It
//! takes the [`max_goods`] most counted goods: as many as half the function's memory
//! holds (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`; 2,048 MB in the template: ~11,000 goods).
//! At Lambda's largest, 10,240 MB, that is ~25,000 goods, fitted in a few minutes
//! (`BENCHMARKS.md` has the measured time at the demo's size, and `n³` scales it).
//! Goods past that keep no fitted neighbours (they still get the popular fill). A
//! larger catalogue needs a sparse approximation of the same model, fitted outside Lambda
//! (AWS Batch or Fargate), writing the same lists.
//!
//! - [`ease`]: the model (EASE, closed form), on numbered items.

pub mod ease;

use std::collections::HashMap;
use std::time::Instant;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use lambda_runtime::LambdaEvent;
use shop::config::ConfigError;
use shop::recs::model::{popular, Neighbours, TOP_K};
use shop::recs::store::{RecsStore, WEEK_SECS};
use shop::store::StoreError;

/// Goods the fit takes at most when the function's memory is unknown (locally).
pub const MAX_ITEMS: usize = 30_000;

/// Segments of the parallel Scan.
const SEGMENTS: i32 = 4;

/// Goods the fit takes at most: as many as half the function's memory holds in two
/// `n × n` matrices of `f32` (the other half for the windows, the lists and the runtime).
pub fn max_goods() -> usize {
    std::env::var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        .ok()
        .and_then(|mb| mb.parse::<f64>().ok())
        .map_or(MAX_ITEMS, |mb| {
            ((mb * 1024.0 * 1024.0 / 2.0 / 8.0).sqrt() as usize).min(MAX_ITEMS)
        })
}

/// EASE's L2 penalty.
pub const LAMBDA: f32 = 250.0;

/// Users' baskets (their windows' goods), with goods ids numbered as they arrive.
#[derive(Debug, Default)]
pub struct Baskets {
    ids: Vec<String>,
    index: HashMap<String, u32>,
    baskets: Vec<Vec<u32>>,
}

impl Baskets {
    /// Adds one user's distinct goods.
    pub fn add<'a>(&mut self, goods: impl IntoIterator<Item = &'a str>) {
        let basket = goods
            .into_iter()
            .map(|g| match self.index.get(g) {
                Some(&i) => i,
                None => {
                    let i = self.ids.len() as u32;
                    self.ids.push(g.to_owned());
                    self.index.insert(g.to_owned(), i);
                    i
                }
            })
            .collect();
        self.baskets.push(basket);
    }

    /// Distinct goods.
    pub fn goods(&self) -> usize {
        self.ids.len()
    }

    /// Baskets.
    pub fn len(&self) -> usize {
        self.baskets.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.baskets.is_empty()
    }

    /// Fits EASE on the baskets of the `max_goods` goods in most of them, and answers the
    /// best `top_k` neighbours of every goods item with any.
    pub fn fit(&self, lambda: f32, top_k: usize, max_goods: usize) -> HashMap<String, Neighbours> {
        let mut frequency = vec![0u32; self.ids.len()];
        for basket in &self.baskets {
            for &g in basket {
                frequency[g as usize] += 1;
            }
        }
        let mut kept: Vec<u32> = (0..self.ids.len() as u32).collect();
        kept.sort_by(|a, b| {
            frequency[*b as usize]
                .cmp(&frequency[*a as usize])
                .then_with(|| self.ids[*a as usize].cmp(&self.ids[*b as usize]))
        });
        kept.truncate(max_goods);
        let mut column = vec![u32::MAX; self.ids.len()];
        for (c, &g) in kept.iter().enumerate() {
            column[g as usize] = c as u32;
        }
        let mut gram = ease::Gram::new(kept.len());
        let mut basket = Vec::new();
        for b in &self.baskets {
            basket.clear();
            basket.extend(
                b.iter()
                    .map(|&g| column[g as usize])
                    .filter(|&c| c != u32::MAX),
            );
            gram.add_basket(&basket);
        }
        gram.fit(lambda, top_k)
            .into_iter()
            .enumerate()
            .filter(|(_, row)| !row.is_empty())
            .map(|(i, row)| {
                let id = |c: u32| self.ids[kept[c as usize] as usize].clone();
                let list = Neighbours {
                    w: row
                        .into_iter()
                        .map(|(j, w)| (id(j), f64::from(w)))
                        .collect(),
                };
                (id(i as u32), list)
            })
            .collect()
    }
}

/// What the fit reads: the users' windows and the purchases.
#[derive(Debug, Default)]
pub struct Behaviour {
    /// The windows' goods.
    pub baskets: Baskets,
    /// Purchase weights: `(goods, bucket start, summed weights)`.
    pub purchases: Vec<(String, i64, f64)>,
}

impl Behaviour {
    fn add(&mut self, item: HashMap<String, AttributeValue>) -> Result<(), StoreError> {
        let pk = shop::store::string_attr(&item, "pk");
        if pk.starts_with("U#") {
            let window = shop::recs::store::window_of(item)?;
            self.baskets.add(window.items.iter().map(|e| e.g.as_str()));
        } else if let Some(goods) = pk.strip_prefix("N#") {
            for (name, value) in &item {
                let week = name.strip_prefix('b').and_then(|w| w.parse::<i64>().ok());
                let weight = value.as_n().ok().and_then(|n| n.parse::<f64>().ok());
                if let (Some(week), Some(weight)) = (week, weight) {
                    self.purchases
                        .push((goods.to_owned(), week * WEEK_SECS, weight));
                }
            }
        }
        Ok(())
    }
}

/// What the function needs, built once per cold start.
pub struct Context {
    client: Client,
    behaviour: String,
    store: RecsStore,
}

impl Context {
    /// Reads `BEHAVIOUR_TABLE` and `RECOMMENDATIONS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let client = shop::aws::Aws::from_env()?.dynamodb();
        Ok(Self {
            behaviour: shop::config::required("BEHAVIOUR_TABLE")?,
            store: RecsStore::with_client(client.clone())?,
            client,
        })
    }

    /// Every window and purchase count, in a parallel Scan.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn read(&self) -> Result<Behaviour, StoreError> {
        let segments = (0..SEGMENTS).map(|segment| async move {
            let mut items = Vec::new();
            let mut start = None;
            loop {
                let page = self
                    .client
                    .scan()
                    .table_name(&self.behaviour)
                    .segment(segment)
                    .total_segments(SEGMENTS)
                    .set_exclusive_start_key(start)
                    .send()
                    .await
                    .map_err(StoreError::new)?;
                start = page.last_evaluated_key;
                items.extend(page.items.unwrap_or_default());
                if start.is_none() {
                    return Ok::<_, StoreError>(items);
                }
            }
        });
        let mut behaviour = Behaviour::default();
        for part in futures::future::try_join_all(segments).await? {
            for item in part {
                behaviour.add(item)?;
            }
        }
        Ok(behaviour)
    }

    /// Reads the behaviour, fits, writes the lists and the popular goods; answers what it
    /// did.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails (the next run starts over).
    pub async fn run(&self) -> Result<serde_json::Value, StoreError> {
        let started = Instant::now();
        let behaviour = self.read().await?;
        let read = started.elapsed();
        let lists = behaviour.baskets.fit(LAMBDA, TOP_K, max_goods());
        let fitted = started.elapsed();
        let popular = popular(
            behaviour
                .purchases
                .iter()
                .map(|(g, w, c)| (g.as_str(), *w, *c)),
            shop::clock::now().unix_timestamp(),
        );
        let written = self.store.write_lists(&lists).await?;
        self.store.write_popular(&popular).await?;
        let summary = serde_json::json!({
            "users": behaviour.baskets.len(),
            "goods": behaviour.baskets.goods(),
            "lists": lists.len(),
            "rewritten": written,
            "read_ms": read.as_millis(),
            "fit_ms": (fitted - read).as_millis(),
            "write_ms": (started.elapsed() - fitted).as_millis(),
        });
        tracing::info!(%summary, "fitted");
        Ok(summary)
    }
}

/// Fits the model and writes what the request functions read.
///
/// # Errors
/// When DynamoDB fails (the next run tries again).
pub async fn handler(
    context: &Context,
    _event: LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    Ok(context.run().await?)
}
