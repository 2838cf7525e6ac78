//! The Lambda entry point of `confirm-delivery`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(
        confirm_delivery::Context::from_env,
        confirm_delivery::handler,
    )
}
