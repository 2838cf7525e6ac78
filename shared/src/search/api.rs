//! The answers of `GET /search` and `GET /search/suggest`, as the functions write them and
//! as the OpenAPI document describes them.

use serde::Serialize;

use crate::catalogue::Goods;

/// One result.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub goods: Goods,
    /// Relevance (BM25F, a word weighed by its rarity in each field it is found in, with
    /// bonuses for query words side by side in the name and for a name that has every
    /// query word); higher is better. Comparable within one query only.
    pub score: f64,
}

/// A category of the matching goods.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    /// The category, as the goods write it.
    pub value: String,
    /// How many of the matching goods are in it. Counted over the best-matching goods the
    /// search scores (up to 100, or 200 with a `sort` other than `relevance`): exact for a
    /// query that matches fewer goods, a lower bound for one that matches more.
    pub count: usize,
}

/// Counts of the matching goods by field.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Facets {
    /// The categories of the matching goods, most first (at most 20).
    pub category: Vec<FacetValue>,
}

/// A page of results, in the order asked for.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    pub facets: Facets,
    pub next_cursor: Option<String>,
}

/// One suggestion.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    /// What the shopper typed, its last word completed from the goods' names.
    pub text: String,
}

/// Completions, the most common first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub items: Vec<Suggestion>,
}
