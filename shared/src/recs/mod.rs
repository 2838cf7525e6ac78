//! Recommendations: item-to-item collaborative filtering, fed by the behaviour events
//! (`view`, `cart`, `purchase`) through SQS.
//!
//! - [`model`]: the algorithm, free of storage (windows, pair counts, cosine, seeds).
//! - [`memory`]: the same counts in memory, the reference for benchmarks and tests.
//! - [`store`]: the model in DynamoDB (key layout in its header) and applying an event.
//! - [`lists`]: neighbour lists rewritten from the counts.
//! - [`reads`]: what the request functions read.
//! - [`service`]: `GET /recommendations`, from all of them.
//! - [`similar`]: `GET /goods/{goods_id}/similar` ([`similar::Similarities`]).
//! - [`api`]: similar goods as the API shows them.

pub mod api;
pub mod lists;
pub mod memory;
pub mod model;
pub mod reads;
pub mod service;
pub mod similar;
pub mod store;

pub use service::Recommender;
