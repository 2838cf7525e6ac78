//! The Lambda entry point of `get-goods`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(get_goods::Context::from_env, get_goods::handler)
}
