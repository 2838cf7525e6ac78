//! The Lambda entry point of `relay-purchases`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::events(relay_purchases::Context::from_env, relay_purchases::handler)
}
