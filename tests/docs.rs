//! The API reference page, `GET /docs`, in a real browser: headless Chromium (driven by
//! `infra/browser/docs-check.cjs`) loads it, finds every operation of the document,
//! authorizes with a customer's bearer token, calls `GET /me` from the page and gets the
//! customer back; the screenshot it takes of the answer is a real render of the page.

use std::path::Path;

use e2e::Api;
use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The operations the committed document declares.
fn documented_operations() -> usize {
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("openapi.json")).unwrap())
            .unwrap();
    document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum()
}

/// A PNG's width and height, from its header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[tokio::test]
async fn the_reference_page_lists_every_operation_and_calls_the_api_with_a_bearer_token() {
    let customer = Api::new().signed_up("customer").await;
    let screenshot = repo().join(".local/logs/docs.png");
    let _ = std::fs::remove_file(&screenshot);
    let out = tokio::process::Command::new("node")
        .arg(repo().join("infra/browser/docs-check.cjs"))
        .env("SHOP_API_URL", e2e::api_url())
        .env("DOCS_TOKEN", &customer.token)
        .env("DOCS_SCREENSHOT", &screenshot)
        .output()
        .await
        .expect("node runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser check failed: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");

    assert_eq!(report["operations"], documented_operations(), "{report}");
    assert_eq!(report["status"], 200, "{report}");
    let me: Value = serde_json::from_str(report["body"].as_str().unwrap()).unwrap();
    assert_eq!(me["user_id"], customer.user_id.as_str(), "{me}");
    assert_eq!(me["username"], customer.username.as_str(), "{me}");

    let png = std::fs::read(&screenshot).expect("the screenshot is saved");
    assert_eq!(png_size(&png), (1280, 1000));
    // A blank or half-drawn page compresses to a few KiB; the rendered reference doesn't.
    assert!(png.len() > 40_000, "screenshot of {} bytes", png.len());
}
