//! The Lambda entry point of `delete-image`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(delete_image::Context::from_env, delete_image::handler)
}
