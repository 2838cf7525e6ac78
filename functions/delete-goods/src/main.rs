//! The Lambda entry point of `delete-goods`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(delete_goods::Context::from_env, delete_goods::handler)
}
