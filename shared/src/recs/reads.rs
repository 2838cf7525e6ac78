//! What `GET /recommendations` and `GET /goods/{id}/similar` read from the
//! recommendations table (see [`super::store`] for its layout).

use std::collections::{HashMap, HashSet};

use super::model::{Neighbours, Window};
use super::store::{
    list_key, pk, popular_key, window_key, ListItem, PopularItem, RecsStore, WindowItem,
};
use crate::store::{batch_get, StoreError};

impl RecsStore {
    /// A user's window and the popular goods, in two GetItems at once (two tables).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn window_and_popular(
        &self,
        user: &str,
    ) -> Result<(Window, Vec<(String, f64)>), StoreError> {
        let window = async {
            let item = self
                .client
                .get_item()
                .table_name(&self.behaviour)
                .set_key(Some(window_key(user)))
                .send()
                .await
                .map_err(StoreError::new)?
                .item;
            let stored = item
                .map(serde_dynamo::from_item::<_, WindowItem>)
                .transpose()?
                .unwrap_or_default();
            Ok::<_, StoreError>(Window {
                items: stored.items,
            })
        };
        let (window, popular) = tokio::join!(window, self.popular());
        Ok((window?, popular?))
    }

    /// The neighbour lists of these goods, in one BatchGetItem per 100 goods.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn lists(&self, goods: &[String]) -> Result<HashMap<String, Neighbours>, StoreError> {
        let unique: HashSet<&String> = goods.iter().collect();
        let keys = unique.iter().map(|g| list_key(g)).collect();
        let items = batch_get(&self.client, &self.table, keys, None, false).await?;
        let mut lists = HashMap::new();
        for item in items {
            if let Some(g) = pk(&item).strip_prefix("K#") {
                let g = g.to_owned();
                let stored: ListItem = serde_dynamo::from_item(item)?;
                lists.insert(g, Neighbours { w: stored.w });
            }
        }
        Ok(lists)
    }

    /// The popular goods as the last fit wrote them, most popular first, with their
    /// shares.
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
        Ok(item
            .map(serde_dynamo::from_item::<_, PopularItem>)
            .transpose()?
            .unwrap_or_default()
            .top)
    }
}
