//! The template and the code agree: every function in `template.yaml` has a binary
//! under `functions/` and every binary a function; every route of the template is
//! served by the local stack.

use std::collections::BTreeSet;
use std::path::Path;

use e2e::Api;
use local_stack::template::{self, LocalValues};
use reqwest::Method;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn project_template() -> template::Template {
    let local = LocalValues {
        parameters: Default::default(),
        region: "us-east-1".into(),
        account: local_stack::ACCOUNT.into(),
        sqs_endpoint: "http://127.0.0.1:5000".into(),
    };
    template::load(&repo().join("template.yaml"), &local).expect("template.yaml resolves")
}

#[test]
fn every_template_function_has_a_binary_and_every_binary_a_function() {
    let declared: BTreeSet<String> = project_template()
        .functions
        .into_iter()
        .map(|f| f.binary)
        .collect();
    let built: BTreeSet<String> = std::fs::read_dir(repo().join("functions"))
        .unwrap()
        .filter_map(|entry| {
            let manifest = std::fs::read_to_string(entry.ok()?.path().join("Cargo.toml")).ok()?;
            let name = manifest.lines().find_map(|l| l.strip_prefix("name = "))?;
            Some(name.trim_matches('"').to_owned())
        })
        .collect();
    assert_eq!(declared, built);
}

#[test]
fn every_function_has_its_events_folder() {
    for function in project_template().functions {
        let folder = repo().join("events").join(&function.binary);
        let events = std::fs::read_dir(&folder).map(|d| d.count()).unwrap_or(0);
        assert!(
            events > 0,
            "{} has no events in {}",
            function.name,
            folder.display()
        );
    }
}

#[tokio::test]
async fn every_template_route_is_served_locally() {
    let api = Api::new();
    for function in project_template().functions {
        for route in function.routes {
            let path = route
                .path
                .split('/')
                .map(|s| {
                    if s.starts_with('{') {
                        "01TESTID000000000000000000"
                    } else {
                        s
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = Method::from_bytes(route.method.as_bytes()).unwrap();
            let response = api.request(method, &path).send().await.unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            // The gateway's own 404 is `{"message":"Not Found"}`; a function answers in
            // the contract's shape (or with success).
            assert!(
                status < 500 && !body.starts_with("{\"message\""),
                "{} {} answered {status} {body} (not the function's own answer)",
                route.method,
                route.path
            );
        }
    }
}

#[tokio::test]
async fn unknown_routes_answer_as_api_gateway_does() {
    let (status, body) = Api::new()
        .call(Method::GET, "/no/such/route", None, None)
        .await;
    assert_eq!(
        (status, body),
        (404, serde_json::json!({"message": "Not Found"}))
    );
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    let (status, document) = Api::new()
        .call(Method::GET, "/openapi.json", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/orders"]["post"].is_object());
}
