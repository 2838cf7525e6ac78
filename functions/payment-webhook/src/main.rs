//! The Lambda entry point of `payment-webhook`: its service, built once per cold start
//! (reading the signing secrets from Secrets Manager in the init phase), and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http_init(payment_webhook::Context::load, payment_webhook::handler)
}
