//! The Lambda entry point of `activate`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(activate::Context::from_env, activate::handler)
}
