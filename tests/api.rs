//! The end-to-end flows over HTTP against the local stack (`infra/test.sh` starts it),
//! one module per area, in one test binary: its tests run side by side, as a shop's
//! clients do. Tests that switch shared state take turns through `e2e`'s locks
//! ([`e2e::provider_turn`]); `faults.rs`, which pauses the emulators, is a binary of its
//! own.

mod accounts;
mod authorization;
mod catalogue;
mod checkout;
mod docs;
mod goods;
mod images;
mod orders;
mod own_account;
mod payments;
mod recommendations;
mod reviews;
mod search;
mod secrets;
mod stack;
mod stock;
