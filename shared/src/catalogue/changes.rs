//! Creating, editing and deleting goods: the merchant's own, checked by the goods table's
//! conditional writes. Nothing is sent after the write: the goods table's DynamoDB stream
//! carries every change to search (`index-goods`), so a change that was written is never
//! lost to a queue that was down, and one that wasn't written is never announced.

use super::goods::GoodsPatch;
use super::repo::{GoodsRecord, GoodsRepo};
use super::{Goods, GoodsInput};
use crate::accounts::sessions::SessionsRepo;
use crate::auth::Merchant;
use crate::aws::Aws;
use crate::clock;
use crate::config::ConfigError;
use crate::error::{ApiError, FieldErrors};
use crate::http::IfMatch;
use crate::ids::new_id;

/// Fields a new goods item must have (`currency` defaults to CNY, `images` to none).
const REQUIRED: &[&str] = &["name", "description", "price", "category", "stock"];

/// What the functions that change goods need: sessions and the goods table.
pub struct GoodsChanges {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    /// The goods table.
    pub goods: GoodsRepo,
}

impl GoodsChanges {
    /// Reads `SESSIONS_TABLE` and `GOODS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
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
        tracing::info!(goods_id = %record.goods_id, merchant_id = %merchant.user_id, "goods created");
        Ok(record)
    }

    /// New goods of the merchant `merchant_id`'s in bulk: an import (the demo catalogue's
    /// loader, which signed in as that merchant first), not an API route. Each input is
    /// validated as [`GoodsChanges::create`] validates it; the valid ones are written 25
    /// to a BatchWriteItem (the table's stream carries them to search as it carries any
    /// write). Answers, in the inputs' order, each one's goods or why it was refused.
    ///
    /// # Errors
    /// When DynamoDB fails (what was written before stays written; an import that skips
    /// the names it finds can run again).
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
        (self.goods)
            .delete(goods_id, &merchant.user_id, if_match, &now)
            .await?;
        tracing::info!(goods_id = %goods_id, "goods deleted");
        Ok(())
    }
}
