//! The Lambda entry point of `delete-address`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(delete_address::Context::from_env, delete_address::handler)
}
