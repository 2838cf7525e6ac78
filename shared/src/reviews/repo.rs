//! The reviews table: reviews of goods, one per buyer and goods, with the merchant's
//! reply.
//!
//! Key layout (`pk`, `sk`, both S):
//! - `GOODS#<goods_id>` / `REVIEW#<review_id>`: a review ([`Review`]); a goods item's
//!   reviews are one Query, newest first (review ids are ULIDs).
//! - `GOODS#<goods_id>` / `BY#<user_id>`: the marker that makes one review per buyer and
//!   goods, written with `attribute_not_exists` in the review's transaction.
//!
//! Global secondary index `by_review` (`review_id`): finds a review from its id alone,
//! for the reply route (only review items carry `review_id`).
//!
//! Creating a review adds its rating to the goods' `rating_sum` and `rating_count` in the
//! same transaction, so the summary never drifts from the reviews, however many arrive
//! at once.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use crate::config::{self, ConfigError};
use crate::error::ApiError;
use crate::store::{backoff, cancellation, number_value, string_value, Cancellation, StoreError};

/// The merchant's reply to a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reply {
    /// As written: plain text, never HTML; clients must escape it when displaying.
    pub text: String,
    /// RFC 3339; replying again replaces the reply and this time.
    pub replied_at: String,
}

/// A review as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    /// ULID.
    pub review_id: String,
    /// The goods reviewed.
    pub goods_id: String,
    /// The reviewer.
    pub user_id: String,
    /// The reviewer's username.
    pub username: String,
    /// 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub rating: u8,
    /// As written: plain text, never HTML; clients must escape it when displaying.
    pub comment: String,
    /// RFC 3339.
    pub created_at: String,
    /// The merchant's reply, if any.
    pub reply: Option<Reply>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ReviewItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    review: Review,
}

/// Why a review was not stored.
#[derive(Debug, thiserror::Error)]
pub enum CreateReviewError {
    /// 409 `already_reviewed`.
    #[error("You have already reviewed these goods.")]
    AlreadyReviewed,
    /// 404: the goods are gone.
    #[error("not found")]
    GoodsGone,
    /// DynamoDB failed: 500.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CreateReviewError> for ApiError {
    fn from(e: CreateReviewError) -> Self {
        match e {
            CreateReviewError::AlreadyReviewed => ApiError::Conflict {
                code: "already_reviewed",
                message: "You have already reviewed these goods.".into(),
            },
            CreateReviewError::GoodsGone => ApiError::NotFound,
            CreateReviewError::Store(store) => store.into(),
        }
    }
}

/// One page of reviews.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewPage {
    /// Newest first.
    pub items: Vec<Review>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// The reviews table.
#[derive(Debug, Clone)]
pub struct ReviewsRepo {
    client: Client,
    table: String,
}

impl ReviewsRepo {
    /// Uses the table named by `REVIEWS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `REVIEWS_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self {
            client,
            table: config::required("REVIEWS_TABLE")?,
        })
    }

    /// Stores the review, its one-per-buyer marker and the goods' new rating summary in
    /// one transaction.
    ///
    /// # Errors
    /// [`CreateReviewError::AlreadyReviewed`], [`CreateReviewError::GoodsGone`], or a
    /// store failure.
    pub async fn create(
        &self,
        review: &Review,
        goods_table: &str,
    ) -> Result<(), CreateReviewError> {
        let pk = format!("GOODS#{}", review.goods_id);
        let item = ReviewItem {
            pk: pk.clone(),
            sk: format!("REVIEW#{}", review.review_id),
            review: review.clone(),
        };
        let put_review = Put::builder()
            .table_name(&self.table)
            .set_item(Some(
                serde_dynamo::to_item(&item).map_err(StoreError::from)?,
            ))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::new)?;
        let marker = Put::builder()
            .table_name(&self.table)
            .item("pk", string_value(&pk))
            .item("sk", string_value(format!("BY#{}", review.user_id)))
            .item("for_review", string_value(&review.review_id))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::new)?;
        let summary = Update::builder()
            .table_name(goods_table)
            .key("goods_id", string_value(&review.goods_id))
            .update_expression("ADD rating_sum :rating, rating_count :one")
            .condition_expression("attribute_exists(goods_id) AND attribute_not_exists(deleted_at)")
            .expression_attribute_values(":rating", number_value(review.rating))
            .expression_attribute_values(":one", number_value(1))
            .build()
            .map_err(StoreError::new)?;
        let writes = vec![
            TransactWriteItem::builder().put(put_review).build(),
            TransactWriteItem::builder().put(marker).build(),
            TransactWriteItem::builder().update(summary).build(),
        ];
        for attempt in 0..10 {
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(writes.clone()))
                .send()
                .await;
            let Err(e) = sent else { return Ok(()) };
            match cancellation(e)? {
                Cancellation::ConditionsFailed(failed) if failed.contains(&1) => {
                    return Err(CreateReviewError::AlreadyReviewed)
                }
                Cancellation::ConditionsFailed(failed) if failed.contains(&2) => {
                    return Err(CreateReviewError::GoodsGone)
                }
                Cancellation::ConditionsFailed(_) => {
                    return Err(StoreError::new("a fresh review id collided").into())
                }
                // Reviews of the same goods all update its summary: they collide under
                // load, and retrying with jitter lets each through.
                Cancellation::Conflict => backoff(attempt).await,
            }
        }
        Err(StoreError::new("the review kept conflicting with others").into())
    }

    /// A goods item's reviews, newest first.
    ///
    /// # Errors
    /// 400 `invalid_cursor`, or a store failure.
    pub async fn list(
        &self,
        goods_id: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<ReviewPage, ApiError> {
        let pk = format!("GOODS#{goods_id}");
        let start = cursor
            .map(|c| {
                let id = crate::cursor::id_after(c)?;
                Ok::<_, ApiError>(HashMap::from([
                    ("pk".to_owned(), string_value(&pk)),
                    ("sk".to_owned(), string_value(format!("REVIEW#{id}"))),
                ]))
            })
            .transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :review)")
            .expression_attribute_values(":pk", string_value(&pk))
            .expression_attribute_values(":review", string_value("REVIEW#"))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(100))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(StoreError::new)?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|i| serde_dynamo::from_item::<_, ReviewItem>(i).map(|i| i.review))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)?;
        let next_cursor = out.last_evaluated_key.and_then(|key| match key.get("sk") {
            Some(AttributeValue::S(sk)) => sk.strip_prefix("REVIEW#").map(crate::cursor::after_id),
            _ => None,
        });
        Ok(ReviewPage { items, next_cursor })
    }

    /// A review by id (one Query on `by_review`).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get(&self, review_id: &str) -> Result<Option<Review>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("by_review")
            .key_condition_expression("review_id = :id")
            .expression_attribute_values(":id", string_value(review_id))
            .limit(1)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out
            .items
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(serde_dynamo::from_item::<_, ReviewItem>)
            .transpose()?
            .map(|i| i.review))
    }

    /// Sets (or replaces) the merchant's reply; answers the review with it.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn reply(&self, review: &Review, reply: Reply) -> Result<Review, StoreError> {
        let value = AttributeValue::M(serde_dynamo::to_item(&reply)?);
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", string_value(format!("GOODS#{}", review.goods_id)))
            .key("sk", string_value(format!("REVIEW#{}", review.review_id)))
            .update_expression("SET reply = :reply")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":reply", value)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(Review {
            reply: Some(reply),
            ..review.clone()
        })
    }
}
