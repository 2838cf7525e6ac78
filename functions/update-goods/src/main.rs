//! The Lambda entry point of `update-goods`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(update_goods::Context::from_env, update_goods::handler)
}
