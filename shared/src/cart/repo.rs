//! The carts table: one item per cart line.
//!
//! Key layout: `user_id` (S, partition key), `goods_id` (S, sort key); attributes
//! `quantity` (N, 1–99) and `added_at`. A cart is one Query; its goods one BatchGetItem.

use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use crate::config::{self, ConfigError};
use crate::store::{string_value, StoreError};

/// Most lines a cart holds (one BatchGetItem reads all their goods).
pub const MAX_CART_LINES: usize = 100;

/// A stored cart line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// The customer whose cart it is (partition key).
    pub user_id: String,
    /// The goods on the line (sort key).
    pub goods_id: String,
    /// Units, 1–99.
    pub quantity: u32,
    /// RFC 3339.
    pub added_at: String,
}

/// The carts table.
#[derive(Debug, Clone)]
pub struct CartsRepo {
    client: Client,
    table: String,
}

impl CartsRepo {
    /// Uses the table named by `CARTS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `CARTS_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self {
            client,
            table: config::required("CARTS_TABLE")?,
        })
    }

    /// The transaction item that removes one line, for an order placed from the cart.
    ///
    /// # Errors
    /// [`StoreError`] if the builder rejects its input (a bug).
    pub fn remove_line(
        &self,
        user_id: &str,
        goods_id: &str,
    ) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
        let delete = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(&self.table)
            .key("user_id", string_value(user_id))
            .key("goods_id", string_value(goods_id))
            .build()
            .map_err(StoreError::new)?;
        Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder()
            .delete(delete)
            .build())
    }

    /// Every line of a user's cart, by goods id.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn lines(&self, user_id: &str) -> Result<Vec<CartLine>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("user_id = :user")
            .expression_attribute_values(":user", string_value(user_id))
            .consistent_read(true)
            .limit(i32::try_from(MAX_CART_LINES + 1).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(StoreError::new)?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|item| serde_dynamo::from_item(item).map_err(StoreError::from))
            .collect()
    }

    /// Sets a line's quantity (adding the line if new).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn put(&self, line: &CartLine) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(line)?))
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    /// Removes a line (nothing happens if it isn't there).
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn delete(&self, user_id: &str, goods_id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("user_id", string_value(user_id))
            .key("goods_id", string_value(goods_id))
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }
}
