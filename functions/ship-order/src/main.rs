//! The Lambda entry point of `ship-order`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(ship_order::Context::from_env, ship_order::handler)
}
