//! The shop's shared crate: everything the Lambda functions have in common.
//!
//! # Layout
//! One module per capability, each holding its domain types, its rules and its
//! repository (key layout in the repository's header):
//! - [`accounts`]: users, credentials, sessions.
//! - [`catalogue`]: goods and their stock.
//! - [`cart`]: the customer's cart.
//! - [`orders`]: placing orders and their lifecycle.
//! - [`payments`]: payment orders, refunds, the provider and its webhook.
//! - [`reviews`]: reviews, replies and rating summaries.
//! - [`search`]: the keyword search index: text analysis, indexing and top-k retrieval.
//! - [`recs`]: recommendations: the item-to-item model and its DynamoDB store.
//!
//! The edge they share:
//! - [`entry`]: the whole `main` of every function.
//! - [`http`]: JSON bodies in, JSON responses out, the handler runner.
//! - [`auth`]: session tokens and the caller's identity.
//! - [`error`]: the one API error type and its contract body.
//! - [`aws`]: one AWS SDK configuration and the clients built from it.
//! - [`config`]: environment variables read once per cold start.
//! - [`events`]: the event envelope and its SQS publisher.
//! - [`consumer`]: SQS batches in, partial batch failures out.
//! - [`stream`]: DynamoDB Streams batches in, the first failed record out.
//! - [`cursor`]: the one codec of every listing's cursors.
//! - [`idempotency`]: claims on `Idempotency-Key`s and the answers they replay.
//! - [`telemetry`]: structured JSON logs; [`metrics`]: AWS requests per invocation.
//! - [`store`]: DynamoDB helpers every repository uses (errors, transactions, batches).
//! - [`mail`]: outgoing email through SES.
//! - [`ids`], [`money`], [`clock`]: ids, prices and time as the API speaks them.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod aws;
pub mod cart;
pub mod catalogue;
pub mod clock;
pub mod config;
pub mod consumer;
pub mod cursor;
pub mod entry;
pub mod error;
pub mod events;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod mail;
pub mod metrics;
pub mod money;
pub mod orders;
pub mod payments;
pub mod recs;
pub mod reviews;
pub mod search;
pub mod store;
pub mod stream;
pub mod telemetry;

pub use error::ApiError;
