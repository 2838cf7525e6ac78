//! The local stack: `template.yaml` run on loopback against AWS's own emulators.
//!
//! # Layout
//! - [`template`]: reads the template and resolves its intrinsic functions.
//! - [`provision`]: creates its tables, queues and email identities in the emulators.
//! - [`runtime`]: the Lambda Runtime API and instance scaling for each function.
//! - [`gateway`]: API Gateway's HTTP API in front of the functions.
//! - [`policy`]: the audit of the functions' AWS calls against their policies.
//! - [`triggers`]: SQS event source mappings, schedules, and the sent-email console.
//! - [`streams`]: DynamoDB Streams event source mappings.

pub mod console;
pub mod docs;
pub mod gateway;
pub mod policy;
pub mod provision;
pub mod runtime;
pub mod streams;
pub mod template;
pub mod triggers;

/// The account id of everything local: moto's default, so that the ARNs and queue URLs
/// the template resolves to are the ones moto uses.
pub const ACCOUNT: &str = "123456789012";
