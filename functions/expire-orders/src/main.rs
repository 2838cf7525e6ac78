//! The Lambda entry point of `expire-orders`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::events(expire_orders::Context::from_env, expire_orders::handler)
}
