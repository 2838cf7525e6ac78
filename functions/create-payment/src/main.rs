//! The Lambda entry point of `create-payment`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(create_payment::Context::from_env, create_payment::handler)
}
