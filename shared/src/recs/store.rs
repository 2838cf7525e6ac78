//! The model of [`super::model`] in DynamoDB: what the consumer keeps and the fit reads
//! in `BEHAVIOUR_TABLE`, what the fit writes and the request functions read in
//! `RECOMMENDATIONS_TABLE`.
//!
//! | table | item | pk | sk | attributes |
//! |---|---|---|---|---|
//! | behaviour | a user's window | `U#{user_id}` | — | `items` [{g, k, t}], `v` version |
//! | behaviour | purchases of goods | `N#{goods_id}` | — | `p` count, `b{week}` their weights in that week since 1970 ([`super::model::purchase_weight`]) |
//! | recommendations | an applied event | `E#{event_id}` | `E` | `ttl` (14 days: SQS keeps a message at most that long) |
//! | recommendations | neighbours of i | `K#{goods_id}` | `K` | `w` {j: weight} (the fit's) |
//! | recommendations | popular goods | `POPULAR` | `P` | `top` [[goods_id, share]] (the fit's) |
//!
//! The consumer applies a **batch** ([`RecsStore::apply`]): the users' windows
//! in one BatchGetItem, then the batch's events, each user's in order, in one transaction
//! (up to DynamoDB's 100 items): each event's marker (on condition it is new, which makes a
//! redelivery a no-op), each user's window once (on condition of the version read, so two
//! consumers of one user's events apply one after the other), and each bought goods'
//! purchase count once, summed (`ADD`). A transaction is all or nothing, so an event is
//! applied exactly once with everything it changes. Neighbour lists and popular goods are
//! derived by the scheduled fit (`fit-similarity`), never here: no item takes every
//! event's write.
//!
//! The windows and counts live in a table of their own so that the fit reads them with a
//! Scan that reads nothing else (the markers outnumber them).

use crate::events::{Envelope, Event};
use crate::ids::is_id;
use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use serde::Deserialize;

use super::model::Kind;
use crate::config::{self, ConfigError};
use crate::store::{string_attr, string_value, Item};

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
    #[serde(default)]
    pub(super) items: Vec<super::model::Entry>,
    #[serde(default)]
    pub(super) v: u64,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PopularItem {
    #[serde(default)]
    pub(super) top: Vec<(String, f64)>,
}

/// The recommendations table, and the behaviour table's windows.
#[derive(Debug, Clone)]
pub struct RecsStore {
    pub(super) client: Client,
    pub(super) table: String,
    pub(super) behaviour: String,
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
