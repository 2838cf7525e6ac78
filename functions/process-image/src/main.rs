//! The Lambda entry point of `process-image`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::events(process_image::Context::from_env, process_image::handler)
}
