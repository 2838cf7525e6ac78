//! The saved addresses in the users table.
//!
//! One item per customer, `ADDRESSES#<user_id>` → `addresses`, a map from `address_id` to
//! the address. One item keeps the limit exact under concurrency (an address is added by
//! a conditional update on the map's size, so two saves at once can't pass 20), and
//! listing is one read. Twenty addresses are a few KiB, far under DynamoDB's 400 KiB item
//! limit.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::Client;
use serde::Deserialize;

use super::addresses::{SavedAddress, MAX_ADDRESSES};
use crate::config::{self, ConfigError};
use crate::ids::is_id;
use crate::store::{is_condition_failed, number_value, string_value, StoreError};

/// Rounds of "add to the map, else create it" before giving up on a racing writer.
const ROUNDS: usize = 4;

/// The saved addresses in the users table.
#[derive(Debug, Clone)]
pub struct AddressBook {
    client: Client,
    table: String,
}

#[derive(Debug, Default, Deserialize)]
struct BookItem {
    #[serde(default)]
    addresses: BTreeMap<String, SavedAddress>,
}

fn book_key(user_id: &str) -> String {
    format!("ADDRESSES#{user_id}")
}

impl AddressBook {
    /// Uses the table named by `USERS_TABLE`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when `USERS_TABLE` is unset.
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(client, config::required("USERS_TABLE")?))
    }

    /// Uses the table named `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn book(&self, user_id: &str) -> Result<Option<BookItem>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", string_value(book_key(user_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// The customer's addresses, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn list(&self, user_id: &str) -> Result<Vec<SavedAddress>, StoreError> {
        // Ids are ULIDs: the map's key order is the order they were saved in.
        Ok(self
            .book(user_id)
            .await?
            .unwrap_or_default()
            .addresses
            .into_values()
            .collect())
    }

    /// One of the customer's addresses.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn get(
        &self,
        user_id: &str,
        address_id: &str,
    ) -> Result<Option<SavedAddress>, StoreError> {
        if !is_id(address_id) {
            return Ok(None);
        }
        Ok(self
            .book(user_id)
            .await?
            .and_then(|mut book| book.addresses.remove(address_id)))
    }

    /// Saves `address`; false when the customer already has [`MAX_ADDRESSES`].
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails or writers keep racing.
    pub async fn add(&self, user_id: &str, address: &SavedAddress) -> Result<bool, StoreError> {
        let value: aws_sdk_dynamodb::types::AttributeValue =
            serde_dynamo::to_attribute_value(address)?;
        for _ in 0..ROUNDS {
            let added = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", string_value(book_key(user_id)))
                .update_expression("SET addresses.#id = :address")
                .condition_expression("attribute_exists(addresses) AND size(addresses) < :max")
                .expression_attribute_names("#id", &address.address_id)
                .expression_attribute_values(":address", value.clone())
                .expression_attribute_values(":max", number_value(MAX_ADDRESSES as i64))
                .send()
                .await;
            match added {
                Ok(_) => return Ok(true),
                Err(e) if is_condition_failed(&e) => {}
                Err(e) => return Err(StoreError::new(e)),
            }
            if self.book(user_id).await?.is_some() {
                return Ok(false);
            }
            let created = self
                .client
                .put_item()
                .table_name(&self.table)
                .item("pk", string_value(book_key(user_id)))
                .item(
                    "addresses",
                    aws_sdk_dynamodb::types::AttributeValue::M(
                        [(address.address_id.clone(), value.clone())].into(),
                    ),
                )
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await;
            match created {
                Ok(_) => return Ok(true),
                // Another save created the book first: add to it.
                Err(e) if is_condition_failed(&e) => {}
                Err(e) => return Err(StoreError::new(e)),
            }
        }
        Err(StoreError::new("address saves kept racing"))
    }

    /// Deletes one of the customer's addresses; false when there is no such address.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn remove(&self, user_id: &str, address_id: &str) -> Result<bool, StoreError> {
        if !is_id(address_id) {
            return Ok(false);
        }
        let removed = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", string_value(book_key(user_id)))
            .update_expression("REMOVE addresses.#id")
            .condition_expression("attribute_exists(addresses.#id)")
            .expression_attribute_names("#id", address_id)
            .send()
            .await;
        match removed {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::new(e)),
        }
    }
}
