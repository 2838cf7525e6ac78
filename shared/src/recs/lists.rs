//! Neighbour lists (`K#{goods_id}`, see [`super::store`]): rewritten from the pair counts
//! after each applied event, never incremented, so rewriting one twice is harmless.

use std::collections::HashMap;

use super::model::{pair, Neighbours, TRIM_AT};
use super::store::{count_key, list_key, number, pair_key, pk, RecsStore};
use crate::store::{batch_get, number_value, Item, StoreError};

impl RecsStore {
    /// Rewrites the neighbour entries between `goods` and each partner from the counts.
    pub(super) async fn refresh(&self, goods: &str, partners: &[String]) -> Result<(), StoreError> {
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
            values.insert(format!(":c{i}"), number_value(value[0]));
            values.insert(format!(":n{i}"), number_value(value[1]));
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
}
