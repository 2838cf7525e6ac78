//! The answers of the catalogue's listing, as the function writes them and as the OpenAPI
//! document describes them.

use serde::Serialize;

use super::Goods;

/// A page of goods.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GoodsPage {
    pub items: Vec<Goods>,
    pub next_cursor: Option<String>,
}
