//! The Lambda entry point of `register`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(register::Context::from_env, register::handler)
}
