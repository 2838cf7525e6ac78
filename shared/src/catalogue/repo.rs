//! The goods table.
//!
//! Key layout: `goods_id` (S, partition key). Deleting goods is a soft delete
//! (`deleted_at`), so orders and reviews that name them keep their history.
//!
//! Index attributes are sparse: they exist only on live goods and are removed on
//! delete, so deleted goods leave every listing at once.
//! - `gsi_all` = `"GOODS"`, `gsi_category` = the lowercase category,
//!   `gsi_merchant` = the merchant's id.
//!
//! Global secondary indexes, projecting all attributes so a page is one Query with no
//! follow-up reads — each filter of `GET /goods` is a Query, never a Scan:
//! - `by_all` (`gsi_all`, `goods_id`): everything, newest first (ids are ULIDs).
//! - `by_price` (`gsi_all`, `price`): a price range over everything, cheapest first.
//! - `by_category` (`gsi_category`, `goods_id`): one category, newest first.
//! - `by_category_price` (`gsi_category`, `price`): one category within a price range.
//! - `by_merchant` (`gsi_merchant`, `goods_id`): one merchant's goods, newest first; a
//!   category or price filter on top is applied to that merchant's items only.
//!
//! `by_all` and `by_price` keep all live goods in one index partition: ample for a shop
//! (an index partition serves thousands of reads a second); shard the constant if not.
//! Cursors hold the last evaluated key, so pages are stable under concurrent inserts:
//! new goods sort before the cursor (newest first) or are simply met later (by price),
//! and nothing already listed is repeated or skipped.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;

pub use super::record::{ChangeError, GoodsRecord};
use crate::catalogue::Goods;
use crate::catalogue::GoodsFields;
use crate::config::{self, ConfigError};
use crate::orders::order::OrderLine;
use crate::store::{batch_get, is_condition_failed, number_value, string_value, Item, StoreError};

/// The partition of every live goods item in `by_all` and `by_price`.
pub(super) const LIVE: &str = "GOODS";

/// The goods table.
#[derive(Debug, Clone)]
pub struct GoodsRepo {
    pub(super) client: Client,
    pub(super) table: String,
}

impl GoodsRepo {
    /// Uses the table named by `GOODS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `GOODS_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(client, config::required("GOODS_TABLE")?))
    }

    /// Uses the table named `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The transaction item that reserves `quantity` units of `goods` for an order: on
    /// the condition that that much is in stock, the goods are still on sale and price
    /// and currency are still those the order was priced at.
    ///
    /// # Errors
    /// [`StoreError`] if a builder rejects its input (a bug).
    pub fn reserve(
        &self,
        goods: &GoodsRecord,
        quantity: u32,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key("goods_id", string_value(&goods.goods_id))
            .update_expression("SET stock = stock - :q")
            .condition_expression(
                "stock >= :q AND attribute_not_exists(deleted_at) AND price = :price AND currency = :currency",
            )
            .expression_attribute_values(":q", number_value(quantity))
            .expression_attribute_values(":price", number_value(goods.price))
            .expression_attribute_values(":currency", string_value(&goods.currency))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The transaction items that give each line's reserved units back to its goods
    /// (deleted goods too: their count stays right should they ever be restored).
    ///
    /// # Errors
    /// [`StoreError`] if a builder rejects its input (a bug).
    pub fn release(&self, lines: &[OrderLine]) -> Result<Vec<TransactWriteItem>, StoreError> {
        lines
            .iter()
            .map(|line| {
                let update = Update::builder()
                    .table_name(&self.table)
                    .key("goods_id", string_value(&line.goods_id))
                    .update_expression("SET stock = stock + :q")
                    .condition_expression("attribute_exists(goods_id)")
                    .expression_attribute_values(":q", number_value(line.quantity))
                    .build()
                    .map_err(StoreError::new)?;
                Ok(TransactWriteItem::builder().update(update).build())
            })
            .collect()
    }

    /// Stores new goods.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn create(&self, record: &GoodsRecord) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(record)?))
            .condition_expression("attribute_not_exists(goods_id)")
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    /// Stores new goods in bulk, 25 to a BatchWriteItem (an import: their ids are new,
    /// so none can exist, and no condition is needed).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails; the goods written before it stay written.
    pub async fn create_all(&self, records: &[GoodsRecord]) -> Result<(), StoreError> {
        let writes = records
            .iter()
            .map(|record| crate::store::put_request(serde_dynamo::to_item(record)?))
            .collect::<Result<Vec<_>, StoreError>>()?;
        crate::store::batch_write(&self.client, &self.table, writes).await
    }

    /// Live goods by id (deleted goods are `None`).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get(&self, goods_id: &str) -> Result<Option<GoodsRecord>, StoreError> {
        Ok(self
            .get_any(goods_id)
            .await?
            .filter(|g| g.deleted_at.is_none()))
    }

    /// Goods by id, deleted or not.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get_any(&self, goods_id: &str) -> Result<Option<GoodsRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("goods_id", string_value(goods_id))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Live goods for these ids, in one BatchGetItem per 100 ids (unknown and deleted
    /// ids are left out).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails or keeps leaving keys unprocessed.
    pub async fn batch_get(&self, ids: &[String]) -> Result<Vec<GoodsRecord>, StoreError> {
        let mut unique: Vec<&String> = ids.iter().collect();
        unique.sort();
        unique.dedup();
        let keys: Vec<Item> = unique
            .into_iter()
            .map(|id| HashMap::from([("goods_id".to_owned(), string_value(id.as_str()))]))
            .collect();
        let mut found = Vec::with_capacity(keys.len());
        for item in batch_get(&self.client, &self.table, keys, None, false).await? {
            let record: GoodsRecord = serde_dynamo::from_item(item)?;
            if record.deleted_at.is_none() {
                found.push(record);
            }
        }
        Ok(found)
    }

    /// The API's view of the live goods among `ids`, by id, in one BatchGetItem per 100.
    ///
    /// # Errors
    /// As [`Self::batch_get`].
    pub async fn public_by_id(&self, ids: &[String]) -> Result<HashMap<String, Goods>, StoreError> {
        Ok(self
            .batch_get(ids)
            .await?
            .into_iter()
            .map(|g| (g.goods_id.clone(), g.public()))
            .collect())
    }

    /// Applies the present fields to the caller's live goods.
    ///
    /// # Errors
    /// [`ChangeError::NotFound`], [`ChangeError::NotOwner`], or a store failure.
    pub async fn update(
        &self,
        goods_id: &str,
        merchant_id: &str,
        fields: &GoodsFields,
        now: &str,
    ) -> Result<GoodsRecord, ChangeError> {
        let mut sets = vec!["updated_at = :now".to_owned()];
        let mut names: HashMap<String, String> = HashMap::new();
        let mut values: HashMap<String, AttributeValue> = HashMap::new();
        values.insert(":now".into(), string_value(now));
        let mut set = |attribute: &str, value: AttributeValue| {
            sets.push(format!("#{attribute} = :{attribute}"));
            names.insert(format!("#{attribute}"), attribute.to_owned());
            values.insert(format!(":{attribute}"), value);
        };
        if let Some(name) = &fields.name {
            set("name", string_value(name));
        }
        if let Some(description) = &fields.description {
            set("description", string_value(description));
        }
        if let Some(price) = fields.price {
            set("price", number_value(price.minor()));
        }
        if let Some(currency) = &fields.currency {
            set("currency", string_value(currency.as_str()));
        }
        if let Some(category) = &fields.category {
            set("category", string_value(category));
            set("gsi_category", string_value(category.to_lowercase()));
        }
        if let Some(stock) = fields.stock {
            set("stock", number_value(stock));
        }
        if let Some(images) = &fields.images {
            set(
                "images",
                AttributeValue::L(images.iter().map(string_value).collect()),
            );
        }
        self.change(
            goods_id,
            merchant_id,
            &format!("SET {}", sets.join(", ")),
            names,
            values,
        )
        .await
    }

    /// Soft-deletes the caller's live goods: they leave every index at once.
    ///
    /// # Errors
    /// [`ChangeError::NotFound`], [`ChangeError::NotOwner`], or a store failure.
    pub async fn delete(
        &self,
        goods_id: &str,
        merchant_id: &str,
        now: &str,
    ) -> Result<GoodsRecord, ChangeError> {
        let values = HashMap::from([(":now".to_owned(), string_value(now))]);
        let expression =
            "SET deleted_at = :now, updated_at = :now REMOVE gsi_all, gsi_category, gsi_merchant";
        self.change(goods_id, merchant_id, expression, HashMap::new(), values)
            .await
    }

    async fn change(
        &self,
        goods_id: &str,
        merchant_id: &str,
        expression: &str,
        names: HashMap<String, String>,
        mut values: HashMap<String, AttributeValue>,
    ) -> Result<GoodsRecord, ChangeError> {
        values.insert(":merchant".into(), string_value(merchant_id));
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("goods_id", string_value(goods_id))
            .update_expression(expression)
            .condition_expression("attribute_exists(goods_id) AND attribute_not_exists(deleted_at) AND merchant_id = :merchant")
            .set_expression_attribute_names((!names.is_empty()).then_some(names))
            .set_expression_attribute_values(Some(values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match out {
            Ok(out) => Ok(serde_dynamo::from_item(out.attributes.unwrap_or_default())
                .map_err(StoreError::from)?),
            Err(e) if is_condition_failed(&e) => match self.get(goods_id).await? {
                Some(_) => Err(ChangeError::NotOwner),
                None => Err(ChangeError::NotFound),
            },
            Err(e) => Err(StoreError::new(e).into()),
        }
    }

    /// One page of a parallel Scan of every goods id, live and deleted: segment `segment`
    /// of `segments`, continuing after `start` (the previous page's last key). For
    /// maintenance jobs such as a search reindex, never for a request: a Scan reads the
    /// whole table.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn scan_ids(
        &self,
        segment: i32,
        segments: i32,
        start: Option<Item>,
    ) -> Result<(Vec<String>, Option<Item>), StoreError> {
        let out = self
            .client
            .scan()
            .table_name(&self.table)
            .segment(segment)
            .total_segments(segments)
            .projection_expression("goods_id")
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(StoreError::new)?;
        let ids = out
            .items
            .unwrap_or_default()
            .iter()
            .map(|item| crate::store::string_attr(item, "goods_id").to_owned())
            .filter(|id| !id.is_empty())
            .collect();
        Ok((ids, out.last_evaluated_key))
    }
}
