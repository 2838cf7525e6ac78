//! The UCI Online Retail products as a shop's catalogue: parsed here, loaded through the
//! API by the `demo-catalogue` binary, and reused by the benchmarks.

pub mod products;
