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

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::catalogue::Goods;
use crate::catalogue::GoodsFields;
use crate::catalogue::Rating;
use crate::config::{self, ConfigError};
use crate::error::ApiError;
use crate::money::MAX_PRICE;
use crate::store::{is_condition_failed, n, s, Item, StoreError};

const LIVE: &str = "GOODS";
/// Queries one page may take when a filter discards items, before it answers with
/// fewer items and a cursor.
const MAX_QUERIES_PER_PAGE: usize = 5;

/// A stored goods item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodsRecord {
    /// Partition key.
    pub goods_id: String,
    /// Seller.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Minor units.
    pub price: i64,
    /// ISO 4217.
    pub currency: String,
    /// As written.
    pub category: String,
    /// Units available (orders decrement it conditionally).
    pub stock: i64,
    /// https URLs.
    #[serde(default)]
    pub images: Vec<String>,
    /// Sum of review ratings.
    #[serde(default)]
    pub rating_sum: u64,
    /// Number of reviews.
    #[serde(default)]
    pub rating_count: u64,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Set when deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// Sparse index key: `"GOODS"` while live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi_all: Option<String>,
    /// Sparse index key: lowercase category while live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi_category: Option<String>,
    /// Sparse index key: merchant id while live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi_merchant: Option<String>,
}

impl GoodsRecord {
    /// A new live item from complete fields.
    ///
    /// # Panics
    /// When a field that create requires is missing (the caller validated them).
    pub fn new(goods_id: String, merchant_id: String, fields: GoodsFields, now: &str) -> Self {
        let category = fields.category.expect("validated");
        Self {
            gsi_all: Some(LIVE.to_owned()),
            gsi_category: Some(category.to_lowercase()),
            gsi_merchant: Some(merchant_id.clone()),
            goods_id,
            merchant_id,
            name: fields.name.expect("validated"),
            description: fields.description.expect("validated"),
            price: fields.price.expect("validated").minor(),
            currency: fields
                .currency
                .map_or_else(|| "CNY".to_owned(), |c| c.as_str().to_owned()),
            category,
            stock: fields.stock.expect("validated"),
            images: fields.images.unwrap_or_default(),
            rating_sum: 0,
            rating_count: 0,
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
            deleted_at: None,
        }
    }

    /// The API's view.
    pub fn public(&self) -> Goods {
        Goods {
            goods_id: self.goods_id.clone(),
            merchant_id: self.merchant_id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            price: self.price,
            currency: self.currency.clone(),
            category: self.category.clone(),
            stock: self.stock,
            images: self.images.clone(),
            rating: Rating::from_sum(self.rating_sum, self.rating_count),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

/// Why a change to goods was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// No such live goods: 404.
    #[error("not found")]
    NotFound,
    /// Someone else's goods: 403.
    #[error("not the owner")]
    NotOwner,
    /// Unexpected.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ChangeError> for ApiError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::NotFound => ApiError::NotFound,
            ChangeError::NotOwner => {
                ApiError::forbidden("Only the merchant who sells these goods may change them.")
            }
            ChangeError::Store(store) => store.into(),
        }
    }
}

/// The filters of `GET /goods`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Exact category (case-insensitive).
    pub category: Option<String>,
    /// One merchant's goods.
    pub merchant_id: Option<String>,
    /// Inclusive lower price bound, minor units.
    pub min_price: Option<i64>,
    /// Inclusive upper price bound, minor units.
    pub max_price: Option<i64>,
}

/// One page of goods.
#[derive(Debug, Clone)]
pub struct Page {
    /// The items, in the index's order.
    pub items: Vec<GoodsRecord>,
    /// Where the next page starts, if anything may follow.
    pub next_cursor: Option<String>,
}

/// A cursor that isn't one we issued for this listing.
#[derive(Debug, thiserror::Error)]
#[error("the cursor is not valid for this listing")]
pub struct InvalidCursor;

#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    /// Index the cursor belongs to.
    i: String,
    /// Last goods id evaluated.
    id: String,
    /// Its price, for price-sorted indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<i64>,
}

struct Plan {
    index: &'static str,
    partition_attr: &'static str,
    partition_value: String,
    by_price: bool,
}

impl ListFilter {
    fn has_price_bounds(&self) -> bool {
        self.min_price.is_some() || self.max_price.is_some()
    }

    fn plan(&self) -> Plan {
        let category = self.category.as_ref().map(|c| c.trim().to_lowercase());
        match (&self.merchant_id, category) {
            (Some(merchant), _) => Plan {
                index: "by_merchant",
                partition_attr: "gsi_merchant",
                partition_value: merchant.clone(),
                by_price: false,
            },
            (None, Some(category)) => Plan {
                index: if self.has_price_bounds() {
                    "by_category_price"
                } else {
                    "by_category"
                },
                partition_attr: "gsi_category",
                partition_value: category,
                by_price: self.has_price_bounds(),
            },
            (None, None) => Plan {
                index: if self.has_price_bounds() {
                    "by_price"
                } else {
                    "by_all"
                },
                partition_attr: "gsi_all",
                partition_value: LIVE.to_owned(),
                by_price: self.has_price_bounds(),
            },
        }
    }
}

/// The goods table.
#[derive(Debug, Clone)]
pub struct GoodsRepo {
    client: Client,
    table: String,
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
            .key("goods_id", s(goods_id))
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
        let mut found = Vec::with_capacity(ids.len());
        let mut unique: Vec<&String> = ids.iter().collect();
        unique.sort();
        unique.dedup();
        for chunk in unique.chunks(100) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|id| HashMap::from([("goods_id".to_owned(), s(id.as_str()))]))
                .collect();
            let mut request = Some(
                aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .build()
                    .map_err(StoreError::new)?,
            );
            for attempt in 0..5u64 {
                let Some(keys) = request.take() else { break };
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, keys)
                    .send()
                    .await
                    .map_err(StoreError::new)?;
                for item in out
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    let record: GoodsRecord = serde_dynamo::from_item(item)?;
                    if record.deleted_at.is_none() {
                        found.push(record);
                    }
                }
                request = out.unprocessed_keys.and_then(|mut u| u.remove(&self.table));
                if request.is_some() {
                    tokio::time::sleep(std::time::Duration::from_millis(20 * (attempt + 1))).await;
                }
            }
            if request.is_some() {
                return Err(StoreError::new(
                    "BatchGetItem kept leaving keys unprocessed",
                ));
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
        values.insert(":now".into(), s(now));
        let mut set = |attribute: &str, value: AttributeValue| {
            sets.push(format!("#{attribute} = :{attribute}"));
            names.insert(format!("#{attribute}"), attribute.to_owned());
            values.insert(format!(":{attribute}"), value);
        };
        if let Some(name) = &fields.name {
            set("name", s(name));
        }
        if let Some(description) = &fields.description {
            set("description", s(description));
        }
        if let Some(price) = fields.price {
            set("price", n(price.minor()));
        }
        if let Some(currency) = &fields.currency {
            set("currency", s(currency.as_str()));
        }
        if let Some(category) = &fields.category {
            set("category", s(category));
            set("gsi_category", s(category.to_lowercase()));
        }
        if let Some(stock) = fields.stock {
            set("stock", n(stock));
        }
        if let Some(images) = &fields.images {
            set("images", AttributeValue::L(images.iter().map(s).collect()));
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
        let values = HashMap::from([(":now".to_owned(), s(now))]);
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
        values.insert(":merchant".into(), s(merchant_id));
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("goods_id", s(goods_id))
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

    /// One page of live goods matching the filter (see the module header for the order).
    ///
    /// # Errors
    /// [`ListError::Cursor`] for a cursor this listing didn't issue, or a store failure.
    pub async fn list(
        &self,
        filter: &ListFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, ListError> {
        let plan = filter.plan();
        let mut start = cursor.map(|c| decode_cursor(c, &plan)).transpose()?;
        let mut key_condition = "#pk = :pk".to_owned();
        let mut filters = Vec::new();
        let mut names = HashMap::from([("#pk".to_owned(), plan.partition_attr.to_owned())]);
        let mut values = HashMap::from([(":pk".to_owned(), s(&plan.partition_value))]);
        if filter.has_price_bounds() {
            values.insert(":min".into(), n(filter.min_price.unwrap_or(0)));
            values.insert(":max".into(), n(filter.max_price.unwrap_or(MAX_PRICE)));
            names.insert("#price".into(), "price".into());
            if plan.by_price {
                key_condition.push_str(" AND #price BETWEEN :min AND :max");
            } else {
                filters.push("#price BETWEEN :min AND :max");
            }
        }
        if let (Some(category), "by_merchant") = (&filter.category, plan.index) {
            values.insert(":category".into(), s(category.trim().to_lowercase()));
            filters.push("gsi_category = :category");
        }
        let mut items = Vec::new();
        for _ in 0..MAX_QUERIES_PER_PAGE {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(plan.index)
                .key_condition_expression(&key_condition)
                .set_filter_expression((!filters.is_empty()).then(|| filters.join(" AND ")))
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()))
                .scan_index_forward(plan.by_price)
                .limit(i32::try_from(limit - items.len()).unwrap_or(100))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(StoreError::new)?;
            for item in out.items.unwrap_or_default() {
                items.push(serde_dynamo::from_item(item).map_err(StoreError::from)?);
            }
            start = out.last_evaluated_key;
            if items.len() >= limit || start.is_none() {
                break;
            }
        }
        Ok(Page {
            next_cursor: start.map(|key| encode_cursor(&key, &plan)),
            items,
        })
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
            .map(|item| crate::store::attr_s(item, "goods_id").to_owned())
            .filter(|id| !id.is_empty())
            .collect();
        Ok((ids, out.last_evaluated_key))
    }
}

/// Why a listing failed.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// 400 `invalid_cursor`.
    #[error(transparent)]
    Cursor(#[from] InvalidCursor),
    /// Unexpected.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ListError> for ApiError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::Cursor(c) => ApiError::BadRequest {
                code: "invalid_cursor",
                message: format!("{c}."),
            },
            ListError::Store(store) => store.into(),
        }
    }
}

fn encode_cursor(key: &Item, plan: &Plan) -> String {
    let id = match key.get("goods_id") {
        Some(AttributeValue::S(id)) => id.clone(),
        _ => String::new(),
    };
    let p = match key.get("price") {
        Some(AttributeValue::N(price)) => price.parse().ok(),
        _ => None,
    };
    let cursor = Cursor {
        i: plan.index.to_owned(),
        id,
        p,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).expect("a cursor serialises"))
}

fn decode_cursor(raw: &str, plan: &Plan) -> Result<Item, InvalidCursor> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| InvalidCursor)?;
    let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| InvalidCursor)?;
    if cursor.i != plan.index || cursor.id.is_empty() || cursor.id.len() > 64 {
        return Err(InvalidCursor);
    }
    let mut key = HashMap::from([
        ("goods_id".to_owned(), s(cursor.id)),
        (plan.partition_attr.to_owned(), s(&plan.partition_value)),
    ]);
    if plan.by_price {
        key.insert("price".into(), n(cursor.p.ok_or(InvalidCursor)?));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_filter_picks_the_index_that_serves_it() {
        let plan = |f: ListFilter| f.plan().index;
        assert_eq!(plan(ListFilter::default()), "by_all");
        assert_eq!(
            plan(ListFilter {
                min_price: Some(1),
                ..Default::default()
            }),
            "by_price"
        );
        assert_eq!(
            plan(ListFilter {
                category: Some("Toys".into()),
                ..Default::default()
            }),
            "by_category"
        );
        assert_eq!(
            plan(ListFilter {
                category: Some("Toys".into()),
                max_price: Some(9),
                ..Default::default()
            }),
            "by_category_price"
        );
        assert_eq!(
            plan(ListFilter {
                merchant_id: Some("m".into()),
                category: Some("Toys".into()),
                ..Default::default()
            }),
            "by_merchant"
        );
    }

    #[test]
    fn a_cursor_round_trips_into_the_start_key() {
        let filter = ListFilter {
            category: Some("Toys".into()),
            min_price: Some(5),
            ..Default::default()
        };
        let plan = filter.plan();
        let key = HashMap::from([
            ("goods_id".to_owned(), s("01ABC")),
            ("gsi_category".to_owned(), s("toys")),
            ("price".to_owned(), n(700)),
        ]);
        let cursor = encode_cursor(&key, &plan);
        assert_eq!(decode_cursor(&cursor, &plan).unwrap(), key);
    }

    #[test]
    fn a_cursor_from_another_listing_or_garbage_is_refused() {
        let by_all = ListFilter::default().plan();
        let by_price = ListFilter {
            max_price: Some(5),
            ..Default::default()
        }
        .plan();
        let key = HashMap::from([("goods_id".to_owned(), s("01ABC"))]);
        let cursor = encode_cursor(&key, &by_all);
        assert!(decode_cursor(&cursor, &by_price).is_err());
        assert!(decode_cursor("not base64!", &by_all).is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode(b"{}"), &by_all).is_err());
    }
}
