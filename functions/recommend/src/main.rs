//! The Lambda entry point of `recommend`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(recommend::Context::from_env, recommend::handler)
}
