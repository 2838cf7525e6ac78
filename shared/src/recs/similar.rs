//! `GET /goods/{goods_id}/similar`: the goods' neighbour list, as the fit wrote it
//! ([`super::lists`]), joined with the goods still on sale in one BatchGetItem.

use super::api::{Similar, SimilarGoods};
use super::store::RecsStore;
use crate::aws::Aws;
use crate::catalogue::repo::GoodsRepo;
use crate::config::ConfigError;
use crate::error::ApiError;

/// What `similar-goods` needs, built once per cold start.
pub struct Similarities {
    store: RecsStore,
    goods: GoodsRepo,
}

impl Similarities {
    /// Reads `RECOMMENDATIONS_TABLE` and `GOODS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            store: RecsStore::with_client(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
        })
    }

    /// Up to `limit` goods most similar to `goods_id`, each on sale, most similar first.
    ///
    /// # Errors
    /// 404 when `goods_id` is not on sale; 500 when DynamoDB fails.
    pub async fn similar(&self, goods_id: &str, limit: usize) -> Result<SimilarGoods, ApiError> {
        let goods_id = goods_id.to_owned();
        let ranked = self
            .store
            .lists(std::slice::from_ref(&goods_id))
            .await?
            .remove(&goods_id)
            .map(|list| list.ranked())
            .unwrap_or_default();
        // One BatchGetItem for the neighbours and the goods itself (404 when it isn't on sale).
        let mut ids: Vec<String> = ranked.iter().map(|(g, _)| g.clone()).collect();
        ids.push(goods_id.clone());
        let mut found = self.goods.public_by_id(&ids).await?;
        found.remove(&goods_id).ok_or(ApiError::NotFound)?;
        let items = ranked
            .into_iter()
            .filter_map(|(g, score)| {
                found.remove(&g).map(|goods| Similar {
                    goods,
                    score: (score * 1e6).round() / 1e6,
                })
            })
            .take(limit)
            .collect();
        Ok(SimilarGoods { items })
    }
}
