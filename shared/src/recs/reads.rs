//! What `GET /recommendations` and `GET /goods/{id}/similar` read from the
//! recommendations table (see [`super::store`] for its layout).

use std::collections::{HashMap, HashSet};

use super::model::{Neighbours, Window};
use super::store::{
    count_key, list_key, number, pk, popular_key, window_key, PopularItem, RecsStore, WindowItem,
};
use crate::store::{batch_get, StoreError};

impl RecsStore {
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
        Ok(popular(&self.read_recent(false).await?))
    }

    /// The recent purchases, oldest first (at most [`super::store::RECENT_PURCHASES`]), read
    /// consistently: what the popularity fallback is computed from.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn recent_purchases(&self) -> Result<Vec<String>, StoreError> {
        self.read_recent(true).await
    }

    async fn read_recent(&self, consistent: bool) -> Result<Vec<String>, StoreError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(popular_key()))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(StoreError::new)?
            .item;
        Ok(item
            .map(serde_dynamo::from_item::<_, PopularItem>)
            .transpose()?
            .unwrap_or_default()
            .recent)
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
