//! `GET /goods/{goods_id}/similar?limit=`: the goods most often viewed, carted or bought
//! together with these, by cosine similarity (see `shop::recs`), for anyone.
//!
//! Two DynamoDB requests: the goods' neighbour list with its count, then one BatchGetItem
//! of the neighbours' current data and the goods' own (deleted goods drop out; the goods
//! not on sale is a 404).

use lambda_http::{Body, Request, Response};
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::ids::is_id;
use shop::recs::similar::Similarities;

/// What the function needs, built once per cold start.
pub type Context = Similarities;

/// Goods often viewed or bought together with these.
pub async fn handler(similar: &Similarities, req: Request) -> Result<Response<Body>, ApiError> {
    let goods_id = http::path_param(&req, "goods_id")?;
    let mut errors = FieldErrors::new();
    let limit = http::limit_param(&req, &mut errors, 20);
    errors.into_result()?;
    if !is_id(&goods_id) {
        return Err(ApiError::NotFound);
    }
    http::ok(&similar.similar(&goods_id, limit).await?)
}

#[cfg(test)]
shop_testing::refuses_malformed_ids!();
