//! The Lambda entry point of `create-payment`: its service, built once per cold start
//! (reading the provider's key from Secrets Manager in the init phase), and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http_init(create_payment::Context::load, create_payment::handler)
}
