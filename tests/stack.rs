//! The template and the code agree: every function in `template.yaml` has a binary
//! under `functions/` and every binary a function; every route of the template is
//! served by the local stack; every function keeps its logs a month and every
//! dead-letter queue has an alarm.

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

#[test]
fn every_function_keeps_its_logs_a_month_and_every_dead_letter_queue_has_an_alarm() {
    let doc = template::read(&repo().join("template.yaml")).unwrap();
    let resources = doc["Resources"].as_object().unwrap();
    let of_type = |kind: &'static str| {
        resources
            .iter()
            .filter(move |(_, r)| r["Type"] == kind)
            .map(|(id, r)| (id.as_str(), r))
    };
    let logged: BTreeSet<String> = of_type("AWS::Logs::LogGroup")
        .filter(|(_, r)| r["Properties"]["RetentionInDays"] == 30)
        .filter_map(|(_, r)| {
            let name = r["Properties"]["LogGroupName"]["Fn::Sub"].as_str()?;
            Some(
                name.strip_prefix("/aws/lambda/${")?
                    .trim_end_matches('}')
                    .to_owned(),
            )
        })
        .collect();
    let functions: BTreeSet<String> = of_type("AWS::Serverless::Function")
        .map(|(id, _)| id.to_owned())
        .collect();
    assert_eq!(
        logged, functions,
        "a log group with 30 days' retention per function"
    );

    let watched: BTreeSet<String> = of_type("AWS::CloudWatch::Alarm")
        .filter(|(_, r)| r["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible")
        .filter_map(|(_, r)| {
            let queue = &r["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"];
            Some(queue.as_array()?.first()?.as_str()?.to_owned())
        })
        .collect();
    let dead_letters: BTreeSet<String> = of_type("AWS::SQS::Queue")
        .map(|(id, _)| id.to_owned())
        .filter(|id| id.ends_with("DeadLetterQueue"))
        .collect();
    assert_eq!(
        watched, dead_letters,
        "an alarm on every dead-letter queue's depth"
    );
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
