//! The Lambda entry point of `fit-similarity`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::events(fit_similarity::Context::from_env, fit_similarity::handler)
}
