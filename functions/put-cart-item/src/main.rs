//! The Lambda entry point of `put-cart-item`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(put_cart_item::Context::from_env, put_cart_item::handler)
}
