//! Creating, editing and deleting goods: the merchant's own, checked by the goods table's
//! conditional writes; each change is then published to the goods-changes queue (search
//! and recommendations follow it), a failure to publish logged, never failing the change.

use super::goods::GoodsPatch;
use super::repo::{GoodsRecord, GoodsRepo};
use super::{clients, Goods, GoodsInput};
use crate::accounts::sessions::SessionsRepo;
use crate::auth::{Caller, Merchant};
use crate::clock;
use crate::config::ConfigError;
use crate::error::{ApiError, FieldErrors};
use crate::events::{Envelope, Event, GoodsDeleted, Publisher};
use crate::http::IfMatch;
use crate::ids::new_id;

/// Fields a new goods item must have (`currency` defaults to CNY, `images` to none).
const REQUIRED: &[&str] = &["name", "description", "price", "category", "stock"];

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
        let (sessions, goods, changes) = clients("GOODS_CHANGES_QUEUE_URL")?;
        Ok(Self {
            sessions,
            goods,
            changes,
        })
    }

    /// A new goods item of `merchant`'s, from a body that must give every field.
    ///
    /// # Errors
    /// 422 naming every missing or invalid field; 500 when DynamoDB fails.
    pub async fn create(
        &self,
        merchant: &Merchant,
        input: GoodsInput,
    ) -> Result<GoodsRecord, ApiError> {
        let fields = input.validate(REQUIRED).map_err(ApiError::Validation)?;
        let now = clock::rfc3339(clock::now());
        let record = GoodsRecord::new(new_id(), merchant.user_id.clone(), fields, &now);
        self.goods.create(&record).await?;
        let goods = record.public();
        tracing::info!(goods_id = %goods.goods_id, merchant_id = %merchant.user_id, "goods created");
        let event = Event::GoodsCreated(Box::new(goods));
        self.publish(event, merchant, &record.goods_id).await;
        Ok(record)
    }

    /// New goods of the merchant `merchant_id`'s in bulk: an import (the demo catalogue's
    /// loader, which signed in as that merchant first), not an API route. Each input is validated as [`GoodsChanges::create`] validates it; the
    /// valid ones are written 25 to a BatchWriteItem, then published ten to a
    /// SendMessageBatch. Answers, in the inputs' order, each one's goods or why it was
    /// refused.
    ///
    /// # Errors
    /// When DynamoDB or SQS fails (what was written before stays written; an import
    /// that skips the names it finds can run again).
    pub async fn import(
        &self,
        merchant_id: &str,
        inputs: Vec<GoodsInput>,
    ) -> Result<Vec<Result<Goods, FieldErrors>>, ApiError> {
        let now = clock::rfc3339(clock::now());
        let checked: Vec<Result<GoodsRecord, FieldErrors>> = inputs
            .into_iter()
            .map(|input| {
                let fields = input.validate(REQUIRED)?;
                Ok(GoodsRecord::new(
                    new_id(),
                    merchant_id.to_owned(),
                    fields,
                    &now,
                ))
            })
            .collect();
        let records: Vec<GoodsRecord> = checked.iter().filter_map(|r| r.clone().ok()).collect();
        self.goods.create_all(&records).await?;
        let events: Vec<Envelope> = records
            .iter()
            .map(|record| {
                let goods = record.public();
                let id = goods.goods_id.clone();
                Envelope::new(
                    Event::GoodsCreated(Box::new(goods)),
                    Some(merchant_id),
                    Some(&id),
                )
            })
            .collect();
        self.changes
            .publish_all(&events)
            .await
            .map_err(|e| ApiError::internal(format!("publishing the imported goods: {e}")))?;
        tracing::info!(%merchant_id, imported = records.len(), "goods imported");
        Ok(checked
            .into_iter()
            .map(|r| r.map(|record| record.public()))
            .collect())
    }

    /// `merchant`'s goods `goods_id` with the change `patch` asks for, if `if_match`
    /// (when given) names their current version.
    ///
    /// # Errors
    /// 422 naming every invalid field, or `body` when nothing would change; 404 for goods
    /// that are not the merchant's or are deleted; 412 when `if_match` names an older
    /// version; 409 `insufficient_stock`; 500 when DynamoDB fails.
    pub async fn update(
        &self,
        merchant: &Merchant,
        goods_id: &str,
        patch: GoodsPatch,
        if_match: Option<&IfMatch>,
    ) -> Result<GoodsRecord, ApiError> {
        let edit = patch.validate().map_err(ApiError::Validation)?;
        let now = clock::rfc3339(clock::now());
        let record = (self.goods)
            .update(goods_id, &merchant.user_id, &edit, if_match, &now)
            .await?;
        tracing::info!(goods_id = %goods_id, version = record.version, "goods updated");
        let event = Event::GoodsUpdated(Box::new(record.public()));
        self.publish(event, merchant, goods_id).await;
        Ok(record)
    }

    /// Deletes `merchant`'s goods `goods_id` (softly: past orders keep their lines), if
    /// `if_match` (when given) names their current version.
    ///
    /// # Errors
    /// 404 for goods that are not the merchant's or are already deleted; 412 when
    /// `if_match` names an older version; 500 when DynamoDB fails.
    pub async fn delete(
        &self,
        merchant: &Merchant,
        goods_id: &str,
        if_match: Option<&IfMatch>,
    ) -> Result<(), ApiError> {
        let now = clock::rfc3339(clock::now());
        let record = (self.goods)
            .delete(goods_id, &merchant.user_id, if_match, &now)
            .await?;
        tracing::info!(goods_id = %goods_id, "goods deleted");
        let deleted = Event::GoodsDeleted(GoodsDeleted {
            merchant_id: record.merchant_id,
            deleted_at: now,
        });
        self.publish(deleted, merchant, goods_id).await;
        Ok(())
    }

    /// Publishes a change to `goods_id`; a failure is logged (the change itself has
    /// been made).
    async fn publish(&self, event: Event, caller: &Caller, goods_id: &str) {
        let envelope = Envelope::new(event, Some(&caller.user_id), Some(goods_id));
        self.changes.publish_or_log(&envelope).await;
    }
}
