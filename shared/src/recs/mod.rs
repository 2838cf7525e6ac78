//! Recommendations: item-to-item collaborative filtering, fed by the behaviour events
//! (`view`, `cart`, `purchase`) through SQS. [`model`] is the algorithm, free of storage;
//! [`store`] keeps it in DynamoDB.

pub mod model;
pub mod store;
