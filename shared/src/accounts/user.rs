//! An account as the API shows it (never with its password hash).

use serde::{Deserialize, Serialize};

use super::Role;

/// Whether an account may log in yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Registered; the activation link has not been followed.
    PendingActivation,
    /// Activated; may log in.
    Active,
}

/// The public view of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    /// Opaque, time-sortable id (ULID).
    pub user_id: String,
    /// The username as registered.
    pub username: String,
    /// The email address as registered.
    pub email: String,
    /// Customer or merchant.
    pub role: Role,
    /// Pending activation or active.
    pub status: UserStatus,
    /// The name the user chose to be shown by (`null` until set).
    #[schema(required = true, min_length = 1, max_length = 64)]
    pub display_name: Option<String>,
    /// When the account was registered (RFC 3339).
    pub created_at: String,
}
