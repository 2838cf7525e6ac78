//! The Lambda entry point of `watch-refunds`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::events(watch_refunds::Context::from_env, watch_refunds::handler)
}
