//! The user's own information in the users table: the display name and the password.
//!
//! Both are conditional updates of the `USER#` item (the account must exist), so a
//! change to an account deleted meanwhile is refused instead of recreating a fragment.

use std::fmt;

use super::repo::{UserRecord, UsersRepo};
use crate::store::{is_condition_failed, string_value, StoreError};

/// The longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// A name to be shown by: 1–64 characters, not only spaces, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

/// Why a display name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "must be 1 to {MAX_DISPLAY_NAME_CHARS} characters, not only spaces, without control characters"
)]
pub struct InvalidDisplayName;

impl DisplayName {
    /// Checks `raw`, keeping it as written apart from surrounding space.
    ///
    /// # Errors
    /// [`InvalidDisplayName`] when it is empty, blank, too long or holds control characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidDisplayName> {
        let trimmed = raw.trim();
        let count = trimmed.chars().count();
        if count == 0 || count > MAX_DISPLAY_NAME_CHARS || trimmed.chars().any(char::is_control) {
            return Err(InvalidDisplayName);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl UsersRepo {
    /// Sets (or, with `None`, clears) the display name; the account after the change,
    /// or `None` when there is no such account.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn set_display_name(
        &self,
        user_id: &str,
        name: Option<&DisplayName>,
    ) -> Result<Option<UserRecord>, StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", string_value(format!("USER#{user_id}")))
            .condition_expression("attribute_exists(pk)")
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
        let update = match name {
            Some(name) => update
                .update_expression("SET display_name = :name")
                .expression_attribute_values(":name", string_value(name.as_str())),
            None => update.update_expression("REMOVE display_name"),
        };
        match update.send().await {
            Ok(out) => Ok(out.attributes.map(serde_dynamo::from_item).transpose()?),
            Err(e) if is_condition_failed(&e) => Ok(None),
            Err(e) => Err(StoreError::new(e)),
        }
    }

    /// Replaces the password hash of an existing account; false when there is none.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn set_password_hash(&self, user_id: &str, hash: &str) -> Result<bool, StoreError> {
        let sent = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", string_value(format!("USER#{user_id}")))
            .update_expression("SET password_hash = :hash")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":hash", string_value(hash))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::new(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_english_names_are_kept_as_written() {
        assert_eq!(DisplayName::parse(" 李雷 Li ").unwrap().as_str(), "李雷 Li");
        assert!(DisplayName::parse(&"名".repeat(64)).is_ok());
    }

    #[test]
    fn blank_long_and_control_names_are_refused() {
        for bad in ["", "   ", "a\nb", &"x".repeat(65)] {
            assert_eq!(DisplayName::parse(bad), Err(InvalidDisplayName), "{bad:?}");
        }
    }
}
