//! The Lambda entry point of `index-goods`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::events(index_goods::Context::from_env, index_goods::handler)
}
