//! The Lambda entry point of `reply-review`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(reply_review::Context::from_env, reply_review::handler)
}
