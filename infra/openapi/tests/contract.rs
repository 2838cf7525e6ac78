//! The committed document is what the code generates, and it describes exactly the
//! routes of `template.yaml`.

use std::collections::BTreeSet;
use std::path::Path;

use local_stack::template::{self, LocalValues};

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn the_committed_document_is_what_the_code_generates() {
    let committed =
        std::fs::read_to_string(repo().join("openapi.json")).expect("openapi.json is committed");
    assert!(
        committed == openapi::document(),
        "openapi.json is stale: run `cargo run -p openapi` and commit it"
    );
}

#[test]
fn the_document_describes_exactly_the_template_routes() {
    let local = LocalValues {
        parameters: Default::default(),
        region: "us-east-1".into(),
        account: local_stack::ACCOUNT.into(),
        sqs_endpoint: "http://127.0.0.1:5000".into(),
    };
    let template = template::load(&repo().join("template.yaml"), &local).unwrap();
    let routes: BTreeSet<String> = template
        .functions
        .iter()
        .flat_map(|f| f.routes.iter().map(|r| format!("{} {}", r.method, r.path)))
        .collect();
    let document: serde_json::Value = serde_json::from_str(&openapi::document()).unwrap();
    let operations: BTreeSet<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    assert_eq!(operations, routes);
}

#[test]
fn every_operation_documents_success_errors_and_the_401_of_its_session() {
    let document: serde_json::Value = serde_json::from_str(&openapi::document()).unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path} has no success"
            );
            assert!(
                responses.keys().any(|s| s.starts_with('4')),
                "{method} {path} documents no error"
            );
            if operation.get("security").is_some() {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} needs a session but documents no 401"
                );
            }
        }
    }
}
