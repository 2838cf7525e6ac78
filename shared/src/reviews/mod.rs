//! Reviews: buyers rate and review what they bought; the goods' merchant replies.
//!
//! - [`repo`]: the reviews table, and the goods' rating summary it keeps exact.
//! - [`Reviews`]: the service the review functions call, one method per use case:
//!   [`Reviews::create`], [`Reviews::list`], [`Reviews::reply`].
//! - [`api`]: the request bodies of reviewing and replying.
//!
//! The rules: only a buyer whose payment the webhook recorded may review (checked
//! against the payments table, never trusted from the client); one review per buyer and
//! goods; only the merchant who sells the goods replies, and replying again replaces the
//! reply. Text is kept exactly as written: clients escape it when displaying.

pub mod api;
pub mod repo;

use crate::accounts::repo::UsersRepo;
use crate::accounts::sessions::SessionsRepo;
use crate::auth::{Customer, Merchant};
use crate::aws::Aws;
use crate::catalogue::repo::GoodsRepo;
use crate::clock;
use crate::config::{self, ConfigError};
use crate::error::{ApiError, FieldErrors};
use crate::http::PageParams;
use crate::ids::new_id;
use crate::payments::repo::PaymentsRepo;
use repo::{Reply, Review, ReviewPage, ReviewsRepo};

/// The longest comment or reply, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A rating and a comment that passed the rules: 1–5 stars, 1–2,000 characters of text
/// that is not only white space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDraft {
    rating: u8,
    comment: String,
}

impl ReviewDraft {
    /// Checks both fields and names every one that is wrong.
    ///
    /// # Errors
    /// 422 `validation_failed` with `rating` and/or `comment`.
    pub fn new(rating: i64, comment: String) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let rating = u8::try_from(rating).ok().filter(|r| (1..=5).contains(r));
        if rating.is_none() {
            errors.add("rating", "must be an integer from 1 to 5");
        }
        if !is_text(&comment) {
            errors.add("comment", "must be 1 to 2000 characters");
        }
        errors.into_result()?;
        Ok(Self {
            rating: rating.unwrap_or(1),
            comment,
        })
    }
}

/// 1–2,000 characters, not only white space.
fn is_text(text: &str) -> bool {
    (1..=MAX_TEXT_CHARS).contains(&text.chars().count()) && !text.trim().is_empty()
}

/// The review functions' service, built once per cold start. Each function's policy
/// grants only the calls its own method makes.
pub struct Reviews {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    users: UsersRepo,
    payments: PaymentsRepo,
    goods: GoodsRepo,
    goods_table: String,
    reviews: ReviewsRepo,
}

impl Reviews {
    /// Reads `SESSIONS_TABLE`, `USERS_TABLE`, `PAYMENTS_TABLE`, `GOODS_TABLE` and
    /// `REVIEWS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            users: UsersRepo::from_env(dynamodb.clone())?,
            payments: PaymentsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb.clone())?,
            goods_table: config::required("GOODS_TABLE")?,
            reviews: ReviewsRepo::from_env(dynamodb)?,
        })
    }

    /// The buyer reviews goods they paid for; the goods' rating summary changes in the
    /// same transaction.
    ///
    /// # Errors
    /// 403 `not_purchased`, 404 for goods gone meanwhile, 409 `already_reviewed`; 500
    /// when DynamoDB fails.
    pub async fn create(
        &self,
        buyer: &Customer,
        goods_id: String,
        draft: ReviewDraft,
    ) -> Result<Review, ApiError> {
        let (purchased, user) = tokio::join!(
            self.payments.has_purchased(&buyer.user_id, &goods_id),
            self.users.get(&buyer.user_id)
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
            user_id: buyer.user_id.clone(),
            username: user.username,
            rating: draft.rating,
            comment: draft.comment,
            created_at: clock::rfc3339(clock::now()),
            reply: None,
        };
        self.reviews.create(&review, &self.goods_table).await?;
        tracing::info!(review_id = %review.review_id, goods_id = %review.goods_id, "review created");
        Ok(review)
    }

    /// A page of the goods' reviews, newest first; the goods read and the reviews Query
    /// run concurrently.
    ///
    /// # Errors
    /// 404 for goods that never existed, 400 `invalid_cursor`; 500 when DynamoDB fails.
    pub async fn list(&self, goods_id: &str, page: &PageParams) -> Result<ReviewPage, ApiError> {
        let (goods, reviews) = tokio::join!(
            self.goods.get_any(goods_id),
            self.reviews
                .list(goods_id, page.limit, page.cursor.as_deref())
        );
        goods?.ok_or(ApiError::NotFound)?;
        reviews
    }

    /// The merchant who sells the reviewed goods replies (again replaces).
    ///
    /// # Errors
    /// 422 `reply`, 404, 403 for any other merchant; 500 when DynamoDB fails.
    pub async fn reply(
        &self,
        merchant: &Merchant,
        review_id: &str,
        text: String,
    ) -> Result<Review, ApiError> {
        if !is_text(&text) {
            return Err(FieldErrors::single("reply", "must be 1 to 2000 characters"));
        }
        let review = self
            .reviews
            .get(review_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let goods = self
            .goods
            .get_any(&review.goods_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if goods.merchant_id != merchant.user_id {
            return Err(ApiError::forbidden(
                "Only the merchant who sells these goods may reply.",
            ));
        }
        let reply = Reply {
            text,
            replied_at: clock::rfc3339(clock::now()),
        };
        let replied = self.reviews.reply(&review, reply).await?;
        tracing::info!(review_id = %review_id, "review answered");
        Ok(replied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_names_every_wrong_field() {
        let Err(ApiError::Validation(fields)) = ReviewDraft::new(6, "  ".into()) else {
            panic!("both fields are wrong");
        };
        let named: Vec<&str> = fields.fields().keys().map(String::as_str).collect();
        assert_eq!(named, ["comment", "rating"]);
    }

    #[test]
    fn a_draft_keeps_the_text_as_written() {
        let draft = ReviewDraft::new(5, "<b>好</b>".into()).unwrap();
        assert_eq!((draft.rating, draft.comment.as_str()), (5, "<b>好</b>"));
        assert!(ReviewDraft::new(0, "ok".into()).is_err());
        assert!(ReviewDraft::new(1, "x".repeat(2001)).is_err());
        assert!(ReviewDraft::new(1, "字".repeat(2000)).is_ok());
    }
}
