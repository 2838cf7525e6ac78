//! `POST /goods/{goods_id}/reviews` `{rating, comment}`: a buyer reviews goods they paid
//! for.
//!
//! The purchase is checked against what the payment webhook recorded (one GetItem), not
//! trusted from the client; one review per buyer and goods is a conditional write, and
//! the goods' rating summary changes in the same transaction as the review.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::reviews::{ReviewDraft, Reviews};

/// What the function needs, built once per cold start.
pub type Context = Reviews;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    #[schema(minimum = 1, maximum = 5)]
    rating: i64,
    /// Plain text, kept exactly as written; clients must escape it when displaying.
    #[schema(min_length = 1, max_length = 2000)]
    comment: String,
}

#[utoipa::path(
    post,
    operation_id = "create_review",
    path = "/goods/{goods_id}/reviews",
    tag = "reviews",
    summary = "Review goods you paid for (one review per buyer and goods)",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = ReviewBody,
    responses(
        (status = 201, description = "the review", body = shop::reviews::repo::Review),
        shop::error::answers::Unauthenticated,
        (status = 403, description = "forbidden (merchants) or not_purchased", body = shop::error::ErrorBody),
        shop::error::answers::NotFound,
        (status = 409, description = "already_reviewed", body = shop::error::ErrorBody),
        shop::error::answers::JsonBody,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Review goods you paid for (one review per buyer and goods).
///
/// # Errors
/// 401, 403 (merchants; `not_purchased`), 404, 409 `already_reviewed`, 422; 500 when
/// DynamoDB fails.
pub async fn handler(reviews: &Reviews, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&reviews.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    let body: ReviewBody = http::json_body(&req)?;
    let draft = ReviewDraft::new(body.rating, body.comment)?;
    http::created(&reviews.create(&buyer, goods_id, draft).await?)
}
