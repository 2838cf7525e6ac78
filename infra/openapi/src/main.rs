//! Writes the OpenAPI document: `cargo run -p openapi [-- PATH]` (default `openapi.json`
//! at the repository root).

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json").to_owned());
    std::fs::write(&path, openapi::document())?;
    println!("wrote {path}");
    Ok(())
}
