//! Activation tokens in the users table (`ACTIVATION#<token hash>`, see [`super::repo`]):
//! issued at registration and on request, consumed once by a conditional delete in the
//! same transaction as the account's activation.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
use serde::Deserialize;

use super::repo::{UsersRepo, ACTIVATION_TTL_SECS};
use super::TokenHash;
use crate::store::{cancellation, number_value, string_value, Cancellation, Item, StoreError};

#[derive(Debug, Deserialize)]
struct ActivationItem {
    user_id: String,
    expires_at: i64,
}

impl UsersRepo {
    /// Consumes an activation token and activates its account, atomically.
    /// Returns `false` for a token that is unknown, already used or expired.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn activate(&self, token: &TokenHash, now: i64) -> Result<bool, StoreError> {
        let pk = format!("ACTIVATION#{}", token.as_str());
        let Some(item) = self.get_item(&pk).await? else {
            return Ok(false);
        };
        let activation: ActivationItem = serde_dynamo::from_item(item)?;
        if activation.expires_at <= now {
            return Ok(false);
        }
        let consume = Delete::builder()
            .table_name(&self.table)
            .key("pk", string_value(&pk))
            .condition_expression("attribute_exists(pk) AND expires_at > :now")
            .expression_attribute_values(":now", number_value(now))
            .build()
            .map_err(StoreError::new)?;
        let user_pk = format!("USER#{}", activation.user_id);
        let Some(user) = self.get(&activation.user_id).await? else {
            return Ok(false);
        };
        if user.is_expired(now) {
            return Ok(false);
        }
        let activate = Update::builder()
            .table_name(&self.table)
            .key("pk", string_value(&user_pk))
            .update_expression("SET #status = :active REMOVE pending_until")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(pending_until) OR pending_until > :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":active", string_value("active"))
            .expression_attribute_values(":now", number_value(now))
            .build()
            .map_err(StoreError::new)?;
        // The pointers stop expiring with the account; each only if it is still this
        // account's (it is: only an expired account's pointers can have been taken).
        let keep = |pk: String| {
            Update::builder()
                .table_name(&self.table)
                .key("pk", string_value(pk))
                .update_expression("REMOVE pending_until")
                .condition_expression("user_id = :user")
                .expression_attribute_values(":user", string_value(&activation.user_id))
                .build()
                .map_err(StoreError::new)
        };
        let username = keep(format!("USERNAME#{}", user.username.to_ascii_lowercase()))?;
        let email = keep(format!("EMAIL#{}", user.email.to_lowercase()))?;
        let sent = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(consume).build())
            .transact_items(TransactWriteItem::builder().update(activate).build())
            .transact_items(TransactWriteItem::builder().update(username).build())
            .transact_items(TransactWriteItem::builder().update(email).build())
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            // A concurrent use of the same token won, or the account is gone.
            Err(e) => match cancellation(e)? {
                Cancellation::ConditionsFailed(_) | Cancellation::Conflict => Ok(false),
            },
        }
    }

    /// Issues a new activation token for a pending account, unless one was sent less
    /// than `min_interval_secs` ago. Returns whether a token was issued.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn reissue_activation(
        &self,
        user_id: &str,
        token: &TokenHash,
        now: i64,
        min_interval_secs: i64,
    ) -> Result<bool, StoreError> {
        let mark = Update::builder()
            .table_name(&self.table)
            .key("pk", string_value(format!("USER#{user_id}")))
            .update_expression("SET activation_sent_at = :now")
            .condition_expression(
                "#status = :pending AND activation_sent_at <= :due \
                 AND (attribute_not_exists(pending_until) OR pending_until > :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", string_value("pending_activation"))
            .expression_attribute_values(":now", number_value(now))
            .expression_attribute_values(":due", number_value(now - min_interval_secs))
            .build()
            .map_err(StoreError::new)?;
        let sent = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(mark).build())
            .transact_items(self.put_new(self.activation_item(user_id, token, now))?)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(e) => match cancellation(e)? {
                Cancellation::ConditionsFailed(_) | Cancellation::Conflict => Ok(false),
            },
        }
    }

    pub(super) fn activation_item(&self, user_id: &str, token: &TokenHash, now: i64) -> Item {
        let expires_at = now + ACTIVATION_TTL_SECS;
        [
            (
                "pk".to_owned(),
                string_value(format!("ACTIVATION#{}", token.as_str())),
            ),
            ("user_id".to_owned(), string_value(user_id)),
            ("expires_at".to_owned(), number_value(expires_at)),
            ("ttl".to_owned(), number_value(expires_at)),
        ]
        .into()
    }
}
