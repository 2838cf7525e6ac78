//! The model of [`super::model`] in DynamoDB: what the consumer keeps and the fit reads
//! in `BEHAVIOUR_TABLE`, what the fit writes and the request functions read in
//! `RECOMMENDATIONS_TABLE`.
//!
//! | table | item | pk | sk | attributes |
//! |---|---|---|---|---|
//! | behaviour | a user's window | `U#{user_id}` | — | `items` `"g:k:t,…"`, `v` version |
//! | behaviour | purchases of goods | `N#{goods_id}` | — | `p` count, `b{week}` their weights in that week since 1970 ([`super::model::purchase_weight`]) |
//! | recommendations | an applied purchase | `E#{event_id}` | `E` | `ttl` (14 days: SQS keeps a message at most that long) |
//! | recommendations | neighbours of i | `K#{goods_id}` | `K` | `w` `"j:weight,…"` (the fit's) |
//! | recommendations | popular goods | `POPULAR` | `P` | `top` `"g:share,…"` (the fit's) |
//!
//! The consumer applies a **batch** ([`RecsStore::apply`]): the users' windows
//! in one BatchGetItem, then the batch's events, each user's in order, in one transaction
//! (up to DynamoDB's 100 items): each user's window once (on condition of the version read,
//! so two consumers of one user's events apply one after the other), each purchase's
//! marker (on condition it is new, which makes a redelivery a no-op) and each bought goods'
//! purchase count once, summed (`ADD`). A transaction is all or nothing, so a purchase is
//! counted exactly once with everything it changes; a view or a cart addition needs no
//! marker, as applying it to a window twice leaves the window as once
//! ([`super::learn`]). Neighbour lists and popular goods are
//! derived by the scheduled fit (`fit-similarity`), never here: no item takes every
//! event's write.
//!
//! Windows, neighbour lists and popular goods are **packed** into one string attribute each
//! ([`packed`]): DynamoDB Local took 5× longer to write a window of 60 entries as a list
//! of maps than as one string (1.15 against 5.5 ms an item, in a transaction of ten), and
//! every reader parses the string faster than the maps. Both are read in either form, the
//! maps being what a table written before holds.
//!
//! The windows and counts live in a table of their own so that the fit reads them with a
//! Scan that reads nothing else (the markers can outnumber them).

use crate::events::{Envelope, Event};
use crate::ids::is_id;
use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use serde::Deserialize;

use super::model::{Kind, Window};
use crate::config::{self, ConfigError};
use crate::store::{string_attr, string_value, Item, StoreError};

/// Seconds in a purchase bucket (`b{week}`, the week since 1970).
pub const WEEK_SECS: i64 = 7 * 86_400;

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

#[derive(Debug, Default, Deserialize)]
pub(super) struct WindowItem {
    #[serde(default, deserialize_with = "packed::entries")]
    pub(super) items: Vec<super::model::Entry>,
    #[serde(default)]
    pub(super) v: u64,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PopularItem {
    #[serde(default, deserialize_with = "packed::shares")]
    pub(super) top: Vec<(String, f64)>,
}

/// The recommendations table, and the behaviour table's windows.
#[derive(Debug, Clone)]
pub struct RecsStore {
    pub(super) client: Client,
    pub(super) table: String,
    pub(super) behaviour: String,
}

/// A neighbour list as stored.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListItem {
    #[serde(default, deserialize_with = "packed::weights")]
    pub(super) w: HashMap<String, f64>,
}

/// The window a behaviour table's `U#` item holds.
///
/// # Errors
/// [`StoreError`] when the item is not a window.
pub fn window_of(item: Item) -> Result<Window, StoreError> {
    let stored: WindowItem = serde_dynamo::from_item(item)?;
    Ok(Window {
        items: stored.items,
    })
}

pub(super) fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), string_value(pk)),
        ("sk".to_owned(), string_value(sk)),
    ])
}

/// The key of a user's window in the behaviour table.
pub(super) fn window_key(user: &str) -> Item {
    HashMap::from([("pk".to_owned(), string_value(format!("U#{user}")))])
}

/// The key of the purchases of `goods` in the behaviour table.
pub fn count_key(goods: &str) -> Item {
    HashMap::from([("pk".to_owned(), string_value(format!("N#{goods}")))])
}

pub(super) fn list_key(goods: &str) -> Item {
    key(format!("K#{goods}"), "K")
}

pub(super) fn popular_key() -> Item {
    key("POPULAR".to_owned(), "P")
}

pub(super) fn pk(item: &Item) -> &str {
    string_attr(item, "pk")
}

impl RecsStore {
    /// The tables named by `RECOMMENDATIONS_TABLE` and `BEHAVIOUR_TABLE`, with a DynamoDB
    /// client of its own (for a function that needs nothing else).
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::with_client(crate::aws::Aws::from_env()?.dynamodb())
    }

    /// The tables named by `RECOMMENDATIONS_TABLE` and `BEHAVIOUR_TABLE`, through
    /// `client`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when one is unset.
    pub fn with_client(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(
            client,
            config::required("RECOMMENDATIONS_TABLE")?,
            config::required("BEHAVIOUR_TABLE")?,
        ))
    }

    /// Uses the tables named `table` and `behaviour`.
    pub fn new(client: Client, table: impl Into<String>, behaviour: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            behaviour: behaviour.into(),
        }
    }
}

/// Windows, neighbour lists and popular goods in one string attribute: entries joined by `,`, an entry's
/// fields by `:` (goods ids are ULIDs, which hold neither).
pub mod packed {
    use std::collections::HashMap;
    use std::fmt::Write;
    use std::str::FromStr;

    use serde::{de::Error, Deserialize, Deserializer};

    use crate::recs::model::Entry;

    /// A window's entries: `g:k:t`, most recent first.
    pub fn pack_entries(entries: &[Entry]) -> String {
        join(entries, |out, e| write!(out, "{}:{}:{}", e.g, e.k, e.t))
    }

    /// Neighbours and their weights, best first: `j:weight`, to `f32`'s precision (the
    /// fit's).
    pub fn pack_weights(weights: &HashMap<String, f64>) -> String {
        let mut ranked: Vec<(&String, &f64)> = weights.iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
        join(ranked, |out, (j, w)| write!(out, "{j}:{}", *w as f32))
    }

    /// Goods and their shares in this order: `g:share`, exactly.
    pub fn pack_shares(shares: &[(String, f64)]) -> String {
        join(shares, |out, (g, share)| write!(out, "{g}:{share}"))
    }

    fn join<T>(
        entries: impl IntoIterator<Item = T>,
        write: impl Fn(&mut String, T) -> std::fmt::Result,
    ) -> String {
        let mut packed = String::new();
        for (n, entry) in entries.into_iter().enumerate() {
            if n > 0 {
                packed.push(',');
            }
            // Writing to a String never fails.
            let _ = write(&mut packed, entry);
        }
        packed
    }

    fn unpack_entries(packed: &str) -> Option<Vec<Entry>> {
        packed
            .split(',')
            .filter(|e| !e.is_empty())
            .map(|e| {
                let mut fields = e.split(':');
                let g = fields.next()?.to_owned();
                let k = fields.next()?.parse().ok()?;
                let t = fields.next()?.parse().ok()?;
                fields.next().is_none().then_some(Entry { g, k, t })
            })
            .collect()
    }

    fn unpack_pairs<T: FromStr>(packed: &str) -> Option<Vec<(String, T)>> {
        packed
            .split(',')
            .filter(|e| !e.is_empty())
            .map(|e| {
                let (g, w) = e.split_once(':')?;
                Some((g.to_owned(), w.parse().ok()?))
            })
            .collect()
    }

    fn unpack_weights(packed: &str) -> Option<HashMap<String, f64>> {
        let pairs = unpack_pairs::<f32>(packed)?;
        Some(pairs.into_iter().map(|(j, w)| (j, f64::from(w))).collect())
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored<T> {
        Packed(String),
        Maps(T),
    }

    /// Deserializes a window's entries, packed or as the list of maps written before.
    pub(crate) fn entries<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Entry>, D::Error> {
        match Stored::deserialize(d)? {
            Stored::Packed(s) => {
                unpack_entries(&s).ok_or_else(|| D::Error::custom("a packed window"))
            }
            Stored::Maps(entries) => Ok(entries),
        }
    }

    /// Deserializes goods' shares, packed or as the list of pairs written before.
    pub(crate) fn shares<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, f64)>, D::Error> {
        match Stored::deserialize(d)? {
            Stored::Packed(s) => unpack_pairs(&s).ok_or_else(|| D::Error::custom("packed shares")),
            Stored::Maps(shares) => Ok(shares),
        }
    }

    /// Deserializes neighbour weights, packed or as the map written before.
    pub(crate) fn weights<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<HashMap<String, f64>, D::Error> {
        match Stored::deserialize(d)? {
            Stored::Packed(s) => {
                unpack_weights(&s).ok_or_else(|| D::Error::custom("packed neighbours"))
            }
            Stored::Maps(weights) => Ok(weights),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn packed_windows_and_weights_read_back_as_written() {
            let entries = vec![
                Entry {
                    g: "01JDR0000000000000000000001".into(),
                    k: 5,
                    t: 1_700_000_123,
                },
                Entry {
                    g: "01JDR0000000000000000000002".into(),
                    k: 1,
                    t: -3,
                },
            ];
            assert_eq!(unpack_entries(&pack_entries(&entries)), Some(entries));
            assert_eq!(unpack_entries(""), Some(vec![]));
            assert_eq!(unpack_entries("g:1"), None);
            assert_eq!(unpack_entries("g:x:1"), None);

            let weights = HashMap::from([
                ("a".to_owned(), 0.125),
                ("b".to_owned(), f64::from(-1.5e-7_f32)),
            ]);
            let packed = pack_weights(&weights);
            assert!(packed.starts_with("a:0.125,"), "best first: {packed}");
            assert_eq!(unpack_weights(&packed), Some(weights));
            assert_eq!(unpack_weights("a"), None);

            let shares = vec![("z".to_owned(), 0.1), ("a".to_owned(), 1.0 / 3.0)];
            assert_eq!(
                unpack_pairs(&pack_shares(&shares)),
                Some(shares),
                "in order, exactly"
            );
        }

        #[test]
        fn the_maps_written_before_still_read() {
            use aws_sdk_dynamodb::types::AttributeValue as A;
            let entry = A::M(HashMap::from([
                ("g".to_owned(), A::S("x".into())),
                ("k".to_owned(), A::N("2".into())),
                ("t".to_owned(), A::N("9".into())),
            ]));
            let item = HashMap::from([
                ("pk".to_owned(), A::S("U#u".into())),
                ("items".to_owned(), A::L(vec![entry])),
            ]);
            let window = super::super::window_of(item).unwrap();
            assert_eq!(
                window.items,
                [Entry {
                    g: "x".into(),
                    k: 2,
                    t: 9
                }]
            );

            let list = HashMap::from([(
                "w".to_owned(),
                A::M(HashMap::from([("j".to_owned(), A::N("0.5".into()))])),
            )]);
            let stored: super::super::ListItem = serde_dynamo::from_item(list).unwrap();
            assert_eq!(stored.w["j"], 0.5);
        }
    }
}
