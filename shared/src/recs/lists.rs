//! What the fit (`fit-similarity`) writes for the request functions: each goods item's
//! neighbour list (`K#{goods_id}`) and the popular goods (`POPULAR`), see
//! [`super::store`]. Each is rewritten whole, so a fit that runs twice is harmless.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::model::Neighbours;
use super::store::{list_key, packed, popular_key, RecsStore};
use crate::store::{batch_write, put_request, StoreError};

/// Popular goods kept for the fallback.
pub const POPULAR_KEPT: usize = 200;

impl RecsStore {
    /// Writes those of these neighbour lists that differ from the stored ones (read in
    /// BatchGetItems of 100, which cost a twentieth of rewriting a list that hasn't
    /// changed); 25 to a BatchWriteItem. Answers how many it wrote.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn write_lists(
        &self,
        lists: &HashMap<String, Neighbours>,
    ) -> Result<usize, StoreError> {
        let ids: Vec<String> = lists.keys().cloned().collect();
        let stored = self.lists(&ids).await?;
        let mut writes = Vec::new();
        for (goods, list) in lists {
            if stored.get(goods).is_some_and(|old| !changed(old, list)) {
                continue;
            }
            let mut item = list_key(goods);
            item.insert(
                "w".to_owned(),
                AttributeValue::S(packed::pack_weights(&list.w)),
            );
            writes.push(put_request(item)?);
        }
        let written = writes.len();
        batch_write(&self.client, &self.table, writes).await?;
        Ok(written)
    }

    /// Writes the popular goods, most popular first, with their shares (at most
    /// [`POPULAR_KEPT`]).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn write_popular(&self, popular: &[(String, f64)]) -> Result<(), StoreError> {
        let top = &popular[..popular.len().min(POPULAR_KEPT)];
        let mut item = popular_key();
        item.insert(
            "top".to_owned(),
            AttributeValue::S(packed::pack_shares(top)),
        );
        batch_write(&self.client, &self.table, vec![put_request(item)?]).await
    }
}

/// Whether a list moved enough to be worth rewriting: other neighbours, or a weight more
/// than 1 % away from the stored one.
fn changed(old: &Neighbours, new: &Neighbours) -> bool {
    old.w.len() != new.w.len()
        || new.w.iter().any(|(j, w)| {
            old.w
                .get(j)
                .is_none_or(|o| (o - w).abs() > 0.01 * w.abs().max(o.abs()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[(&str, f64)]) -> Neighbours {
        Neighbours {
            w: entries.iter().map(|(j, w)| ((*j).to_owned(), *w)).collect(),
        }
    }

    #[test]
    fn a_list_is_rewritten_only_when_its_neighbours_or_weights_moved() {
        let old = list(&[("a", 0.5), ("b", 0.25)]);
        assert!(!changed(&old, &list(&[("a", 0.502), ("b", 0.25)])));
        assert!(changed(&old, &list(&[("a", 0.52), ("b", 0.25)])));
        assert!(changed(&old, &list(&[("a", 0.5), ("c", 0.25)])));
        assert!(changed(&old, &list(&[("a", 0.5)])));
    }
}
