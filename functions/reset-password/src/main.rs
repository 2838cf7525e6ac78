//! The Lambda entry point of `reset-password`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(reset_password::Context::from_env, reset_password::handler)
}
