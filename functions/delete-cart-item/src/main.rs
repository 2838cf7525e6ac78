//! The Lambda entry point of `delete-cart-item`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(
        delete_cart_item::Context::from_env,
        delete_cart_item::handler,
    )
}
