//! The Lambda entry point of `list-goods`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(list_goods::Context::from_env, list_goods::handler)
}
