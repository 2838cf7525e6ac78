//! The Lambda entry point of `get-cart`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(get_cart::Context::from_env, get_cart::handler)
}
