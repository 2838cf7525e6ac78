//! The Lambda entry point of `list-merchant-orders`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(
        list_merchant_orders::Context::from_env,
        list_merchant_orders::handler,
    )
}
