//! `POST /goods/{goods_id}/reviews` `{rating, comment}`: a buyer reviews goods they paid
//! for.
//!
//! The purchase is checked against what the payment webhook recorded (one GetItem), not
//! trusted from the client; one review per buyer and goods is a conditional write, and
//! the goods' rating summary changes in the same transaction as the review.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::repo::UsersRepo;
use shop::accounts::sessions::SessionsRepo;
use shop::auth::Customer;
use shop::aws::Aws;
use shop::clock;
use shop::config::{self, ConfigError};
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::ids::new_id;
use shop::payments::repo::PaymentsRepo;
use shop::reviews::repo::{Review, ReviewsRepo};

/// What the function needs, built once per cold start.
pub struct Context {
    sessions: SessionsRepo,
    users: UsersRepo,
    payments: PaymentsRepo,
    reviews: ReviewsRepo,
    goods_table: String,
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
            users: UsersRepo::from_env(dynamodb.clone())?,
            payments: PaymentsRepo::from_env(dynamodb.clone())?,
            reviews: ReviewsRepo::from_env(dynamodb)?,
            goods_table: config::required("GOODS_TABLE")?,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    #[schema(minimum = 1, maximum = 5)]
    rating: i64,
    /// Plain text, kept exactly as written; clients must escape it when displaying.
    #[schema(min_length = 1, max_length = 2000)]
    comment: String,
}

/// Checks the rating (1–5) and the comment (1–2,000 characters, as written).
fn validate(body: &ReviewBody) -> Result<u8, ApiError> {
    let mut errors = FieldErrors::new();
    let rating = u8::try_from(body.rating)
        .ok()
        .filter(|r| (1..=5).contains(r));
    if rating.is_none() {
        errors.add("rating", "must be an integer from 1 to 5");
    }
    if !(1..=2000).contains(&body.comment.chars().count()) || body.comment.trim().is_empty() {
        errors.add("comment", "must be 1 to 2000 characters");
    }
    errors.into_result()?;
    Ok(rating.unwrap_or(1))
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
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = Customer::from_request(&ctx.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    let body: ReviewBody = http::json_body(&req)?;
    let rating = validate(&body)?;
    let (purchased, user) = tokio::join!(
        ctx.payments.has_purchased(&caller.user_id, &goods_id),
        ctx.users.get(&caller.user_id)
    );
    if !purchased? {
        return Err(ApiError::Forbidden {
            code: "not_purchased",
            message: "Only buyers who paid for these goods may review them.".into(),
        });
    }
    let user = user?.ok_or(ApiError::Unauthenticated)?;
    let review = Review {
        review_id: new_id(),
        goods_id,
        user_id: caller.user_id.clone(),
        username: user.username,
        rating,
        comment: body.comment,
        created_at: clock::rfc3339(clock::now()),
        reply: None,
    };
    ctx.reviews.create(&review, &ctx.goods_table).await?;
    tracing::info!(review_id = %review.review_id, goods_id = %review.goods_id, "review created");
    http::created(&review)
}
