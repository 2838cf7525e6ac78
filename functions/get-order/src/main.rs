//! The Lambda entry point of `get-order`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(get_order::Context::from_env, get_order::handler)
}
