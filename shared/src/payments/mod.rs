//! Payments: payment orders handed to the provider, and the provider's signed webhook.
//!
//! - [`signature`]: the webhook's HMAC signature.
//! - [`repo`]: the payments table (payments and the webhook events recorded against them).

pub mod repo;
pub mod signature;
