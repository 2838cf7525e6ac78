//! Cold starts, measured the way Lambda pays for them: from process start to the
//! runtime's first `GET …/invocation/next` (init) and to its first response, through a
//! Runtime API of our own, for every function of the template and the two floors;
//! the median of `--runs` starts each. Then, once each under valgrind's callgrind, the
//! instructions executed from process start to the first response (and the runtime's
//! exit, which follows at once), a figure machine noise doesn't move.
//!
//! Usage: `cold-start [--runs N] [--bin-dir DIR] [--no-valgrind]`, run from the
//! repository root with the emulators' endpoints in the environment. Prints Markdown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bench::{ms, quantile};
use local_stack::runtime::{lambda_environment, Endpoints};
use local_stack::template::{self, LocalValues};
use tokio::process::Command;
use tokio::sync::Notify;

#[derive(Default)]
struct Run {
    event: Bytes,
    started: Option<Instant>,
    next_at: Option<Instant>,
    answered_at: Option<Instant>,
    status: Option<u16>,
    handed_out: bool,
}

#[derive(Clone, Default)]
struct Shared {
    run: Arc<Mutex<Run>>,
    done: Arc<Notify>,
}

async fn next(State(shared): State<Shared>) -> Response {
    let mut run = shared.run.lock().unwrap();
    if run.handed_out {
        // No second invocation: the runtime fails to read one and exits.
        return StatusCode::GONE.into_response();
    }
    run.handed_out = true;
    run.next_at = Some(Instant::now());
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", "bench-1".parse().unwrap());
    headers.insert(
        "lambda-runtime-deadline-ms",
        "99999999999999".parse().unwrap(),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:000000000000:function:bench"
            .parse()
            .unwrap(),
    );
    (StatusCode::OK, headers, run.event.clone()).into_response()
}

async fn answered(State(shared): State<Shared>, body: Bytes) -> StatusCode {
    {
        let mut run = shared.run.lock().unwrap();
        run.answered_at = Some(Instant::now());
        run.status = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["statusCode"].as_u64())
            .map(|s| s as u16);
    }
    shared.done.notify_one();
    StatusCode::ACCEPTED
}

struct Target {
    label: String,
    binary: PathBuf,
    event: PathBuf,
    environment: BTreeMap<String, String>,
}

struct Measured {
    init: Duration,
    first_response: Duration,
    status: Option<u16>,
}

async fn start_once(
    target: &Target,
    shared: &Shared,
    api: &str,
    valgrind: Option<&Path>,
) -> Result<(Measured, String), String> {
    *shared.run.lock().unwrap() = Run {
        event: Bytes::from(
            std::fs::read(&target.event).map_err(|e| format!("{}: {e}", target.event.display()))?,
        ),
        started: Some(Instant::now()),
        ..Run::default()
    };
    let mut command = match valgrind {
        Some(out) => {
            let mut c = Command::new("valgrind");
            c.arg("--tool=callgrind")
                .arg(format!("--callgrind-out-file={}", out.display()))
                .arg(&target.binary);
            c
        }
        None => Command::new(&target.binary),
    };
    let mut child = command
        .env_clear()
        .envs(&target.environment)
        .env("AWS_LAMBDA_RUNTIME_API", api)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e}", target.binary.display()))?;
    let limit = if valgrind.is_some() { 120 } else { 15 };
    tokio::time::timeout(Duration::from_secs(limit), shared.done.notified())
        .await
        .map_err(|_| format!("{} never answered", target.label))?;
    let stderr = if valgrind.is_some() {
        let out = tokio::time::timeout(Duration::from_secs(limit), child.wait_with_output())
            .await
            .map_err(|_| format!("{} did not exit", target.label))?
            .map_err(|e| e.to_string())?;
        String::from_utf8_lossy(&out.stderr).into_owned()
    } else {
        let _ = child.kill().await;
        String::new()
    };
    let run = shared.run.lock().unwrap();
    let started = run.started.expect("set above");
    Ok((
        Measured {
            init: run.next_at.map(|t| t - started).unwrap_or_default(),
            first_response: run.answered_at.map(|t| t - started).unwrap_or_default(),
            status: run.status,
        },
        stderr,
    ))
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = arg(&args, "--runs")
        .map_or(Ok(20), |r| r.parse())
        .map_err(|e| format!("--runs: {e}"))?;
    let bin_dir = PathBuf::from(arg(&args, "--bin-dir").unwrap_or_else(|| "target/release".into()));
    let use_valgrind = !args.iter().any(|a| a == "--no-valgrind");

    let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let endpoints = Endpoints {
        region: env("AWS_REGION")?,
        moto: env("AWS_ENDPOINT_URL")?,
        dynamodb: env("AWS_ENDPOINT_URL_DYNAMODB")?,
    };
    let local = LocalValues {
        parameters: [(
            "PublicBaseUrl".to_owned(),
            "http://127.0.0.1:3000".to_owned(),
        )]
        .into(),
        region: endpoints.region.clone(),
        account: local_stack::ACCOUNT.into(),
        sqs_endpoint: endpoints.moto.clone(),
    };
    let template = template::load(Path::new("template.yaml"), &local)?;

    let mut targets = Vec::new();
    let me = template
        .functions
        .iter()
        .find(|f| f.binary == "me")
        .ok_or("no me function")?;
    for (label, binary) in [
        ("floor: hello-world lambda_http", "floor-hello"),
        ("floor: + default aws-config, DynamoDB GetItem", "floor-sdk"),
    ] {
        targets.push(Target {
            label: label.to_owned(),
            binary: bin_dir.join(binary),
            event: PathBuf::from("events/me/valid.json"),
            environment: lambda_environment(me, &endpoints),
        });
    }
    let mut functions = template.functions.clone();
    functions.sort_by(|a, b| a.binary.cmp(&b.binary));
    for function in &functions {
        targets.push(Target {
            label: function.binary.clone(),
            binary: bin_dir.join(&function.binary),
            event: PathBuf::from(format!("events/{}/valid.json", function.binary)),
            environment: lambda_environment(function, &endpoints),
        });
    }

    let shared = Shared::default();
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(answered),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(answered))
        .route("/2018-06-01/runtime/init/error", post(answered))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let api = listener
        .local_addr()
        .map_err(|e| e.to_string())?
        .to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });

    println!("| function | binary | init: start → first `/next`, median | start → first response, median | p90 | instructions to first response | first answer |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for target in &targets {
        let size = std::fs::metadata(&target.binary)
            .map(|m| m.len())
            .unwrap_or(0);
        let mut inits = Vec::new();
        let mut firsts = Vec::new();
        let mut status = None;
        // One unmeasured start warms the page cache, as a warm Lambda host would be.
        start_once(target, &shared, &api, None).await?;
        for _ in 0..runs {
            let (m, _) = start_once(target, &shared, &api, None).await?;
            inits.push(m.init);
            firsts.push(m.first_response);
            status = m.status;
        }
        let instructions = if use_valgrind {
            let out = std::env::temp_dir().join("shop-callgrind.out");
            let (_, stderr) = start_once(target, &shared, &api, Some(&out)).await?;
            let _ = std::fs::remove_file(&out);
            stderr
                .lines()
                .find_map(|l| l.split("Collected :").nth(1))
                .and_then(|n| n.trim().parse::<u64>().ok())
                .map(|n| format!("{:.2} M", n as f64 / 1e6))
                .unwrap_or_else(|| "n/a".to_owned())
        } else {
            "not measured".to_owned()
        };
        println!(
            "| {} | {:.2} MiB | {} ms | {} ms | {} ms | {} | {} |",
            target.label,
            size as f64 / 1_048_576.0,
            ms(quantile(&inits, 0.5)),
            ms(quantile(&firsts, 0.5)),
            ms(quantile(&firsts, 0.9)),
            instructions,
            status.map_or("-".to_owned(), |s| s.to_string()),
        );
    }
    Ok(())
}
