//! The shop's shared crate: everything the Lambda functions have in common.
//!
//! # Layout
//! - [`config`]: environment variables read once per cold start.
//! - [`aws`]: one AWS SDK configuration and the clients built from it.
//! - [`contexts`]: contexts that several functions share.
//! - [`error`]: the one API error type and its contract body.
//! - [`http`]: the HTTP edge: JSON bodies in, JSON responses out, the handler runner.
//! - [`auth`]: session tokens and the caller's identity.
//! - [`telemetry`]: structured JSON logs.
//! - [`metrics`]: AWS requests per invocation, counted by an SDK interceptor.
//! - [`domain`]: parsed domain types and business rules, free of AWS.
//! - [`repo`]: DynamoDB repositories, one per table, and their item mapping.
//! - [`mail`]: outgoing email through SES.
//! - [`consumer`]: SQS batches in, partial batch failures out.
//! - [`events`]: the event envelope and its SQS publisher.
//! - [`recs`]: recommendations: the item-to-item model and its DynamoDB store.
//! - [`search`]: the keyword search index: text analysis, indexing and top-k retrieval.
//! - [`ordering`]: placing an order, atomically across goods, orders, cart and idempotency.
//! - [`clock`]: time as the API speaks it (RFC 3339, UTC).

pub mod auth;
pub mod aws;
pub mod clock;
pub mod config;
pub mod consumer;
pub mod contexts;
pub mod domain;
pub mod error;
pub mod events;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod ordering;
pub mod recs;
pub mod repo;
pub mod search;
pub mod telemetry;

pub use error::ApiError;

#[cfg(feature = "testing")]
pub mod testing;
