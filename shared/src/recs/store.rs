//! The model of [`super::model`] in DynamoDB (`RECOMMENDATIONS_TABLE`).
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | a user's window | `U#{user_id}` | `W` | `items` [{g, k, t}], `v` version |
//! | an applied event | `E#{event_id}` | `E` | `ttl` (14 days: SQS keeps a message at most that long) |
//! | `n(i)` | `N#{goods_id}` | `N` | `n` |
//! | `c(i, j)` | `P#{i}#{j}` (i < j) | `P` | `c` |
//! | neighbours of i | `K#{goods_id}` | `K` | `nb` {j: [c, n(j)]} |
//! | recent purchases | `POPULAR` | `P` | `recent` [goods_id] (the last 500), `v` |
//!
//! Applying an event is **one transaction**: the event's marker (on condition it is new:
//! that makes redelivery a no-op), the user's window (on condition of its version: two
//! events of one user apply one after the other), `n(i)` and at most `WINDOW` pair
//! counts. The neighbour lists and the recent purchases are derived from those counts
//! afterwards; they are rewritten from the counts, not incremented, so rewriting them twice
//! is harmless.

use crate::events::{Envelope, Event};
use crate::ids::is_id;
use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::Deserialize;

use super::model::{pair, Kind, Neighbours, Window, TRIM_AT};
use crate::config::{self, ConfigError};
use crate::store::{
    attr_n, attr_s, backoff, batch_get, cancellation, n, s, transact, Cancellation, Item,
    StoreError,
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
struct WindowItem {
    #[serde(default)]
    items: Vec<super::model::Entry>,
    #[serde(default)]
    v: u64,
}

#[derive(Debug, Default, Deserialize)]
struct PopularItem {
    #[serde(default)]
    recent: Vec<String>,
    #[serde(default)]
    v: u64,
}

/// The recommendations table.
#[derive(Debug, Clone)]
pub struct RecsStore {
    client: Client,
    table: String,
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

fn window_key(user: &str) -> Item {
    key(format!("U#{user}"), "W")
}

fn count_key(goods: &str) -> Item {
    key(format!("N#{goods}"), "N")
}

fn pair_key(a: &str, b: &str) -> Item {
    let (i, j) = pair(a, b);
    key(format!("P#{i}#{j}"), "P")
}

fn list_key(goods: &str) -> Item {
    key(format!("K#{goods}"), "K")
}

fn popular_key() -> Item {
    key("POPULAR".to_owned(), "P")
}

fn number(item: &Item, name: &str) -> u64 {
    attr_n(item, name).max(0) as u64
}

fn pk(item: &Item) -> &str {
    attr_s(item, "pk")
}

impl RecsStore {
    /// The table named by `RECOMMENDATIONS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when it is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self {
            client,
            table: config::required("RECOMMENDATIONS_TABLE")?,
        })
    }

    fn update(&self, key: Item) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
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
                n(crate::clock::now().unix_timestamp() + MARKER_TTL_SECS),
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
                                    .expression_attribute_values(":one", n(1))
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
            (":next".to_owned(), n(version + 1)),
        ]);
        if version > 0 {
            values.insert(":v".to_owned(), n(version));
        }
        Ok(values)
    }

    /// Rewrites the neighbour entries between `goods` and each partner from the counts.
    async fn refresh(&self, goods: &str, partners: &[String]) -> Result<(), StoreError> {
        if partners.is_empty() {
            return Ok(());
        }
        let mut keys = vec![count_key(goods)];
        keys.extend(partners.iter().map(|j| count_key(j)));
        keys.extend(partners.iter().map(|j| pair_key(goods, j)));
        let items = batch_get(&self.client, &self.table, keys, None, true).await?;
        let mut counts: HashMap<String, u64> = HashMap::new();
        for item in &items {
            let pk = pk(item);
            if let Some(g) = pk.strip_prefix("N#") {
                counts.insert(g.to_owned(), number(item, "n"));
            } else if let Some(p) = pk.strip_prefix("P#") {
                counts.insert(p.to_owned(), number(item, "c"));
            }
        }
        let count = |g: &str| counts.get(g).copied().unwrap_or(0);
        let c = |j: &str| {
            let (a, b) = pair(goods, j);
            counts.get(&format!("{a}#{b}")).copied().unwrap_or(0)
        };
        let own: Vec<(String, [u64; 2])> = partners
            .iter()
            .map(|j| (j.clone(), [c(j), count(j)]))
            .collect();
        let mut updates = vec![self.set_neighbours(goods, own)];
        for j in partners {
            updates.push(self.set_neighbours(j, vec![(goods.to_owned(), [c(j), count(goods)])]));
        }
        for result in futures::future::join_all(updates).await {
            result?;
        }
        Ok(())
    }

    /// Sets entries of a neighbour list (creating it), and cuts it back when it has
    /// grown too long. Counts only grow, so an entry is only ever replaced by a fresher
    /// one: a refresh that read the counts before another one can't undo it.
    async fn set_neighbours(
        &self,
        goods: &str,
        entries: Vec<(String, [u64; 2])>,
    ) -> Result<(), StoreError> {
        if self.set_entries(goods, &entries).await? {
            return Ok(());
        }
        // Some entry was stale, or the list doesn't exist yet: one entry at a time.
        for entry in &entries {
            for _ in 0..4 {
                if self.set_entries(goods, std::slice::from_ref(entry)).await? {
                    break;
                }
                let exists = self
                    .client
                    .get_item()
                    .table_name(&self.table)
                    .set_key(Some(list_key(goods)))
                    .projection_expression("pk")
                    .consistent_read(true)
                    .send()
                    .await
                    .map_err(StoreError::new)?
                    .item
                    .is_some();
                if exists {
                    break; // a fresher entry is there already
                }
                let list = Neighbours {
                    nb: std::iter::once(entry.clone()).collect(),
                };
                let created = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(self.list_item(goods, &list)?))
                    .condition_expression("attribute_not_exists(pk)")
                    .send()
                    .await;
                match created {
                    Ok(_) => break,
                    Err(e) if crate::store::is_condition_failed(&e) => continue,
                    Err(e) => return Err(StoreError::new(e)),
                }
            }
        }
        Ok(())
    }

    /// One UpdateItem setting these entries, on condition that the list exists and no
    /// entry there is fresher; false when that condition failed.
    async fn set_entries(
        &self,
        goods: &str,
        entries: &[(String, [u64; 2])],
    ) -> Result<bool, StoreError> {
        let mut names = HashMap::from([("#nb".to_owned(), "nb".to_owned())]);
        let mut values = HashMap::new();
        let mut sets = Vec::new();
        let mut conditions = vec!["attribute_exists(#nb)".to_owned()];
        for (i, (j, value)) in entries.iter().enumerate() {
            names.insert(format!("#j{i}"), j.clone());
            values.insert(format!(":v{i}"), serde_dynamo::to_attribute_value(value)?);
            values.insert(format!(":c{i}"), n(value[0]));
            values.insert(format!(":n{i}"), n(value[1]));
            sets.push(format!("#nb.#j{i} = :v{i}"));
            conditions.push(format!(
                "(attribute_not_exists(#nb.#j{i}) OR #nb.#j{i}[0] < :c{i} OR (#nb.#j{i}[0] = :c{i} AND #nb.#j{i}[1] <= :n{i}))"
            ));
        }
        let updated = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(list_key(goods)))
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(conditions.join(" AND "))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match updated {
            Ok(out) => {
                let mut list: Neighbours =
                    serde_dynamo::from_item(out.attributes.unwrap_or_default())?;
                if list.nb.len() > TRIM_AT && list.trim() {
                    self.client
                        .put_item()
                        .table_name(&self.table)
                        .set_item(Some(self.list_item(goods, &list)?))
                        .send()
                        .await
                        .map_err(StoreError::new)?;
                }
                Ok(true)
            }
            Err(e) if crate::store::is_condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::new(e)),
        }
    }

    fn list_item(&self, goods: &str, list: &Neighbours) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(list)?;
        item.extend(list_key(goods));
        Ok(item)
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
            item.insert("v".to_owned(), n(current.v + 1));
            let mut put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item));
            put = if current.v == 0 {
                put.condition_expression("attribute_not_exists(v)")
            } else {
                put.condition_expression("v = :v")
                    .expression_attribute_values(":v", n(current.v))
            };
            match put.send().await {
                Ok(_) => return Ok(()),
                Err(e) if crate::store::is_condition_failed(&e) => backoff(attempt).await,
                Err(e) => return Err(StoreError::new(e)),
            }
        }
        Err(StoreError::new("the recent purchases kept changing"))
    }

    /// A user's window and the recent purchases, in one BatchGetItem.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn window_and_popular(
        &self,
        user: &str,
    ) -> Result<(Window, Vec<(String, f64)>), StoreError> {
        let items = batch_get(
            &self.client,
            &self.table,
            vec![window_key(user), popular_key()],
            None,
            false,
        )
        .await?;
        let (mut window, mut recent) = (Window::default(), Vec::new());
        for item in items {
            if pk(&item) == "POPULAR" {
                recent = serde_dynamo::from_item::<_, PopularItem>(item)?.recent;
            } else {
                window.items = serde_dynamo::from_item::<_, WindowItem>(item)?.items;
            }
        }
        Ok((window, popular(&recent)))
    }

    /// The recent purchases' goods, most bought first.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn popular(&self) -> Result<Vec<(String, f64)>, StoreError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(popular_key()))
            .send()
            .await
            .map_err(StoreError::new)?
            .item;
        let recent = item
            .map(serde_dynamo::from_item::<_, PopularItem>)
            .transpose()?
            .unwrap_or_default()
            .recent;
        Ok(popular(&recent))
    }

    /// Neighbour lists and counts of these goods, in one BatchGetItem per 50 goods.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn lists(
        &self,
        goods: &[String],
    ) -> Result<HashMap<String, (u64, Neighbours)>, StoreError> {
        let unique: HashSet<&String> = goods.iter().collect();
        let mut keys = Vec::new();
        for g in &unique {
            keys.push(count_key(g));
            keys.push(list_key(g));
        }
        let items = batch_get(&self.client, &self.table, keys, None, false).await?;
        let mut lists: HashMap<String, (u64, Neighbours)> = HashMap::new();
        for item in items {
            let pk = pk(&item).to_owned();
            if let Some(g) = pk.strip_prefix("N#") {
                lists.entry(g.to_owned()).or_default().0 = number(&item, "n");
            } else if let Some(g) = pk.strip_prefix("K#") {
                lists.entry(g.to_owned()).or_default().1 = serde_dynamo::from_item(item)?;
            }
        }
        Ok(lists)
    }
}

/// Goods by how often they appear among `recent`, most first (ties: most recent first),
/// with their share of those purchases.
fn popular(recent: &[String]) -> Vec<(String, f64)> {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, g) in recent.iter().enumerate() {
        let entry = counts.entry(g).or_default();
        entry.0 += 1;
        entry.1 = i;
    }
    let mut ranked: Vec<(&str, (usize, usize))> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(b.1 .1.cmp(&a.1 .1)));
    let total = recent.len().max(1) as f64;
    ranked
        .into_iter()
        .map(|(g, (count, _))| (g.to_owned(), count as f64 / total))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popularity_counts_recent_purchases_and_breaks_ties_by_recency() {
        let recent: Vec<String> = ["a", "b", "a", "c", "b", "d"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let ranked: Vec<(String, f64)> = popular(&recent);
        let goods: Vec<&str> = ranked.iter().map(|(g, _)| g.as_str()).collect();
        assert_eq!(goods, ["b", "a", "d", "c"]);
        assert!((ranked[0].1 - 2.0 / 6.0).abs() < 1e-9);
    }
}
