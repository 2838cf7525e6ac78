//! The Lambda entry point of `request-email-change`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(
        request_email_change::Context::from_env,
        request_email_change::handler,
    )
}
