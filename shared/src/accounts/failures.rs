//! Failed logins in the users table: counted on the account (`USER#…`) or, for a login
//! name with no account, on `LOGIN#<name>` (see [`super::repo`]), so unknown names lock
//! like real ones.

use super::login_guard::WINDOW_SECS;
use super::repo::UsersRepo;
use crate::store::{is_condition_failed, number_value, string_value, StoreError};

impl UsersRepo {
    /// Counts a failed login against an account (`USER#…`) or an unknown name
    /// (`LOGIN#…`): added to the current window, or starting a new one.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn record_failure(&self, pk: &str, now: i64) -> Result<(), StoreError> {
        let added = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", string_value(pk))
            .update_expression("SET failures = failures + :one")
            .condition_expression("window_start > :cutoff")
            .expression_attribute_values(":one", number_value(1))
            .expression_attribute_values(":cutoff", number_value(now - WINDOW_SECS))
            .send()
            .await;
        match added {
            Ok(_) => return Ok(()),
            Err(e) if is_condition_failed(&e) => {}
            Err(e) => return Err(StoreError::new(e)),
        }
        let is_account = pk.starts_with("USER#");
        let mut restart = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", string_value(pk))
            .expression_attribute_values(":one", number_value(1))
            .expression_attribute_values(":now", number_value(now));
        restart = if is_account {
            restart
                .update_expression("SET failures = :one, window_start = :now")
                .condition_expression("attribute_exists(pk)")
        } else {
            restart
                .update_expression("SET failures = :one, window_start = :now, #ttl = :ttl")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":ttl", number_value(now + WINDOW_SECS))
        };
        match restart.send().await {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::new(e)),
        }
    }

    /// Forgets an account's failures after a successful login.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn clear_failures(&self, user_id: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", string_value(format!("USER#{user_id}")))
            .update_expression("SET failures = :zero, window_start = :zero")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":zero", number_value(0))
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }
}
