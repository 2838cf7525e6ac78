//! The Lambda entry point of `change-password`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(change_password::Context::from_env, change_password::handler)
}
