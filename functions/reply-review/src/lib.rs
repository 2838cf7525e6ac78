//! `POST /reviews/{review_id}/reply` `{reply}`: the merchant who sells the goods answers
//! a review; replying again replaces the reply and its time.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::auth::Merchant;
use shop::error::ApiError;
use shop::http;
use shop::reviews::Reviews;

/// What the function needs, built once per cold start.
pub type Context = Reviews;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReplyBody {
    /// Plain text, kept exactly as written; clients must escape it when displaying.
    #[schema(min_length = 1, max_length = 2000)]
    reply: String,
}

#[utoipa::path(
    post,
    operation_id = "reply_review",
    path = "/reviews/{review_id}/reply",
    tag = "reviews",
    summary = "The goods' merchant replies (again replaces)",
    params(("review_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = ReplyBody,
    responses(
        (status = 200, description = "the review with its reply", body = shop::reviews::repo::Review),
        shop::error::answers::Unauthenticated,
        (status = 403, description = "forbidden: anyone but the merchant who sells the goods", body = shop::error::ErrorBody),
        shop::error::answers::NotFound,
        shop::error::answers::JsonBody,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The goods' merchant replies (again replaces).
///
/// # Errors
/// 401, 403 (anyone but the goods' merchant), 404, 422; 500 when DynamoDB fails.
pub async fn handler(reviews: &Reviews, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&reviews.sessions, &req).await?;
    let review_id = http::id_param(&req, "review_id")?;
    let body: ReplyBody = http::json_body(&req)?;
    http::ok(&reviews.reply(&merchant, &review_id, body.reply).await?)
}
