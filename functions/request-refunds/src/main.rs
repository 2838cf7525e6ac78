//! The Lambda entry point of `request-refunds`: its service, built once per cold start
//! (reading the provider's key from Secrets Manager in the init phase), and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::events_init(request_refunds::Context::load, request_refunds::handler)
}
