//! Recommendations: item-to-item collaborative filtering, fed by the behaviour events
//! (`view`, `cart`, `purchase`) through SQS. [`model`] is the algorithm, free of storage;
//! [`store`] keeps it in DynamoDB;
//! [`service`] answers `GET /recommendations` from both.

pub mod model;
pub mod service;
pub mod store;

pub use service::Recommender;
