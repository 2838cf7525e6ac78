//! Recommendations: item-to-item collaborative filtering, fed by the behaviour events
//! (`view`, `cart`, `purchase`) through SQS. The consumer (`learn-similarity`) keeps the
//! users' windows and the co-occurrence counts; a scheduled fit (`fit-similarity`, EASE)
//! turns the counts into each goods item's neighbours and the popular goods; the request
//! functions merge the neighbours of the caller's goods.
//!
//! - [`model`]: the algorithm, free of storage (windows, pair counts, seeds, merging,
//!   popularity).
//! - [`memory`]: the same counts in memory, the reference for benchmarks and tests.
//! - [`store`]: the model in DynamoDB (key layout in its header).
//! - [`learn`]: applying a batch of events, in few transactions.
//! - [`lists`]: what the fit writes: neighbour lists and popular goods.
//! - [`reads`]: what the request functions read.
//! - [`service`]: `GET /recommendations`, from all of them.
//! - [`similar`]: `GET /goods/{goods_id}/similar` ([`similar::Similarities`]).
//! - [`api`]: similar goods as the API shows them.

pub mod api;
pub mod learn;
pub mod lists;
pub mod memory;
pub mod model;
pub mod reads;
pub mod service;
pub mod similar;
pub mod store;

pub use service::Recommender;
