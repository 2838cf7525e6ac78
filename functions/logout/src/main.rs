//! The Lambda entry point of `logout`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(logout::Context::from_env, logout::handler)
}
