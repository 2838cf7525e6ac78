//! `GET /goods/{goods_id}/reviews`: a goods item's reviews, newest first, each with its
//! merchant reply, paginated (one Query per page).

use lambda_http::{Body, Request, Response};
use shop::error::ApiError;
use shop::http;
use shop::reviews::Reviews;

/// What the function needs, built once per cold start.
pub type Context = Reviews;

#[utoipa::path(
    get,
    operation_id = "list_reviews",
    path = "/goods/{goods_id}/reviews",
    tag = "reviews",
    summary = "Reviews of goods, newest first, each with its reply",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$"), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of reviews", body = shop::reviews::repo::ReviewPage),
        shop::error::answers::NotFound,
        shop::error::answers::InvalidCursor,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    )
)]
/// Reviews of goods, newest first, each with its reply.
///
/// # Errors
/// 404 for unknown goods, 422 `limit`, 400 `invalid_cursor`; 500 when DynamoDB fails.
pub async fn handler(reviews: &Reviews, req: Request) -> Result<Response<Body>, ApiError> {
    let goods_id = http::id_param(&req, "goods_id")?;
    let page = http::page_params(&req)?;
    http::ok(&reviews.list(&goods_id, &page).await?)
}
