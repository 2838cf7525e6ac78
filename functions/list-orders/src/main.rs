//! The Lambda entry point of `list-orders`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(list_orders::Context::from_env, list_orders::handler)
}
