//! The Lambda entry point of `resend-activation`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(
        resend_activation::Context::from_env,
        resend_activation::handler,
    )
}
