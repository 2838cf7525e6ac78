//! The Lambda entry point of `send-password-reset`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::events(
        send_password_reset::Context::from_env,
        send_password_reset::handler,
    )
}
