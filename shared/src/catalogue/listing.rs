//! Listings of `GET /goods`: which index serves each filter, and the opaque cursors
//! that keep pages stable (see [`super::repo`] for the indexes).
//!
//! **Shards.** `by_all` and `by_price` hold every live goods item, and `by_merchant` all
//! of a one-merchant shop's, so their partition keys are written across [`SHARDS`] values
//! (`GOODS#0`, `GOODS#1`; `<merchant>#0`, `#1`, from the random bits of the goods' ULID):
//! every write that changes what a listing shows — an order's stock reservation included —
//! rewrites the goods' entry in each, and one index partition takes at most 1,000 write
//! units a second (DynamoDB's per-partition limit; 3,000 read units). At 1,000 orders a
//! second on goods of up to 1 KB that is the whole limit of one partition; two shards put
//! each at half of it. More shards would cost every first page more Queries, and each Query
//! has a fixed cost: measured in one run (`infra/bench/src/bin/listing.rs`, BENCHMARKS.md),
//! four shards made the first page 1.9× the unsharded page's latency, two stay within
//! 1.5× (each shard reads its expected share of the page plus three standard deviations:
//! [`shard_chunk`]). A category or price bound within one merchant's goods is a filter
//! on its shards: a shard whose Query the filter emptied counts as dry and is queried
//! again (within the same bound).
//!
//! A sharded page queries every shard at once and merges them by the index's order
//! (newest first by id; by price, then id, cheapest first — `gsi_price` makes that order
//! total, so a merge is exact); a shard whose items ran out before the merge could tell
//! it has no better one is queried again, at most [`MAX_REFILLS`] times a page (then
//! the page answers short, with a cursor). The cursor is the last item listed (its id,
//! and price): each shard resumes strictly after it, so pages are stable under
//! concurrent inserts — new goods sort before the cursor (newest first) or are met later
//! (by price) — and nothing listed is repeated or skipped.

use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::repo::{GoodsRecord, GoodsRepo};
use crate::cursor::InvalidCursor;
use crate::error::ApiError;
use crate::money::MAX_PRICE;
use crate::store::{items_of, number_value, string_value, Item, StoreError};

/// How many partition keys `by_all` and `by_price` spread live goods over (see the
/// module header for why two).
pub const SHARDS: u32 = 2;
/// Rounds of refills one sharded page may take after its first Query per shard.
const MAX_REFILLS: usize = 2;
/// Digits of a zero-padded price in `gsi_price` (`MAX_PRICE`, 10^11, has 12).
const PRICE_DIGITS: usize = 12;
/// The `by_all` / `by_price` partition key of `goods_id`.
pub fn shard_key(goods_id: &str) -> String {
    format!("GOODS#{}", crate::ids::shard(goods_id, SHARDS))
}

/// The `by_merchant` partition key of `goods_id`, goods of `merchant_id`.
pub fn merchant_key(merchant_id: &str, goods_id: &str) -> String {
    format!("{merchant_id}#{}", crate::ids::shard(goods_id, SHARDS))
}

/// The `by_price` sort key: the price zero-padded (so strings sort as numbers), `#`,
/// the goods id (so no two items tie).
pub fn price_key(price: i64, goods_id: &str) -> String {
    format!("{price:0width$}#{goods_id}", width = PRICE_DIGITS)
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
    /// The partition key's value (for a sharded index, its prefix: `GOODS`).
    partition_value: String,
    by_price: bool,
    /// Written across [`SHARDS`] partition keys.
    sharded: bool,
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
                sharded: true,
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
                sharded: false,
            },
            (None, None) => Plan {
                index: if self.has_price_bounds() {
                    "by_price"
                } else {
                    "by_all"
                },
                partition_attr: "gsi_all",
                partition_value: "GOODS".to_owned(),
                by_price: self.has_price_bounds(),
                sharded: true,
            },
        }
    }
}

impl GoodsRepo {
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
        if plan.sharded {
            let after = cursor.map(|c| decode_position(c, &plan)).transpose()?;
            return self.list_sharded(&plan, filter, limit, after).await;
        }
        let start = cursor.map(|c| decode_cursor(c, &plan)).transpose()?;
        let mut key_condition = "#pk = :pk".to_owned();
        let mut names = HashMap::from([("#pk".to_owned(), plan.partition_attr.to_owned())]);
        let mut values = HashMap::from([(":pk".to_owned(), string_value(&plan.partition_value))]);
        if plan.by_price {
            values.insert(":min".into(), number_value(filter.min_price.unwrap_or(0)));
            values.insert(
                ":max".into(),
                number_value(filter.max_price.unwrap_or(MAX_PRICE)),
            );
            names.insert("#price".into(), "price".into());
            key_condition.push_str(" AND #price BETWEEN :min AND :max");
        }
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(plan.index)
            .key_condition_expression(&key_condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .scan_index_forward(plan.by_price)
            .limit(i32::try_from(limit).unwrap_or(100))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(StoreError::new)?;
        let items = items_of(out.items)?;
        let start = out.last_evaluated_key;
        Ok(Page {
            next_cursor: start.map(|key| encode_cursor(&key, &plan)),
            items,
        })
    }
}

/// Where a sharded listing stands: the last item listed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    id: String,
    price: Option<i64>,
}

impl Position {
    fn of(record: &GoodsRecord) -> Self {
        Self {
            id: record.goods_id.clone(),
            price: Some(record.price),
        }
    }

    /// Shard `shard`'s start key just after this position.
    fn start_key(&self, plan: &Plan, shard: u32) -> Item {
        let mut key = HashMap::from([
            ("goods_id".to_owned(), string_value(&self.id)),
            (
                plan.partition_attr.to_owned(),
                string_value(format!("{}#{shard}", plan.partition_value)),
            ),
        ]);
        if plan.by_price {
            let price = self.price.unwrap_or_default();
            key.insert("gsi_price".into(), string_value(price_key(price, &self.id)));
        }
        key
    }
}

/// One shard's part of a page being merged.
struct Stream {
    shard: u32,
    items: VecDeque<GoodsRecord>,
    /// Where its next Query starts; `None` once it has nothing more.
    next: Option<Item>,
}

impl GoodsRepo {
    /// One page of a sharded index: every shard queried at once, merged in the index's
    /// order (see the module header).
    async fn list_sharded(
        &self,
        plan: &Plan,
        filter: &ListFilter,
        limit: usize,
        after: Option<Position>,
    ) -> Result<Page, ListError> {
        let chunk = shard_chunk(limit);
        let mut streams: Vec<Stream> = (0..SHARDS)
            .map(|shard| Stream {
                shard,
                items: VecDeque::new(),
                next: after.as_ref().map(|p| p.start_key(plan, shard)),
            })
            .collect();
        let mut fresh = vec![true; streams.len()];
        let mut items: Vec<GoodsRecord> = Vec::with_capacity(limit);
        let mut refills = 0;
        while items.len() < limit {
            // Refill every shard that ran dry but may have more, all at once: until it
            // has answered, no item can be known to come next.
            let dry: Vec<usize> = (0..streams.len())
                .filter(|&i| streams[i].items.is_empty() && (fresh[i] || streams[i].next.is_some()))
                .collect();
            if !dry.is_empty() {
                if refills > MAX_REFILLS {
                    break;
                }
                refills += 1;
                let queries = dry
                    .iter()
                    .map(|&i| self.query_shard(plan, filter, &streams[i], chunk));
                for (&i, answer) in dry.iter().zip(futures::future::join_all(queries).await) {
                    let (found, next) = answer?;
                    streams[i].items.extend(found);
                    streams[i].next = next;
                    fresh[i] = false;
                }
                continue;
            }
            let best = (0..streams.len())
                .filter(|&i| !streams[i].items.is_empty())
                .min_by(|&a, &b| order(plan, &streams[a].items[0], &streams[b].items[0]));
            match best {
                Some(i) => items.extend(streams[i].items.pop_front()),
                None => break,
            }
        }
        let more = streams
            .iter()
            .any(|s| !s.items.is_empty() || s.next.is_some());
        let next_cursor = match items.last() {
            Some(last) if more => Some(encode_position(&Position::of(last), plan)),
            // A page cut short by the refill bound, before anything was listed.
            None if more => after.map(|p| encode_position(&p, plan)),
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    /// One Query of `stream`'s shard, from where it stands: its start (after the
    /// cursor, if any), or where its last Query stopped.
    async fn query_shard(
        &self,
        plan: &Plan,
        filter: &ListFilter,
        stream: &Stream,
        chunk: usize,
    ) -> Result<(Vec<GoodsRecord>, Option<Item>), StoreError> {
        let partition = format!("{}#{}", plan.partition_value, stream.shard);
        let mut values = HashMap::from([(":pk".to_owned(), string_value(partition))]);
        let mut key_condition = format!("{} = :pk", plan.partition_attr);
        // One merchant's goods, newest first: its category and price bounds are filters.
        let mut filters = Vec::new();
        let mut names = HashMap::new();
        if !plan.by_price && filter.has_price_bounds() {
            values.insert(":min".into(), number_value(filter.min_price.unwrap_or(0)));
            values.insert(
                ":max".into(),
                number_value(filter.max_price.unwrap_or(MAX_PRICE)),
            );
            names.insert("#price".to_owned(), "price".to_owned());
            filters.push("#price BETWEEN :min AND :max");
        }
        if let (Some(category), "by_merchant") = (&filter.category, plan.index) {
            values.insert(
                ":category".into(),
                string_value(category.trim().to_lowercase()),
            );
            filters.push("gsi_category = :category");
        }
        if plan.by_price {
            let min = filter.min_price.unwrap_or(0);
            let max = filter.max_price.unwrap_or(MAX_PRICE);
            values.insert(":min".into(), string_value(price_key(min, "")));
            // `~` sorts after every id character.
            values.insert(":max".into(), string_value(price_key(max, "~")));
            key_condition.push_str(" AND gsi_price BETWEEN :min AND :max");
        }
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(plan.index)
            .key_condition_expression(key_condition)
            .set_filter_expression((!filters.is_empty()).then(|| filters.join(" AND ")))
            .set_expression_attribute_names((!names.is_empty()).then_some(names))
            .set_expression_attribute_values(Some(values))
            .scan_index_forward(plan.by_price)
            .limit(i32::try_from(chunk).unwrap_or(100))
            .set_exclusive_start_key(stream.next.clone())
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok((items_of(out.items)?, out.last_evaluated_key))
    }
}

/// Items each shard's first Query asks for: ULIDs spread goods over the shards at random,
/// so a shard's share of a page of `limit` is binomial; its mean plus three standard
/// deviations (and one, to see past the page) leaves about one page in 300 needing a
/// second Query on a shard, for fewer items read than asking each shard for the page.
fn shard_chunk(limit: usize) -> usize {
    let (n, p) = (limit as f64, 1.0 / f64::from(SHARDS));
    let share = n * p + 3.0 * (n * p * (1.0 - p)).sqrt();
    (share.ceil() as usize + 1).min(limit + 1)
}

/// The index's order of two items: which one a page lists first.
fn order(plan: &Plan, a: &GoodsRecord, b: &GoodsRecord) -> Ordering {
    if plan.by_price {
        (a.price, &a.goods_id).cmp(&(b.price, &b.goods_id))
    } else {
        b.goods_id.cmp(&a.goods_id)
    }
}

fn encode_position(position: &Position, plan: &Plan) -> String {
    crate::cursor::encode(&Cursor {
        i: plan.index.to_owned(),
        id: position.id.clone(),
        p: position.price.filter(|_| plan.by_price),
    })
}

fn decode_position(raw: &str, plan: &Plan) -> Result<Position, InvalidCursor> {
    let cursor: Cursor = crate::cursor::decode(raw)?;
    if cursor.i != plan.index
        || !crate::ids::is_id(&cursor.id)
        || (plan.by_price && cursor.p.is_none_or(|p| !(0..=MAX_PRICE).contains(&p)))
    {
        return Err(InvalidCursor);
    }
    Ok(Position {
        id: cursor.id,
        price: cursor.p,
    })
}

/// Why a listing failed.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// 400 `invalid_cursor`.
    #[error(transparent)]
    Cursor(#[from] InvalidCursor),
    /// DynamoDB failed: 500.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ListError> for ApiError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::Cursor(c) => c.into(),
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
    crate::cursor::encode(&cursor)
}

fn decode_cursor(raw: &str, plan: &Plan) -> Result<Item, InvalidCursor> {
    let cursor: Cursor = crate::cursor::decode(raw)?;
    if cursor.i != plan.index || cursor.id.is_empty() || cursor.id.len() > 64 {
        return Err(InvalidCursor);
    }
    let mut key = HashMap::from([
        ("goods_id".to_owned(), string_value(cursor.id)),
        (
            plan.partition_attr.to_owned(),
            string_value(&plan.partition_value),
        ),
    ]);
    if plan.by_price {
        key.insert("price".into(), number_value(cursor.p.ok_or(InvalidCursor)?));
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
    fn a_shard_reads_its_share_and_a_margin_never_more_than_the_page() {
        assert_eq!(shard_chunk(20), 18);
        assert_eq!(shard_chunk(1), 2);
        assert_eq!(shard_chunk(100), 66);
    }

    #[test]
    fn ulids_fill_the_shards_evenly() {
        let mut counts = [0_u32; SHARDS as usize];
        for _ in 0..4000 {
            let key = shard_key(&crate::ids::new_id());
            let shard: usize = key.strip_prefix("GOODS#").unwrap().parse().unwrap();
            counts[shard] += 1;
        }
        // Each shard's share within ±20 % of an even one (far beyond chance at 4,000).
        let even = 4000 / SHARDS;
        assert!(
            counts
                .iter()
                .all(|&c| (even * 4 / 5..even * 6 / 5).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn price_keys_sort_as_prices_then_ids_and_bounds_take_every_id() {
        let mut keys = vec![
            price_key(1000, "01B"),
            price_key(99, "01Z"),
            price_key(1000, "01A"),
            price_key(MAX_PRICE, "01A"),
            price_key(0, "01A"),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                price_key(0, "01A"),
                price_key(99, "01Z"),
                price_key(1000, "01A"),
                price_key(1000, "01B"),
                price_key(MAX_PRICE, "01A"),
            ]
        );
        let (low, high) = (price_key(1000, ""), price_key(1000, "~"));
        assert!(low < price_key(1000, "01A") && price_key(1000, "ZZZ") < high);
        assert!(price_key(999, "ZZZ") < low && high < price_key(1001, ""));
    }

    #[test]
    fn a_sharded_cursor_is_the_last_item_and_resumes_each_shard_after_it() {
        let plan = ListFilter {
            max_price: Some(500),
            ..Default::default()
        }
        .plan();
        let id = crate::ids::new_id();
        let position = Position {
            id: id.clone(),
            price: Some(300),
        };
        let cursor = encode_position(&position, &plan);
        assert_eq!(decode_position(&cursor, &plan).unwrap(), position);
        let key = position.start_key(&plan, 2);
        assert_eq!(key["gsi_all"], string_value("GOODS#2"));
        assert_eq!(key["gsi_price"], string_value(price_key(300, &id)));
        // Another listing's cursor, a price-less one and a made-up id are refused.
        assert!(decode_position(&cursor, &ListFilter::default().plan()).is_err());
        let priceless = crate::cursor::encode(&Cursor {
            i: "by_price".into(),
            id: id.clone(),
            p: None,
        });
        assert!(decode_position(&priceless, &plan).is_err());
        let made_up = crate::cursor::encode(&Cursor {
            i: "by_price".into(),
            id: "x\"y".into(),
            p: Some(1),
        });
        assert!(decode_position(&made_up, &plan).is_err());
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
            ("goods_id".to_owned(), string_value("01ABC")),
            ("gsi_category".to_owned(), string_value("toys")),
            ("price".to_owned(), number_value(700)),
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
        let key = HashMap::from([("goods_id".to_owned(), string_value("01ABC"))]);
        let cursor = encode_cursor(&key, &by_all);
        assert!(decode_cursor(&cursor, &by_price).is_err());
        assert!(decode_cursor("not base64!", &by_all).is_err());
        assert!(decode_cursor(&crate::cursor::encode(&serde_json::json!({})), &by_all).is_err());
    }
}
