//! The model of [`super::model`] in DynamoDB (`RECOMMENDATIONS_TABLE`).
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | a user's window | `U#{user_id}` | `W` | `items` [{g, k, t}], `v` version |
//! | an applied event | `E#{event_id}` | `E` | `ttl` (14 days: SQS keeps a message at most that long) |
//! | `number_value(i)` | `N#{goods_id}` | `N` | `n` |
//! | `c(i, j)` | `P#{i}#{j}` (i < j) | `P` | `c` |
//! | neighbours of i | `K#{goods_id}` | `K` | `nb` {j: [c, number_value(j)]} |
//! | recent purchases | `POPULAR` | `P` | `recent` [goods_id] (the last 500), `v` |
//!
//! Applying an event is **one transaction**: the event's marker (on condition it is new:
//! that makes redelivery a no-op), the user's window (on condition of its version: two
//! events of one user apply one after the other), `number_value(i)` and at most `WINDOW` pair
//! counts. The neighbour lists and the recent purchases are derived from those counts
//! afterwards; they are rewritten from the counts, not incremented, so rewriting them twice
//! is harmless.

use crate::events::{Envelope, Event};
use crate::ids::is_id;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::Deserialize;

use super::model::{pair, Kind, Window};
use crate::config::{self, ConfigError};
use crate::store::{
    backoff, cancellation, number_attr, number_value, string_attr, string_value, transact,
    Cancellation, Item, StoreError,
};

/// Recent purchases kept for the popularity fallback.
pub const RECENT_PURCHASES: usize = 500;
/// Seconds an event's marker is kept.
const MARKER_TTL_SECS: i64 = 14 * 86_400;
/// Attempts before the consumer lets SQS deliver the message again.
const MAX_ATTEMPTS: u32 = 8;

/// An interaction to apply.
#[derive(Debug, Clone)]
pub struct Interaction {
    /// The event's id, for deduplication.
    pub event_id: String,
    /// Who.
    pub user_id: String,
    /// Which goods.
    pub goods_id: String,
    /// How.
    pub kind: Kind,
    /// When (Unix seconds).
    pub at: i64,
}

impl Interaction {
    /// The interaction a behaviour event carries: a view, a cart addition or a purchase
    /// by a user, of goods, at a valid time, with an event id fit to deduplicate on.
    pub fn from_envelope(envelope: &Envelope) -> Option<Self> {
        let kind = match envelope.event {
            Event::View(_) => Kind::Viewed,
            Event::Cart(_) => Kind::InCart,
            Event::Purchase(_) => Kind::Bought,
            _ => return None,
        };
        let at = crate::clock::parse_rfc3339(&envelope.occurred_at)?.unix_timestamp();
        let user_id = envelope.user_id.clone().filter(|u| is_id(u))?;
        let goods_id = envelope.goods_id.clone().filter(|g| is_id(g))?;
        let event_id = &envelope.event_id;
        (!event_id.is_empty() && event_id.len() <= 64).then(|| Self {
            event_id: event_id.clone(),
            user_id,
            goods_id,
            kind,
            at,
        })
    }
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Applied now.
    Applied,
    /// Applied before (a redelivery).
    Duplicate,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct WindowItem {
    #[serde(default)]
    pub(super) items: Vec<super::model::Entry>,
    #[serde(default)]
    v: u64,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PopularItem {
    #[serde(default)]
    pub(super) recent: Vec<String>,
    #[serde(default)]
    v: u64,
}

/// The recommendations table.
#[derive(Debug, Clone)]
pub struct RecsStore {
    pub(super) client: Client,
    pub(super) table: String,
}

pub(super) fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), string_value(pk)),
        ("sk".to_owned(), string_value(sk)),
    ])
}

pub(super) fn window_key(user: &str) -> Item {
    key(format!("U#{user}"), "W")
}

pub(super) fn count_key(goods: &str) -> Item {
    key(format!("N#{goods}"), "N")
}

pub(super) fn pair_key(a: &str, b: &str) -> Item {
    let (i, j) = pair(a, b);
    key(format!("P#{i}#{j}"), "P")
}

pub(super) fn list_key(goods: &str) -> Item {
    key(format!("K#{goods}"), "K")
}

pub(super) fn popular_key() -> Item {
    key("POPULAR".to_owned(), "P")
}

pub(super) fn number(item: &Item, name: &str) -> u64 {
    number_attr(item, name).max(0) as u64
}

pub(super) fn pk(item: &Item) -> &str {
    string_attr(item, "pk")
}

impl RecsStore {
    /// The table named by `RECOMMENDATIONS_TABLE`, with a DynamoDB client of its own
    /// (for a function that needs nothing else).
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::with_client(crate::aws::Aws::from_env()?.dynamodb())
    }

    /// The table named by `RECOMMENDATIONS_TABLE`, through `client`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when it is unset.
    pub fn with_client(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(
            client,
            config::required("RECOMMENDATIONS_TABLE")?,
        ))
    }

    /// Uses the table named `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub(super) fn update(&self, key: Item) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        Update::builder().table_name(&self.table).set_key(Some(key))
    }

    /// Applies one interaction, exactly once however often it is delivered.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails or the user's window kept changing.
    pub async fn apply(&self, event: &Interaction) -> Result<Applied, StoreError> {
        for attempt in 0..MAX_ATTEMPTS {
            let current: WindowItem = match self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(window_key(&event.user_id)))
                .consistent_read(true)
                .send()
                .await
                .map_err(StoreError::new)?
                .item
            {
                Some(item) => serde_dynamo::from_item(item)?,
                None => WindowItem::default(),
            };
            let mut window = Window {
                items: current.items,
            };
            let partners = window.record(&event.goods_id, event.kind, event.at);
            let mut marker = key(format!("E#{}", event.event_id), "E");
            marker.insert(
                "ttl".to_owned(),
                number_value(crate::clock::now().unix_timestamp() + MARKER_TTL_SECS),
            );
            let mut writes = vec![
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(marker))
                            .condition_expression("attribute_not_exists(pk)")
                            .build()
                            .map_err(StoreError::new)?,
                    )
                    .build(),
                TransactWriteItem::builder()
                    .update(
                        self.update(window_key(&event.user_id))
                            .update_expression("SET #items = :items, v = :next")
                            .condition_expression(if current.v == 0 {
                                "attribute_not_exists(v)"
                            } else {
                                "v = :v"
                            })
                            .expression_attribute_names("#items", "items")
                            .set_expression_attribute_values(Some(
                                self.window_values(&window, current.v)?,
                            ))
                            .build()
                            .map_err(StoreError::new)?,
                    )
                    .build(),
            ];
            if let Some(partners) = &partners {
                let increments = std::iter::once(count_key(&event.goods_id))
                    .chain(partners.iter().map(|j| pair_key(&event.goods_id, j)));
                for (i, k) in increments.enumerate() {
                    let attribute = if i == 0 { "n" } else { "c" };
                    writes.push(
                        TransactWriteItem::builder()
                            .update(
                                self.update(k)
                                    .update_expression(format!("ADD {attribute} :one"))
                                    .expression_attribute_values(":one", number_value(1))
                                    .build()
                                    .map_err(StoreError::new)?,
                            )
                            .build(),
                    );
                }
            }
            match transact(&self.client, writes).await {
                Ok(()) => {
                    if let Some(partners) = partners {
                        self.refresh(&event.goods_id, &partners).await?;
                    }
                    if event.kind == Kind::Bought {
                        self.record_purchase(&event.goods_id).await?;
                    }
                    return Ok(Applied::Applied);
                }
                Err(e) => match cancellation(e)? {
                    Cancellation::ConditionsFailed(failed) if failed.contains(&0) => {
                        return Ok(Applied::Duplicate)
                    }
                    _ => backoff(attempt).await,
                },
            }
        }
        Err(StoreError::new(
            "the user's window kept changing under this event",
        ))
    }

    fn window_values(
        &self,
        window: &Window,
        version: u64,
    ) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut values = HashMap::from([
            (
                ":items".to_owned(),
                serde_dynamo::to_attribute_value(&window.items)?,
            ),
            (":next".to_owned(), number_value(version + 1)),
        ]);
        if version > 0 {
            values.insert(":v".to_owned(), number_value(version));
        }
        Ok(values)
    }

    /// Adds a purchase to the recent purchases (optimistically, on the list's version).
    async fn record_purchase(&self, goods: &str) -> Result<(), StoreError> {
        for attempt in 0..MAX_ATTEMPTS {
            let current: PopularItem = self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(popular_key()))
                .consistent_read(true)
                .send()
                .await
                .map_err(StoreError::new)?
                .item
                .map(serde_dynamo::from_item)
                .transpose()?
                .unwrap_or_default();
            let mut recent = current.recent;
            recent.push(goods.to_owned());
            if recent.len() > RECENT_PURCHASES {
                recent.drain(..recent.len() - RECENT_PURCHASES);
            }
            let mut item = popular_key();
            item.insert(
                "recent".to_owned(),
                serde_dynamo::to_attribute_value(&recent)?,
            );
            item.insert("v".to_owned(), number_value(current.v + 1));
            let mut put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item));
            put = if current.v == 0 {
                put.condition_expression("attribute_not_exists(v)")
            } else {
                put.condition_expression("v = :v")
                    .expression_attribute_values(":v", number_value(current.v))
            };
            match put.send().await {
                Ok(_) => return Ok(()),
                Err(e) if crate::store::is_condition_failed(&e) => backoff(attempt).await,
                Err(e) => return Err(StoreError::new(e)),
            }
        }
        Err(StoreError::new("the recent purchases kept changing"))
    }
}
