//! The Lambda entry point of `cancel-order`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(cancel_order::Context::from_env, cancel_order::handler)
}
