//! `GET /recommendations?strategy=history|cart|behavior|auto&limit=`: goods for the
//! signed-in caller, from the item-to-item similarity the `learn-similarity` consumer keeps
//! (see `shop::recs`).
//!
//! The caller's seeds (browsed goods for `history`, the cart for `cart`, bought and browsed
//! goods for `behavior`, all three for `auto`), weighted by kind and halved every week of
//! age, merge their neighbour lists. Goods the caller already bought (checked against the
//! payments table, the authority, not the event stream), the seeds themselves and deleted
//! goods never appear; when the seeds don't fill the page, the goods most bought recently
//! do. Each item's `reason` names the caller's goods that led to it.
//!
//! DynamoDB requests: the session, the window with the recent purchases (one
//! BatchGetItem), the cart (for `cart` and `auto`), the seeds' neighbour lists (one
//! BatchGetItem), then purchases and goods (one BatchGetItem each, concurrently).

use shop::auth::User;
use std::collections::{HashMap, HashSet};

use lambda_http::{Body, Request, Response};
use serde::Serialize;
use shop::accounts::sessions::SessionsRepo;
use shop::aws::Aws;
use shop::cart::repo::CartsRepo;
use shop::catalogue::repo::GoodsRepo;
use shop::catalogue::Goods;
use shop::config::ConfigError;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::payments::repo::PaymentsRepo;
use shop::recs::model::{self, Kind, Strategy};
use shop::recs::store::RecsStore;

/// Seeds used, at most (the heaviest).
const MAX_SEEDS: usize = 20;

/// What the function needs, built once per cold start.
pub struct Context {
    sessions: SessionsRepo,
    store: RecsStore,
    carts: CartsRepo,
    payments: PaymentsRepo,
    goods: GoodsRepo,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            store: RecsStore::from_env(dynamodb.clone())?,
            carts: CartsRepo::from_env(dynamodb.clone())?,
            payments: PaymentsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
        })
    }
}

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
struct Recommended {
    goods: Goods,
    /// Higher is better: the seeds' weighted cosine similarity, or for `popular` the
    /// goods' share of recent purchases.
    score: f64,
    reason: Reason,
}

/// Recommendations, best first.
#[derive(Serialize, utoipa::ToSchema)]
struct Recommendations {
    items: Vec<Recommended>,
}

fn strategy(req: &Request, errors: &mut FieldErrors) -> Strategy {
    match http::query_param(req, "strategy").as_deref() {
        None | Some("auto") => Strategy::Auto,
        Some("history") => Strategy::History,
        Some("cart") => Strategy::Cart,
        Some("behavior") => Strategy::Behavior,
        Some(_) => {
            errors.add("strategy", "must be history, cart, behavior or auto");
            Strategy::Auto
        }
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

#[utoipa::path(
    get,
    operation_id = "recommendations",
    path = "/recommendations",
    tag = "recommendations",
    summary = "Goods for the caller, from what they browsed, carted and bought",
    params(
        ("strategy" = Option<Strategy>, Query, description = "history, cart, behavior or auto (default)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100)
    ),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "recommendations, best first", body = Recommendations),
        shop::error::answers::Unauthenticated,
        (status = 422, description = "validation_failed, with fields", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    )
)]
/// Goods for the caller, from what they browsed, carted and bought.
///
/// # Errors
/// 401 without a session, 422 for a bad strategy or limit; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let mut errors = FieldErrors::new();
    let strategy = strategy(&req, &mut errors);
    let limit = http::limit_param(&req, &mut errors, 20);
    errors.into_result()?;
    let caller = User::from_request(&ctx.sessions, &req).await?;
    let user = caller.user_id.as_str();
    let wants_cart = matches!(strategy, Strategy::Cart | Strategy::Auto);
    let (stored, cart) = tokio::join!(ctx.store.window_and_popular(user), async {
        if wants_cart {
            ctx.carts.lines(user).await
        } else {
            Ok(Vec::new())
        }
    });
    let (window, popular) = stored?;
    let cart: Vec<String> = cart?.into_iter().map(|l| l.goods_id).collect();

    let now = shop::clock::now().unix_timestamp();
    let mut seeds = model::seeds(strategy, &window, &cart, now);
    seeds.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    seeds.truncate(MAX_SEEDS);
    let lists = if seeds.is_empty() {
        HashMap::new()
    } else {
        let ids: Vec<String> = seeds.iter().map(|s| s.goods.clone()).collect();
        ctx.store.lists(&ids).await?
    };
    // Goods the caller already knows (their window and cart) are not news.
    let known: HashSet<String> = window
        .items
        .iter()
        .map(|e| e.g.clone())
        .chain(cart.iter().cloned())
        .collect();
    let similar = model::recommend(&seeds, &lists, &known, 2 * limit);
    let fill: Vec<(String, f64)> = popular
        .into_iter()
        .filter(|(g, _)| !known.contains(g))
        .take(2 * limit)
        .collect();
    let mut candidates: Vec<String> = similar.iter().map(|r| r.goods.clone()).collect();
    for (g, _) in &fill {
        if !candidates.contains(g) {
            candidates.push(g.clone());
        }
    }
    let (bought, goods) = tokio::join!(
        ctx.payments.purchased_among(user, &candidates),
        ctx.goods.public_by_id(&candidates)
    );
    let (bought, mut goods) = (bought?, goods?);
    let mut items: Vec<Recommended> = Vec::with_capacity(limit);
    for r in similar {
        if items.len() == limit {
            break;
        }
        if bought.contains(&r.goods) {
            continue;
        }
        if let (Some(g), Some((seed, kind))) = (goods.remove(&r.goods), r.because) {
            items.push(Recommended {
                goods: g,
                score: (r.score * 1e4).round() / 1e4,
                reason: reason(kind, seed),
            });
        }
    }
    for (g, share) in fill {
        if items.len() == limit {
            break;
        }
        if bought.contains(&g) {
            continue;
        }
        if let Some(goods) = goods.remove(&g) {
            items.push(Recommended {
                goods,
                score: (share * 1e4).round() / 1e4,
                reason: Reason {
                    kind: ReasonType::Popular,
                    goods_id: None,
                },
            });
        }
    }
    http::ok(&Recommendations { items })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop::testing::{event, offline_env, status_and_body};

    #[tokio::test]
    async fn a_session_is_required() {
        offline_env();
        let ctx = Context::from_env().unwrap();
        let req = event(include_str!("../../../events/recommend/no-session.json"));
        let (status, body) = status_and_body(
            handler(&ctx, req)
                .await
                .unwrap_or_else(ApiError::into_response),
        );
        assert_eq!(status, 401);
        assert_eq!(body["error"]["code"], "unauthenticated");
    }
}
