//! Single-use grants in the users table: a password reset or an email change, each a
//! token handed out once (by email) and stored only by its hash.
//!
//! `<KIND>#<token hash>` → `user_id`, `expires_at` (checked on read), `ttl` (tidying
//! only) and, for an email change, `new_email`. The account's item names the one token
//! of each kind that may still be used (`reset_token`, `email_change_token`): issuing a
//! new one rewrites that name, which supersedes every older token at once, and using one
//! deletes its item and clears the name in one transaction, so it works exactly once.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use serde::Deserialize;

use super::repo::{UserRecord, UsersRepo};
use super::TokenHash;
use crate::store::{number_value, string_value, StoreError};

/// What a grant is for: its key prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// `RESET#`: choose a new password.
    PasswordReset,
    /// `EMAILCHANGE#`: make `new_email` the account's address.
    EmailChange,
}

impl GrantKind {
    fn key(self, token: &TokenHash) -> String {
        let prefix = match self {
            Self::PasswordReset => "RESET",
            Self::EmailChange => "EMAILCHANGE",
        };
        format!("{prefix}#{}", token.as_str())
    }
}

/// The longest token a client may present; anything longer is not ours.
const MAX_TOKEN_CHARS: usize = 128;

/// A grant that may be used now: its token's hash, the grant and its account.
#[derive(Debug, Clone)]
pub struct Redeemable {
    /// The presented token's hash.
    pub token: TokenHash,
    /// The grant.
    pub grant: Grant,
    /// Its account, whose latest token of the kind this is.
    pub user: UserRecord,
}

/// A stored grant.
#[derive(Debug, Clone, Deserialize)]
pub struct Grant {
    /// Whose account it is for.
    pub user_id: String,
    /// Unix seconds after which it is dead.
    pub expires_at: i64,
    /// The address an email change moves to.
    #[serde(default)]
    pub new_email: Option<String>,
}

impl UsersRepo {
    /// The live grant of `kind` with this token at `now`, if any.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    async fn grant(
        &self,
        kind: GrantKind,
        token: &TokenHash,
        now: i64,
    ) -> Result<Option<Grant>, StoreError> {
        let item = self.get_item(&kind.key(token)).await?;
        let grant: Option<Grant> = item.map(serde_dynamo::from_item).transpose()?;
        Ok(grant.filter(|g| g.expires_at > now))
    }

    /// The grant of `kind` that `token` (as a client presented it) names, with its
    /// account, when it is unexpired at `now` and still the account's latest of its kind.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn redeemable(
        &self,
        kind: GrantKind,
        token: &str,
        now: i64,
    ) -> Result<Option<Redeemable>, StoreError> {
        if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
            return Ok(None);
        }
        let token = TokenHash::of(token);
        let Some(grant) = self.grant(kind, &token, now).await? else {
            return Ok(None);
        };
        let latest = |user: &UserRecord| match kind {
            GrantKind::PasswordReset => user.reset_token.as_deref(),
            GrantKind::EmailChange => user.email_change_token.as_deref(),
        } == Some(token.as_str());
        let user = self.get(&grant.user_id).await?.filter(latest);
        Ok(user.map(|user| Redeemable { token, grant, user }))
    }

    /// The write that stores a new grant (for a transaction).
    pub(super) fn grant_put(
        &self,
        kind: GrantKind,
        token: &TokenHash,
        user_id: &str,
        expires_at: i64,
        new_email: Option<&str>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .item("pk", string_value(kind.key(token)))
            .item("user_id", string_value(user_id))
            .item("expires_at", number_value(expires_at))
            .item("ttl", number_value(expires_at))
            .condition_expression("attribute_not_exists(pk)");
        if let Some(email) = new_email {
            put = put.item("new_email", string_value(email));
        }
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(StoreError::new)?)
            .build())
    }

    /// The write that uses a grant up, on the condition that it is still there and
    /// unexpired at `now` (for a transaction).
    pub(super) fn grant_consume(
        &self,
        kind: GrantKind,
        token: &TokenHash,
        now: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key("pk", string_value(kind.key(token)))
            .condition_expression("attribute_exists(pk) AND expires_at > :now")
            .expression_attribute_values(":now", number_value(now))
            .build()
            .map_err(StoreError::new)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }
}
