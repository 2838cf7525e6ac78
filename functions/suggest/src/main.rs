//! The Lambda entry point of `suggest`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(suggest::Context::from_env, suggest::handler)
}
