//! Listings of `GET /goods`: which index serves each filter, and the opaque cursors
//! that keep pages stable (see [`super::repo`] for the indexes).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::repo::{GoodsRecord, GoodsRepo, LIVE};
use crate::cursor::InvalidCursor;
use crate::error::ApiError;
use crate::money::MAX_PRICE;
use crate::store::{number_value, string_value, Item, StoreError};

/// Queries one page may take when a filter discards items, before it answers with
/// fewer items and a cursor.
const MAX_QUERIES_PER_PAGE: usize = 5;

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
        let mut start = cursor.map(|c| decode_cursor(c, &plan)).transpose()?;
        let mut key_condition = "#pk = :pk".to_owned();
        let mut filters = Vec::new();
        let mut names = HashMap::from([("#pk".to_owned(), plan.partition_attr.to_owned())]);
        let mut values = HashMap::from([(":pk".to_owned(), string_value(&plan.partition_value))]);
        if filter.has_price_bounds() {
            values.insert(":min".into(), number_value(filter.min_price.unwrap_or(0)));
            values.insert(
                ":max".into(),
                number_value(filter.max_price.unwrap_or(MAX_PRICE)),
            );
            names.insert("#price".into(), "price".into());
            if plan.by_price {
                key_condition.push_str(" AND #price BETWEEN :min AND :max");
            } else {
                filters.push("#price BETWEEN :min AND :max");
            }
        }
        if let (Some(category), "by_merchant") = (&filter.category, plan.index) {
            values.insert(
                ":category".into(),
                string_value(category.trim().to_lowercase()),
            );
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
