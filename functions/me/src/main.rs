//! The Lambda entry point of `me`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(me::Context::from_env, me::handler)
}
