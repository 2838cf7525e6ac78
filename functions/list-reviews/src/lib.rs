//! `GET /goods/{goods_id}/reviews`: a goods item's reviews, newest first, each with its
//! merchant reply, paginated (one Query per page).

use lambda_http::{Body, Request, Response};
use shop::error::ApiError;
use shop::http;
use shop::reviews::Reviews;

/// What the function needs, built once per cold start.
pub type Context = Reviews;

/// Reviews of goods, newest first, each with its reply.
pub async fn handler(reviews: &Reviews, req: Request) -> Result<Response<Body>, ApiError> {
    let goods_id = http::id_param(&req, "goods_id")?;
    let page = http::page_params(&req)?;
    http::ok(&reviews.list(&goods_id, &page).await?)
}
