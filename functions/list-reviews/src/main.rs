//! The Lambda entry point of `list-reviews`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(list_reviews::Context::from_env, list_reviews::handler)
}
