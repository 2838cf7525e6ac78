//! The Lambda entry point of `update-me`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(update_me::Context::from_env, update_me::handler)
}
