//! `GET /goods/{goods_id}/similar?limit=`: the goods most often viewed, carted or bought
//! together with these, by cosine similarity (see `shop::recs`), for anyone.
//!
//! Two DynamoDB requests: the goods' neighbour list with its count, then one BatchGetItem
//! of the neighbours' current data and the goods' own (deleted goods drop out; the goods
//! not on sale is a 404).

use lambda_http::{Body, Request, Response};
use shop::aws::Aws;
use shop::catalogue::repo::GoodsRepo;
use shop::config::ConfigError;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::ids::is_id;
use shop::recs::api::{Similar, SimilarGoods};
use shop::recs::store::RecsStore;

/// What the function needs, built once per cold start.
pub struct Context {
    store: RecsStore,
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
            store: RecsStore::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
        })
    }
}

/// Goods often viewed or bought together with these.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let goods_id = http::path_param(&req, "goods_id")?;
    let mut errors = FieldErrors::new();
    let limit = http::limit_param(&req, &mut errors, 20);
    errors.into_result()?;
    if !is_id(&goods_id) {
        return Err(ApiError::NotFound);
    }
    let ranked = ctx
        .store
        .lists(std::slice::from_ref(&goods_id))
        .await?
        .remove(&goods_id)
        .map(|(n, list)| list.ranked(n))
        .unwrap_or_default();
    // One BatchGetItem for the neighbours and the goods itself (404 when it isn't on sale).
    let mut ids: Vec<String> = ranked.iter().map(|(g, _)| g.clone()).collect();
    ids.push(goods_id.clone());
    let mut found = ctx.goods.public_by_id(&ids).await?;
    found.remove(&goods_id).ok_or(ApiError::NotFound)?;
    let items = ranked
        .into_iter()
        .filter_map(|(g, score)| {
            found.remove(&g).map(|goods| Similar {
                goods,
                score: (score * 1e4).round() / 1e4,
            })
        })
        .take(limit)
        .collect();
    http::ok(&SimilarGoods { items })
}

shop::refuses_malformed_ids!();
