//! The Lambda entry point of `place-order`: its service, built once per cold start, and its handler.

fn main() -> Result<(), shop::entry::Error> {
    shop::entry::http(place_order::Context::from_env, place_order::handler)
}
