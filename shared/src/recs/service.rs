//! The recommendation service behind `GET /recommendations`: the caller's seeds (browsed
//! goods for `history`, the cart for `cart`, bought and browsed goods for `behavior`, all
//! three for `auto`), weighted by kind and halved every 30 days of age, merge their
//! neighbour lists (the fit's EASE weights). Goods the caller already bought (checked
//! against the payments table, the authority, not the event stream), the seeds themselves
//! and deleted goods never appear; when the seeds don't fill the page, the goods most
//! bought recently do (purchases halved every four weeks of age).
//!
//! DynamoDB requests: the window and the popular goods (one GetItem each, concurrently,
//! with the cart's Query for `cart` and `auto`), the seeds' neighbour lists (one
//! BatchGetItem), then purchases and goods (one BatchGetItem each, concurrently) for the
//! page's candidates and half as many again, with another such pair only when goods the
//! caller bought or deleted goods left the page short.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::model::{self, Kind, Strategy, MAX_SEEDS};
use super::store::RecsStore;
use crate::accounts::sessions::SessionsRepo;
use crate::auth::User;
use crate::aws::Aws;
use crate::cart::repo::CartsRepo;
use crate::catalogue::repo::GoodsRepo;
use crate::catalogue::Goods;
use crate::config::ConfigError;
use crate::error::ApiError;
use crate::payments::repo::PaymentsRepo;

/// Why goods are recommended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonType {
    /// Similar to goods the caller viewed.
    Viewed,
    /// Similar to goods in the caller's cart.
    InCart,
    /// Similar to goods the caller bought.
    Bought,
    /// Among the goods most bought recently (nothing of the caller's led here).
    Popular,
}

/// Why goods are recommended: the kind, and the caller's goods that led to them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reason {
    /// The kind of reason.
    #[serde(rename = "type")]
    pub kind: ReasonType,
    /// The caller's goods the recommendation comes from (`null` for `popular`).
    pub goods_id: Option<String>,
}

/// One recommendation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Recommended {
    /// The recommended goods as they are now.
    pub goods: Goods,
    /// Higher is better: the seeds' weighted sum of the model's weights, or for `popular`
    /// the goods' share of recent purchases.
    pub score: f64,
    /// Which of the caller's goods led to them, and how.
    pub reason: Reason,
}

/// Recommendations, best first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Recommendations {
    /// Best first; at most the `limit` asked for.
    pub items: Vec<Recommended>,
}

/// The recommendation functions' service, built once per cold start.
pub struct Recommender {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    store: RecsStore,
    carts: CartsRepo,
    payments: PaymentsRepo,
    goods: GoodsRepo,
}

impl Recommender {
    /// Reads `SESSIONS_TABLE`, `RECOMMENDATIONS_TABLE`, `CARTS_TABLE`, `PAYMENTS_TABLE` and
    /// `GOODS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            store: RecsStore::with_client(dynamodb.clone())?,
            carts: CartsRepo::from_env(dynamodb.clone())?,
            payments: PaymentsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
        })
    }

    /// Up to `limit` goods for `caller` by `strategy`, best first.
    ///
    /// # Errors
    /// 500 when DynamoDB fails.
    pub async fn recommend(
        &self,
        caller: &User,
        strategy: Strategy,
        limit: usize,
    ) -> Result<Recommendations, ApiError> {
        let user = caller.user_id.as_str();
        let wants_cart = matches!(strategy, Strategy::Cart | Strategy::Auto);
        let (stored, cart) = tokio::join!(self.store.window_and_popular(user), async {
            if wants_cart {
                self.carts.lines(user).await
            } else {
                Ok(Vec::new())
            }
        });
        let (window, popular) = stored?;
        let cart: Vec<String> = cart?.into_iter().map(|l| l.goods_id).collect();

        let now = crate::clock::now().unix_timestamp();
        let mut seeds = model::seeds(strategy, &window, &cart, now);
        seeds.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        seeds.truncate(MAX_SEEDS);
        let lists = if seeds.is_empty() {
            HashMap::new()
        } else {
            let ids: Vec<String> = seeds.iter().map(|s| s.goods.clone()).collect();
            self.store.lists(&ids).await?
        };
        // Goods the caller already knows (their window and cart) are not news.
        let known: HashSet<String> = window
            .items
            .iter()
            .map(|e| e.g.clone())
            .chain(cart.iter().cloned())
            .collect();
        let similar = model::recommend(&seeds, &lists, &known, 2 * limit);
        // Every candidate in order: the similar goods, then the popular ones.
        let mut ranked: Vec<(String, f64, Reason)> = Vec::with_capacity(4 * limit);
        for r in similar {
            if let Some((seed, kind)) = r.because {
                ranked.push((r.goods, r.score, reason(kind, seed)));
            }
        }
        for (g, share) in popular.into_iter().filter(|(g, _)| !known.contains(g)) {
            if ranked.len() >= 4 * limit {
                break;
            }
            if !ranked.iter().any(|(r, _, _)| *r == g) {
                let popular = Reason {
                    kind: ReasonType::Popular,
                    goods_id: None,
                };
                ranked.push((g, share, popular));
            }
        }
        // Read only what the page needs, with a little to spare for goods the caller
        // bought or that were deleted; read on only if those left it short.
        let mut items: Vec<Recommended> = Vec::with_capacity(limit);
        let mut ranked = ranked.into_iter().peekable();
        while items.len() < limit && ranked.peek().is_some() {
            let wanted = limit - items.len();
            let batch: Vec<(String, f64, Reason)> =
                ranked.by_ref().take(wanted + wanted / 2 + 1).collect();
            let ids: Vec<String> = batch.iter().map(|(g, _, _)| g.clone()).collect();
            let (bought, goods) = tokio::join!(
                self.payments.purchased_among(user, &ids),
                self.goods.public_by_id(&ids)
            );
            let (bought, mut goods) = (bought?, goods?);
            for (g, score, reason) in batch {
                if items.len() == limit {
                    break;
                }
                if bought.contains(&g) {
                    continue;
                }
                if let Some(goods) = goods.remove(&g) {
                    items.push(Recommended {
                        goods,
                        score: (score * 1e6).round() / 1e6,
                        reason,
                    });
                }
            }
        }
        Ok(Recommendations { items })
    }
}

fn reason(kind: Kind, goods_id: String) -> Reason {
    Reason {
        kind: match kind {
            Kind::Viewed => ReasonType::Viewed,
            Kind::InCart => ReasonType::InCart,
            Kind::Bought => ReasonType::Bought,
        },
        goods_id: Some(goods_id),
    }
}
