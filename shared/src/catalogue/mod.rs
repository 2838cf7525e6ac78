//! The catalogue: goods as merchants describe them, and the table that keeps them.
//!
//! - [`goods`]: the validated input of create and update, and the item as the API shows it.
//! - [`repo`]: the goods table (stock, soft deletes, listings by category, merchant, price).
//! - [`changes`]: creating, editing and deleting goods ([`GoodsChanges`]); the goods
//!   table's stream carries each change to search.
//! - [`GoodsViews`]: reading one goods item, and publishing a signed-in caller's view to
//!   the behaviour queue.
//! - [`images`]: uploaded images: the presigned POST, the keys, each image's detail;
//!   [`uploads`]: the services that hand out uploads and keep the bucket and the goods'
//!   images in step.
//! - [`api`]: a page of the listing as the API shows it.

pub mod api;
pub mod changes;
pub mod goods;
pub mod images;
pub mod listing;
pub mod record;
pub mod repo;
pub mod uploads;

pub use changes::GoodsChanges;
pub use goods::{Goods, GoodsEdit, GoodsFields, GoodsInput, GoodsPatch, Rating, StockChange};

use crate::accounts::sessions::SessionsRepo;
use crate::auth::Caller;
use crate::aws::Aws;
use crate::config::ConfigError;
use crate::events::{Envelope, Event, Publisher, Viewed};
use repo::GoodsRepo;

/// What `GET /goods/{goods_id}` needs: sessions, the goods table and the behaviour queue.
pub struct GoodsViews {
    /// Sessions, for the optional caller.
    pub sessions: SessionsRepo,
    /// The goods table.
    pub goods: GoodsRepo,
    views: Publisher,
}

impl GoodsViews {
    /// Reads `SESSIONS_TABLE`, `GOODS_TABLE` and `EVENTS_QUEUE_URL`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        let dynamodb = aws.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
            views: Publisher::from_env(aws.sqs(), "EVENTS_QUEUE_URL")?,
        })
    }

    /// Publishes that `caller` viewed `goods_id` (the browsing history recommendations
    /// learn from); a failure is logged and never fails the read.
    pub async fn record_view(&self, caller: &Caller, goods_id: &str) {
        let view = Envelope::new(
            Event::View(Viewed {}),
            Some(&caller.user_id),
            Some(goods_id),
        );
        self.views.publish_or_log(&view).await;
    }
}
