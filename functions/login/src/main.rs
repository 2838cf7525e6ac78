//! The Lambda entry point of `login`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(login::Context::from_env, login::handler)
}
