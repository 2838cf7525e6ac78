//! The Lambda entry point of `create-review`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(create_review::Context::from_env, create_review::handler)
}
