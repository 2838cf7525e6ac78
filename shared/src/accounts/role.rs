//! The two roles: customers buy and review, merchants sell.

use serde::{Deserialize, Serialize};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Buys goods, keeps a cart, reviews what it bought (the default).
    #[default]
    Customer,
    /// Sells goods, ships orders, replies to reviews.
    Merchant,
}

impl Role {
    /// The role's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Merchant => "merchant",
        }
    }
}
