//! `POST /reviews/{review_id}/reply` `{reply}`: the merchant who sells the goods answers
//! a review; replying again replaces the reply and its time.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::sessions::SessionsRepo;
use shop::auth::Merchant;
use shop::aws::Aws;
use shop::catalogue::repo::GoodsRepo;
use shop::clock;
use shop::config::ConfigError;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::reviews::repo::{Reply, ReviewsRepo};

/// What the function needs, built once per cold start.
pub struct Context {
    sessions: SessionsRepo,
    goods: GoodsRepo,
    reviews: ReviewsRepo,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb.clone())?,
            reviews: ReviewsRepo::from_env(dynamodb)?,
        })
    }
}

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
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = Merchant::from_request(&ctx.sessions, &req).await?;
    let review_id = http::id_param(&req, "review_id")?;
    let body: ReplyBody = http::json_body(&req)?;
    if !(1..=2000).contains(&body.reply.chars().count()) || body.reply.trim().is_empty() {
        return Err(FieldErrors::single("reply", "must be 1 to 2000 characters"));
    }
    let review = ctx
        .reviews
        .get(&review_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let goods = ctx
        .goods
        .get_any(&review.goods_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if goods.merchant_id != caller.user_id {
        return Err(ApiError::forbidden(
            "Only the merchant who sells these goods may reply.",
        ));
    }
    let reply = Reply {
        text: body.reply,
        replied_at: clock::rfc3339(clock::now()),
    };
    let replied = ctx.reviews.reply(&review, reply).await?;
    tracing::info!(review_id = %review_id, "review answered");
    http::ok(&replied)
}
