//! The answer of `GET /search`, as the function writes it and as the OpenAPI document
//! describes it.

use serde::Serialize;

use crate::catalogue::Goods;

/// One result.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub goods: Goods,
    /// Relevance (BM25F); higher is better. Comparable within one query only.
    pub score: f64,
}

/// A page of results, best first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    pub next_cursor: Option<String>,
}
