//! The catalogue: goods as merchants describe them, and the table that keeps them.
//!
//! - [`goods`]: the validated input of create and update, and the item as the API shows it.
//! - [`repo`]: the goods table (stock, soft deletes, listings by category, merchant, price).
//! - [`GoodsChanges`]: what the functions that change goods share, and how they publish
//!   each change to the goods-changes queue.
//! - [`api`]: a page of the listing as the API shows it.

pub mod api;
pub mod goods;
pub mod listing;
pub mod record;
pub mod repo;

pub use goods::{Goods, GoodsFields, GoodsInput, Rating};

use crate::accounts::sessions::SessionsRepo;
use crate::auth::Caller;
use crate::aws::Aws;
use crate::config::ConfigError;
use crate::events::{Envelope, Event, Publisher};
use repo::GoodsRepo;

/// What the functions that change goods need: sessions, the goods table and the
/// goods-changes queue.
pub struct GoodsChanges {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    /// The goods table.
    pub goods: GoodsRepo,
    changes: Publisher,
}

impl GoodsChanges {
    /// Reads `SESSIONS_TABLE`, `GOODS_TABLE` and `GOODS_CHANGES_QUEUE_URL`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        let dynamodb = aws.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
            changes: Publisher::from_env(aws.sqs(), "GOODS_CHANGES_QUEUE_URL")?,
        })
    }

    /// Publishes a change to `goods_id`; a failure is logged (the change itself has
    /// been made).
    pub async fn publish(&self, event: Event, caller: &Caller, goods_id: &str) {
        let envelope = Envelope::new(event, Some(&caller.user_id), Some(goods_id));
        self.changes.publish_or_log(&envelope).await;
    }
}
