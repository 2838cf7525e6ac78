//! Request latency through the local stack, and the AWS requests each call makes.
//!
//! An account is signed up through the API; then each scenario sends `--requests`
//! sequential calls (after 5 warm-up calls), timing each. The functions log one
//! `request done` line per invocation with their DynamoDB/SQS/SES request counts; the
//! lines a scenario added to the local stack's log (`--log`) give its requests per call.
//! The goods scenarios need a catalogue (`demo-catalogue` loads one).
//!
//! Usage: `latency [--requests N] [--log PATH]` with `SHOP_API_URL` and
//! `AWS_ENDPOINT_URL` set. Prints Markdown.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bench::{arg, ms, parsed_arg, quantile};
use e2e::{order_body, webhook_secret, Api};
use reqwest::Method;
use serde_json::{json, Value};
use shop::payments::signature::sign;

/// A request ready to send: path, body, extra headers.
type Prepared = (String, Option<Value>, Vec<(String, String)>);

struct Scenario {
    label: &'static str,
    method: Method,
    /// Requests to cycle through: path, body, extra headers.
    requests: Vec<Prepared>,
    token: Option<String>,
    /// The fewest requests the call could make, and why.
    minimum: &'static str,
}

fn same(path: &str, body: Option<Value>) -> Vec<Prepared> {
    vec![(path.to_owned(), body, Vec::new())]
}

/// A goods item with plenty of stock, and `count` orders of it, each with a payment and
/// the provider's signed success event for it.
async fn orders_to_pay(api: &Api, count: usize) -> (String, Vec<Prepared>) {
    let merchant = api.signed_up("merchant").await;
    let buyer = api.signed_up("customer").await;
    let goods_id = api
        .create_goods(&merchant, 1999, 1_000_000, "CNY")
        .await
        .goods_id;
    let mut webhooks = Vec::with_capacity(count);
    for _ in 0..count {
        let order = api.place(&buyer, &[(&goods_id, 1)]).await;
        let event = serde_json::to_value(api.payment_event(&buyer, &order).await)
            .expect("an event serializes");
        let signature = sign(
            &webhook_secret(),
            shop::clock::now().unix_timestamp(),
            event.to_string().as_bytes(),
        );
        webhooks.push((
            "/payments/webhook".to_owned(),
            Some(event),
            vec![("payment-signature".to_owned(), signature)],
        ));
    }
    (goods_id, webhooks)
}

/// The `request done` lines of the log, as JSON fields.
fn done_lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("\"request done\""))
        .filter_map(|l| l.split_once("] ").map(|(_, json)| json))
        .filter_map(|json| serde_json::from_str::<Value>(json).ok())
        .map(|v| v["fields"].clone())
        .collect()
}

fn per_call(lines: &[Value], service: &str) -> String {
    if lines.is_empty() {
        return "-".to_owned();
    }
    let total: u64 = lines.iter().filter_map(|l| l[service].as_u64()).sum();
    format!("{:.2}", total as f64 / lines.len() as f64)
}

async fn goods_ids(api: &Api, count: usize) -> Vec<String> {
    let (_, page) = api
        .call(
            Method::GET,
            &format!("/goods?limit={}", count.min(100)),
            None,
            None,
        )
        .await;
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["goods_id"].as_str().map(str::to_owned))
        .collect()
}

async fn send(
    api: &Api,
    scenario: &Scenario,
    path: &str,
    body: Option<&Value>,
    headers: &[(String, String)],
) -> reqwest::Response {
    let mut request = api.request(scenario.method.clone(), path);
    if let Some(token) = &scenario.token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(name, value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    request.send().await.expect("the local stack answers")
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let requests: usize = parsed_arg("--requests", 200)?;
    let log = arg("--log").map(PathBuf::from);

    let api = Api::new();
    let account = api.signed_up("customer").await;
    let ids = goods_ids(&api, 100).await;
    if ids.is_empty() {
        return Err("no goods: load a catalogue first (demo-catalogue)".to_owned());
    }
    let goods_paths: Vec<Prepared> = ids
        .iter()
        .map(|id| (format!("/goods/{id}"), None, Vec::new()))
        .collect();
    let (bench_goods, webhooks) = orders_to_pay(&api, requests + 5).await;
    let token = Some(account.token.clone());
    let scenarios = [
        Scenario {
            label: "POST /auth/login",
            method: Method::POST,
            requests: same("/auth/login", Some(json!({"username": account.username, "password": account.password}))),
            token: None,
            minimum: "3: name → id, account, new session",
        },
        Scenario {
            label: "GET /me",
            method: Method::GET,
            requests: same("/me", None),
            token: token.clone(),
            minimum: "2: session, account",
        },
        Scenario {
            label: "GET /goods/{id}, anonymous",
            method: Method::GET,
            requests: goods_paths.clone(),
            token: None,
            minimum: "1: the item",
        },
        Scenario {
            label: "GET /goods/{id}, signed in (records a view)",
            method: Method::GET,
            requests: goods_paths,
            token: token.clone(),
            minimum: "2 + 1 SQS: item and session (concurrently), the view event",
        },
        Scenario {
            label: "GET /goods?category=Kitchen&max_price=500 (a page of 20)",
            method: Method::GET,
            requests: same("/goods?category=Kitchen&max_price=500&limit=20", None),
            token: None,
            minimum: "1 Query on by_category_price",
        },
        Scenario {
            label: "GET /goods (first page of 20)",
            method: Method::GET,
            requests: same("/goods?limit=20", None),
            token: None,
            minimum: "2 Queries at once: one per by_all shard",
        },
        Scenario {
            label: "POST /orders (one line, no Idempotency-Key)",
            method: Method::POST,
            requests: same("/orders", Some(order_body(&[(&bench_goods, 1)]))),
            token: token.clone(),
            minimum: "3: session, goods (BatchGetItem), one TransactWriteItems (stock + order)",
        },
        Scenario {
            label: "POST /payments/webhook (payment.succeeded)",
            method: Method::POST,
            requests: webhooks,
            token: None,
            minimum: "3 + 1 SQS per line: payment, order, one TransactWriteItems (event + order + payment)",
        },
    ];

    println!(
        "| request | count | p50 | p99 | max | errors | DynamoDB / call | SQS / call | minimum |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for scenario in &scenarios {
        let mut cycle = scenario.requests.iter().cycle();
        for (path, body, headers) in cycle.by_ref().take(5) {
            send(&api, scenario, path, body.as_ref(), headers).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = log.as_deref().map_or(0, |l| done_lines(l).len());
        let mut samples = Vec::with_capacity(requests);
        let mut errors = 0;
        for (path, body, headers) in cycle.take(requests) {
            let started = Instant::now();
            let response = send(&api, scenario, path, body.as_ref(), headers).await;
            let ok = response.status().is_success();
            let _ = response.bytes().await;
            samples.push(started.elapsed());
            errors += usize::from(!ok);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let lines: Vec<Value> = log
            .as_deref()
            .map(|l| done_lines(l).split_off(before))
            .unwrap_or_default();
        println!(
            "| `{}` | {requests} | {} ms | {} ms | {} ms | {errors} | {} | {} | {} |",
            scenario.label,
            ms(quantile(&samples, 0.5)),
            ms(quantile(&samples, 0.99)),
            ms(quantile(&samples, 1.0)),
            per_call(&lines, "dynamodb"),
            per_call(&lines, "sqs"),
            scenario.minimum,
        );
    }
    Ok(())
}
