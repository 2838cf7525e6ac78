//! The Lambda entry point of `list-addresses`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(list_addresses::Context::from_env, list_addresses::handler)
}
