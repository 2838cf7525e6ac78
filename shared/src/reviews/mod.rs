//! Reviews: buyers rate and review what they bought; the goods' merchant replies.
//!
//! - [`repo`]: the reviews table, and the goods' rating summary it keeps exact.

pub mod repo;
