//! Request latency through the local stack: an account is signed up through the API,
//! then `--requests` sequential `POST /auth/login` and `GET /me` calls are timed each.
//!
//! Usage: `latency [--requests N]` with `SHOP_API_URL` and `AWS_ENDPOINT_URL` set.
//! Prints Markdown.

use std::time::{Duration, Instant};

use bench::{ms, quantile};
use e2e::Api;
use reqwest::Method;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let requests: usize = args
        .iter()
        .position(|a| a == "--requests")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(200), |n| n.parse())
        .map_err(|e| format!("--requests: {e}"))?;
    let api = Api::new();
    let account = api.signed_up("customer").await;
    let login = json!({"username": account.username, "password": account.password});

    let mut rows = Vec::new();
    for (label, method, path, token, body) in [
        (
            "POST /auth/login",
            Method::POST,
            "/auth/login",
            None,
            Some(&login),
        ),
        (
            "GET /me",
            Method::GET,
            "/me",
            Some(account.token.as_str()),
            None,
        ),
    ] {
        // Warm every instance the calls will use.
        for _ in 0..5 {
            api.send(method.clone(), path, token, body).await;
        }
        let mut samples: Vec<Duration> = Vec::with_capacity(requests);
        let mut errors = 0;
        for _ in 0..requests {
            let started = Instant::now();
            let response = api.send(method.clone(), path, token, body).await;
            let ok = response.status().is_success();
            let _ = response.bytes().await;
            samples.push(started.elapsed());
            errors += usize::from(!ok);
        }
        rows.push(format!(
            "| `{label}` | {requests} | {} ms | {} ms | {} ms | {errors} |",
            ms(quantile(&samples, 0.5)),
            ms(quantile(&samples, 0.99)),
            ms(quantile(&samples, 1.0)),
        ));
    }
    println!("| request | count | p50 | p99 | max | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
    Ok(())
}
