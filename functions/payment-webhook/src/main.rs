//! The Lambda entry point of `payment-webhook`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(payment_webhook::Context::from_env, payment_webhook::handler)
}
