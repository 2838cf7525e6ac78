//! The Lambda entry point of `learn-similarity`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::events(
        learn_similarity::Context::from_env,
        learn_similarity::handler,
    )
}
