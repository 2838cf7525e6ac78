//! The Lambda entry point of `create-address`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(create_address::Context::from_env, create_address::handler)
}
