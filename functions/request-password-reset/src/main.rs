//! The Lambda entry point of `request-password-reset`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(
        request_password_reset::Context::from_env,
        request_password_reset::handler,
    )
}
