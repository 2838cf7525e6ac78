//! The answer of `GET /goods/{goods_id}/similar`, as the function writes it and as the
//! OpenAPI document describes it.

use serde::Serialize;

use crate::catalogue::Goods;

/// One similar goods item.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Similar {
    pub goods: Goods,
    /// How strongly the model links the two (its weight, above 0): higher is more
    /// similar; comparable within one answer, not across goods.
    pub score: f64,
}

/// Similar goods, most similar first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SimilarGoods {
    pub items: Vec<Similar>,
}
