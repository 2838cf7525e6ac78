//! The request body and answers of the payment routes, as the functions read and write
//! them and as the OpenAPI document describes them.

use serde::{Deserialize, Serialize};

use crate::orders::order::PaymentMethod;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayBody {
    pub method: PaymentMethod,
}

/// The acknowledgement the provider gets.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookAnswer {
    /// Always true: the event was applied or recorded.
    pub received: bool,
}
