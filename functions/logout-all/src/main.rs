//! The Lambda entry point of `logout-all`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(logout_all::Context::from_env, logout_all::handler)
}
