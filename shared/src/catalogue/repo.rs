//! The goods table.
//!
//! Key layout: `goods_id` (S, partition key). Deleting goods is a soft delete
//! (`deleted_at`), so orders and reviews that name them keep their history.
//!
//! Index attributes are sparse: they exist only on live goods and are removed on
//! delete, so deleted goods leave every listing at once.
//! - `gsi_all` = `"GOODS#<shard>"` (see [`super::listing`] for the shards),
//!   `gsi_price` = the price, zero-padded, `#` and the goods id (a price order with no
//!   ties), `gsi_category` = the lowercase category, `gsi_merchant` =
//!   `"<merchant id>#<shard>"`.
//!
//! Global secondary indexes, projecting all attributes so a page needs no follow-up
//! reads — each filter of `GET /goods` is a Query (or one per shard), never a Scan:
//! - `by_all` (`gsi_all`, `goods_id`): everything, newest first (ids are ULIDs).
//! - `by_price` (`gsi_all`, `gsi_price`): a price range over everything, cheapest first.
//! - `by_category` (`gsi_category`, `goods_id`): one category, newest first.
//! - `by_category_price` (`gsi_category`, `price`): one category within a price range.
//! - `by_merchant` (`gsi_merchant`, `goods_id`): one merchant's goods, newest first
//!   (sharded as `by_all`); a category or price filter on top is applied to that
//!   merchant's items only.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;

pub use super::record::{ChangeError, GoodsRecord};
use crate::catalogue::goods::{GoodsEdit, StockChange, MAX_IMAGES, MAX_STOCK};
use crate::catalogue::images::{self, ImageDetail};
use crate::catalogue::listing::price_key;
use crate::catalogue::Goods;
use crate::catalogue::GoodsFields;
use crate::config::{self, ConfigError};
use crate::http::IfMatch;
use crate::orders::order::OrderLine;
use crate::store::{batch_get, is_condition_failed, number_value, string_value, Item, StoreError};

/// How often a change computed from the goods is tried again when they changed under it.
const CHANGE_ATTEMPTS: usize = 5;

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

    /// The transaction item that reserves `quantity` units of `goods` for an order
    /// (moves them from `stock` to `stock_reserved`): on the condition that that much can
    /// be ordered, the goods are still on sale and price and currency are still those the
    /// order was priced at.
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
            .update_expression(
                "SET stock = stock - :q, stock_reserved = if_not_exists(stock_reserved, :zero) + :q",
            )
            .condition_expression(
                "stock >= :q AND attribute_not_exists(deleted_at) AND price = :price AND currency = :currency",
            )
            .expression_attribute_values(":q", number_value(quantity))
            .expression_attribute_values(":zero", number_value(0))
            .expression_attribute_values(":price", number_value(goods.price))
            .expression_attribute_values(":currency", string_value(&goods.currency))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The transaction items that give each line's reserved units back to what can be
    /// ordered (an order cancelled or expired before payment). Deleted goods too: their
    /// count stays right should they ever be restored.
    ///
    /// # Errors
    /// [`StoreError`] if a builder rejects its input (a bug).
    pub fn release(&self, lines: &[OrderLine]) -> Result<Vec<TransactWriteItem>, StoreError> {
        self.per_line(
            lines,
            "SET stock = stock + :q, stock_reserved = if_not_exists(stock_reserved, :zero) - :q",
        )
    }

    /// The transaction items that give each line's sold units back to what can be
    /// ordered (a paid order cancelled or refunded before shipping).
    ///
    /// # Errors
    /// [`StoreError`] if a builder rejects its input (a bug).
    pub fn restock(&self, lines: &[OrderLine]) -> Result<Vec<TransactWriteItem>, StoreError> {
        // (`:zero` keeps the expression's values those of every per-line update.)
        self.per_line(
            lines,
            "SET stock = stock + :q, stock_reserved = if_not_exists(stock_reserved, :zero)",
        )
    }

    /// The transaction items that take each line's reserved units out of the goods for
    /// good (an order paid: the units are the buyer's).
    ///
    /// # Errors
    /// [`StoreError`] if a builder rejects its input (a bug).
    pub fn commit(&self, lines: &[OrderLine]) -> Result<Vec<TransactWriteItem>, StoreError> {
        self.per_line(
            lines,
            "SET stock_reserved = if_not_exists(stock_reserved, :zero) - :q",
        )
    }

    /// One update of each line's goods by `expression`, with `:q` its quantity.
    fn per_line(
        &self,
        lines: &[OrderLine],
        expression: &str,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        lines
            .iter()
            .map(|line| {
                let update = Update::builder()
                    .table_name(&self.table)
                    .key("goods_id", string_value(&line.goods_id))
                    .update_expression(expression)
                    .condition_expression("attribute_exists(goods_id)")
                    .expression_attribute_values(":q", number_value(line.quantity))
                    .expression_attribute_values(":zero", number_value(0))
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

    /// Applies `edit` to the caller's live goods, if `if_match` (when given) names their
    /// current version: one conditional UpdateItem. Setting `stock_on_hand` reads the
    /// reserved units first and writes on the condition that they are still those, so a
    /// concurrent order makes it compute again rather than lose a reservation.
    ///
    /// # Errors
    /// [`ChangeError::NotFound`], [`ChangeError::NotOwner`], [`ChangeError::Changed`],
    /// [`ChangeError::InsufficientStock`], [`ChangeError::TooMuchStock`],
    /// [`ChangeError::Contended`], or a store failure.
    pub async fn update(
        &self,
        goods_id: &str,
        merchant_id: &str,
        edit: &GoodsEdit,
        if_match: Option<&IfMatch>,
        now: &str,
    ) -> Result<GoodsRecord, ChangeError> {
        let mut reserved = match edit.stock {
            Some(StockChange::OnHand(_)) => Some(
                self.current(goods_id, merchant_id, if_match)
                    .await?
                    .stock_reserved,
            ),
            _ => None,
        };
        for _ in 0..CHANGE_ATTEMPTS {
            let mut write = Write::new(now);
            write.fields(&edit.fields);
            match edit.stock {
                Some(StockChange::Set(units)) => write.set("stock", number_value(units)),
                Some(StockChange::OnHand(units)) => {
                    let reserved = reserved.unwrap_or_default();
                    write.set("stock", number_value((units - reserved).max(0)));
                    write.condition_value(
                        "stock_reserved = :reserved",
                        ":reserved",
                        number_value(reserved),
                    );
                }
                Some(StockChange::Adjust(units)) => {
                    write.sets.push("stock = stock + :adjustment".to_owned());
                    write
                        .values
                        .insert(":adjustment".into(), number_value(units));
                    write.condition_value("stock >= :floor", ":floor", number_value(-units.min(0)));
                    write.condition_value(
                        "stock <= :ceiling",
                        ":ceiling",
                        number_value(MAX_STOCK - units.max(0)),
                    );
                }
                None => {}
            }
            if let Some(price) = edit.fields.price {
                write.set(
                    "gsi_price",
                    string_value(price_key(price.minor(), goods_id)),
                );
            }
            match self.change(goods_id, merchant_id, write, if_match).await? {
                Ok(record) => return Ok(record),
                Err(current) => {
                    // Why the write was refused, from the item as it is now.
                    if let Some(StockChange::Adjust(units)) = edit.stock {
                        if current.stock + units < 0 {
                            return Err(ChangeError::InsufficientStock);
                        }
                        if current.stock + units > MAX_STOCK {
                            return Err(ChangeError::TooMuchStock);
                        }
                    }
                    reserved = Some(current.stock_reserved);
                }
            }
        }
        Err(ChangeError::Contended)
    }

    /// Soft-deletes the caller's live goods, if `if_match` (when given) names their
    /// current version: they leave every index at once.
    ///
    /// # Errors
    /// [`ChangeError::NotFound`], [`ChangeError::NotOwner`], [`ChangeError::Changed`], or
    /// a store failure.
    pub async fn delete(
        &self,
        goods_id: &str,
        merchant_id: &str,
        if_match: Option<&IfMatch>,
        now: &str,
    ) -> Result<GoodsRecord, ChangeError> {
        for _ in 0..CHANGE_ATTEMPTS {
            let mut write = Write::new(now);
            write.sets.push("deleted_at = :now".to_owned());
            write.removes = "REMOVE gsi_all, gsi_price, gsi_category, gsi_merchant".to_owned();
            if let Ok(record) = self.change(goods_id, merchant_id, write, if_match).await? {
                return Ok(record);
            }
        }
        Err(ChangeError::Contended)
    }

    /// Appends the checked upload `image` to `merchant_id`'s live goods `goods_id`: one
    /// conditional write (fewer than ten images, this one not among them), so a
    /// redelivered upload event or two racing uploads never make an eleventh image or a
    /// duplicate.
    ///
    /// # Errors
    /// [`ChangeError::NotFound`] (goods gone), [`ChangeError::NotOwner`], or a store
    /// failure.
    pub async fn append_image(
        &self,
        goods_id: &str,
        merchant_id: &str,
        image: &ImageDetail,
        now: &str,
    ) -> Result<Appended, ChangeError> {
        let mut write = Write::new(now);
        write.names.insert("#images".into(), "images".into());
        write
            .names
            .insert("#details".into(), "image_details".into());
        write.sets.push(
            "#images = list_append(if_not_exists(#images, :empty), :url), \
             #details = list_append(if_not_exists(#details, :empty), :detail)"
                .to_owned(),
        );
        write
            .values
            .insert(":empty".into(), AttributeValue::L(Vec::new()));
        write.values.insert(
            ":url".into(),
            AttributeValue::L(vec![string_value(&image.url)]),
        );
        write.values.insert(
            ":detail".into(),
            AttributeValue::L(vec![AttributeValue::M(
                serde_dynamo::to_item(image).map_err(StoreError::from)?,
            )]),
        );
        write.condition_value(
            "(attribute_not_exists(#images) OR size(#images) < :max)",
            ":max",
            number_value(MAX_IMAGES),
        );
        write.condition_value(
            "NOT contains(#images, :url_s)",
            ":url_s",
            string_value(&image.url),
        );
        Ok(
            match self.change(goods_id, merchant_id, write, None).await? {
                Ok(record) => Appended::Added(Box::new(record)),
                Err(current) if current.images.contains(&image.url) => Appended::AlreadyThere,
                Err(_) => Appended::Full,
            },
        )
    }

    /// Removes the image `image_id` (uploaded or hosted elsewhere) from the caller's
    /// live goods: the new item and the image's detail.
    ///
    /// # Errors
    /// [`ChangeError::NotFound`] (no such goods or image), [`ChangeError::NotOwner`],
    /// [`ChangeError::Contended`], or a store failure.
    pub async fn remove_image(
        &self,
        goods_id: &str,
        merchant_id: &str,
        image_id: &str,
        now: &str,
    ) -> Result<(GoodsRecord, ImageDetail), ChangeError> {
        for _ in 0..CHANGE_ATTEMPTS {
            let current = self.current(goods_id, merchant_id, None).await?;
            let listed = images::details(&current.images, &current.image_details);
            let Some(at) = listed.iter().position(|d| d.image_id == image_id) else {
                return Err(ChangeError::NotFound);
            };
            let image = listed[at].clone();
            let mut write = Write::new(now);
            write.names.insert("#images".into(), "images".into());
            write.removes = format!("REMOVE #images[{at}]");
            write.condition_value(
                &format!("#images[{at}] = :url"),
                ":url",
                string_value(&image.url),
            );
            // The stored details of this URL (normally one; the index alone says which).
            let stored: Vec<usize> = (current.image_details.iter().enumerate())
                .filter(|(_, d)| d.url == image.url)
                .map(|(i, _)| i)
                .collect();
            if !stored.is_empty() {
                write
                    .names
                    .insert("#details".into(), "image_details".into());
                for i in &stored {
                    write.removes.push_str(&format!(", #details[{i}]"));
                }
                write.condition_value(
                    "size(#details) = :details",
                    ":details",
                    number_value(current.image_details.len()),
                );
            }
            if let Ok(record) = self.change(goods_id, merchant_id, write, None).await? {
                return Ok((record, image));
            }
        }
        Err(ChangeError::Contended)
    }

    /// The caller's live goods as they are now, if `if_match` passes.
    async fn current(
        &self,
        goods_id: &str,
        merchant_id: &str,
        if_match: Option<&IfMatch>,
    ) -> Result<GoodsRecord, ChangeError> {
        let record = self.get(goods_id).await?.ok_or(ChangeError::NotFound)?;
        if record.merchant_id != merchant_id {
            Err(ChangeError::NotOwner)
        } else if if_match.is_some_and(|tags| !tags.matches(&record.tag())) {
            Err(ChangeError::Changed)
        } else {
            Ok(record)
        }
    }

    /// Runs `write` on the caller's live goods (bumping their version) on its
    /// conditions and `if_match`'s: the new item, or, when a condition failed, the item
    /// as it is now (once it is known that the goods exist, are the caller's and pass
    /// `if_match`, so the caller can tell which of its own conditions failed).
    async fn change(
        &self,
        goods_id: &str,
        merchant_id: &str,
        mut write: Write,
        if_match: Option<&IfMatch>,
    ) -> Result<Result<GoodsRecord, GoodsRecord>, ChangeError> {
        write
            .sets
            .push("version = if_not_exists(version, :zero) + :one".to_owned());
        write.values.insert(":zero".into(), number_value(0));
        write.values.insert(":one".into(), number_value(1));
        write
            .values
            .insert(":merchant".into(), string_value(merchant_id));
        let mut conditions = vec![
            "attribute_exists(goods_id)".to_owned(),
            "attribute_not_exists(deleted_at)".to_owned(),
            "merchant_id = :merchant".to_owned(),
        ];
        if let Some(IfMatch::Tags(tags)) = if_match {
            conditions.push(versions_condition(tags, &mut write.values));
        }
        conditions.append(&mut write.conditions);
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("goods_id", string_value(goods_id))
            .update_expression(format!("SET {} {}", write.sets.join(", "), write.removes))
            .condition_expression(conditions.join(" AND "))
            .set_expression_attribute_names((!write.names.is_empty()).then_some(write.names))
            .set_expression_attribute_values(Some(write.values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match out {
            Ok(out) => Ok(Ok(serde_dynamo::from_item(
                out.attributes.unwrap_or_default(),
            )
            .map_err(StoreError::from)?)),
            Err(e) if is_condition_failed(&e) => {
                Ok(Err(self.current(goods_id, merchant_id, if_match).await?))
            }
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

/// What appending an uploaded image came to.
#[derive(Debug)]
pub enum Appended {
    /// Appended: the goods as they are now.
    Added(Box<GoodsRecord>),
    /// Already there (a redelivered upload event).
    AlreadyThere,
    /// The goods hold ten images already.
    Full,
}

/// An UpdateItem being put together: its `SET` clauses, a `REMOVE`, its own conditions
/// and the names and values they use.
struct Write {
    sets: Vec<String>,
    removes: String,
    conditions: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Write {
    /// A write that sets `updated_at` to `now`.
    fn new(now: &str) -> Self {
        Self {
            sets: vec!["updated_at = :now".to_owned()],
            removes: String::new(),
            conditions: Vec::new(),
            names: HashMap::new(),
            values: HashMap::from([(":now".to_owned(), string_value(now))]),
        }
    }

    /// `SET attribute = value`.
    fn set(&mut self, attribute: &str, value: AttributeValue) {
        self.sets.push(format!("#{attribute} = :{attribute}"));
        self.names
            .insert(format!("#{attribute}"), attribute.to_owned());
        self.values.insert(format!(":{attribute}"), value);
    }

    /// A condition that uses the value `name`.
    fn condition_value(&mut self, condition: &str, name: &str, value: AttributeValue) {
        self.conditions.push(condition.to_owned());
        self.values.insert(name.to_owned(), value);
    }

    /// `SET` of each present field (the category's index key with it).
    fn fields(&mut self, fields: &GoodsFields) {
        if let Some(name) = &fields.name {
            self.set("name", string_value(name));
        }
        if let Some(description) = &fields.description {
            self.set("description", string_value(description));
        }
        if let Some(price) = fields.price {
            self.set("price", number_value(price.minor()));
        }
        if let Some(currency) = &fields.currency {
            self.set("currency", string_value(currency.as_str()));
        }
        if let Some(category) = &fields.category {
            self.set("category", string_value(category));
            self.set("gsi_category", string_value(category.to_lowercase()));
        }
        if let Some(images) = &fields.images {
            self.set(
                "images",
                AttributeValue::L(images.iter().map(string_value).collect()),
            );
        }
    }
}

/// The condition that the version is one of `tags` (tags that are not versions match
/// nothing; goods stored before versions count as version 0).
fn versions_condition(tags: &[String], values: &mut HashMap<String, AttributeValue>) -> String {
    let versions: Vec<u64> = tags.iter().filter_map(|t| t.parse().ok()).collect();
    if versions.is_empty() {
        values.insert(":never".into(), number_value(-1));
        return "version = :never".to_owned();
    }
    let names: Vec<String> = (0..versions.len()).map(|i| format!(":v{i}")).collect();
    for (name, version) in names.iter().zip(&versions) {
        values.insert(name.clone(), number_value(version));
    }
    let legacy = if versions.contains(&0) {
        " OR attribute_not_exists(version)"
    } else {
        ""
    };
    format!("(version IN ({}){legacy})", names.join(", "))
}
