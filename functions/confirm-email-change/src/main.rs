//! The Lambda entry point of `confirm-email-change`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(
        confirm_email_change::Context::from_env,
        confirm_email_change::handler,
    )
}
