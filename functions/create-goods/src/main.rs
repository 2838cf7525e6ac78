//! The Lambda entry point of `create-goods`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(create_goods::Context::from_env, create_goods::handler)
}
