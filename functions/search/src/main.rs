//! The Lambda entry point of `search`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(search::Context::from_env, search::handler)
}
