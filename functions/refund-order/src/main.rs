//! The Lambda entry point of `refund-order`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(refund_order::Context::from_env, refund_order::handler)
}
