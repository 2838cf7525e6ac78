//! The Lambda entry point of `similar-goods`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(similar_goods::Context::from_env, similar_goods::handler)
}
