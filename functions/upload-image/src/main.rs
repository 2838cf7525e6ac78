//! The Lambda entry point of `upload-image`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(upload_image::Context::from_env, upload_image::handler)
}
