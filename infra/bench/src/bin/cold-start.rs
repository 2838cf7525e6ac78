//! Cold starts, measured the way Lambda pays for them: from process start to the
//! runtime's first `GET …/invocation/next` (init) and to its first response, through a
//! Runtime API of our own, for every function of the template and the floors.
//!
//! First each binary runs `--rss-invocations` invocations (1,000) of its event in one
//! process, for its peak resident memory (`VmHWM`) after them; that also warms what the
//! cold starts talk to. Then `--runs` rounds of cold starts, each round starting every
//! binary once (so that drift in the machine's load falls on all alike), and the median
//! of each. Then, once each under valgrind's callgrind, the instructions executed from
//! process start to the first response (and the runtime's exit, which follows at once),
//! a figure machine noise doesn't move. With `--lambda-dir` (`infra/release.sh`'s
//! `target/lambda/arm64`), the size of each deployable zip.
//!
//! Usage: `cold-start [--runs N] [--bin-dir DIR] [--no-valgrind] [--rss-invocations N]
//! [--lambda-dir DIR] [--csv PATH] [--only FUNCTION,…]`, run from the repository root
//! with the emulators' endpoints in the environment. Prints Markdown (and the figures as
//! CSV, for charts).

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
use bench::{arg, ms, parsed_arg, peak_rss_kb, quantile};
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
    /// Invocations to hand out; after them the runtime's next `GET /next` fails (and it
    /// exits) or, with `hold`, waits forever (so the process can be inspected).
    invocations: usize,
    handed_out: usize,
    answers: usize,
    hold: bool,
}

#[derive(Clone, Default)]
struct Shared {
    run: Arc<Mutex<Run>>,
    done: Arc<Notify>,
}

async fn next(State(shared): State<Shared>) -> Response {
    let hold = {
        let mut run = shared.run.lock().unwrap();
        if run.handed_out < run.invocations {
            run.handed_out += 1;
            run.next_at.get_or_insert_with(Instant::now);
            None
        } else {
            Some(run.hold)
        }
    };
    match hold {
        None => {}
        Some(true) => std::future::pending::<()>().await,
        // No further invocation: the runtime fails to read one and exits.
        Some(false) => return StatusCode::GONE.into_response(),
    }
    let run = shared.run.lock().unwrap();
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
    let all = {
        let mut run = shared.run.lock().unwrap();
        run.answered_at.get_or_insert_with(Instant::now);
        run.status = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["statusCode"].as_u64())
            .map(|s| s as u16);
        run.answers += 1;
        run.answers == run.invocations
    };
    if all {
        shared.done.notify_one();
    }
    StatusCode::ACCEPTED
}

struct Target {
    label: String,
    /// The binary's name (the artifact's directory under `--lambda-dir`).
    binary_name: String,
    binary: PathBuf,
    event: PathBuf,
    environment: BTreeMap<String, String>,
}

struct Measured {
    init: Duration,
    first_response: Duration,
    status: Option<u16>,
    /// Peak resident memory after all the invocations, kB (with more than one).
    peak_rss_kb: Option<u64>,
}

/// How a start is run.
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// One invocation, timed.
    Cold,
    /// One invocation under callgrind, writing to this file.
    Callgrind(&'a Path),
    /// This many invocations, then the process's peak resident memory.
    Rss(usize),
}

async fn start_once(
    target: &Target,
    shared: &Shared,
    api: &str,
    mode: Mode<'_>,
) -> Result<(Measured, String), String> {
    let valgrind = match mode {
        Mode::Callgrind(out) => Some(out),
        _ => None,
    };
    let invocations = match mode {
        Mode::Rss(n) => n,
        _ => 1,
    };
    *shared.run.lock().unwrap() = Run {
        event: Bytes::from(
            std::fs::read(&target.event).map_err(|e| format!("{}: {e}", target.event.display()))?,
        ),
        started: Some(Instant::now()),
        invocations,
        hold: matches!(mode, Mode::Rss(_)),
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
    let limit = match mode {
        Mode::Cold => 15,
        Mode::Callgrind(_) => 120,
        Mode::Rss(n) => 15 + n as u64,
    };
    tokio::time::timeout(Duration::from_secs(limit), shared.done.notified())
        .await
        .map_err(|_| format!("{} never answered", target.label))?;
    let peak_rss_kb = match mode {
        Mode::Rss(_) => child.id().and_then(peak_rss_kb),
        _ => None,
    };
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
            peak_rss_kb,
        },
        stderr,
    ))
}

/// Each target of the report (instructions ≤ 6 M, start → first response ≤ the
/// hello-world floor + 3 ms, peak RSS ≤ 64 MiB), with the functions that miss it.
fn summary(results: &[(String, Duration, Option<u64>, Option<u64>)]) {
    let hello = results
        .iter()
        .find(|r| r.0.starts_with("floor: hello"))
        .map_or(Duration::ZERO, |r| r.1);
    let functions: Vec<_> = results
        .iter()
        .filter(|r| !r.0.starts_with("floor"))
        .collect();
    let bound = hello + Duration::from_millis(3);
    let list = |misses: Vec<String>| {
        if misses.is_empty() {
            "every function meets it".to_owned()
        } else {
            format!("missed by {}", misses.join(", "))
        }
    };
    println!();
    println!(
        "- instructions to first response ≤ 6 M: {}.",
        list(
            functions
                .iter()
                .filter_map(|r| r.2.filter(|&n| n > 6_000_000).map(|n| (r, n)))
                .map(|(r, n)| format!("{} ({:.2} M)", r.0, n as f64 / 1e6))
                .collect()
        )
    );
    println!(
        "- start → first response ≤ hello-world floor + 3 ms ({} ms): {}.",
        ms(bound),
        list(
            functions
                .iter()
                .filter(|r| r.1 > bound)
                .map(|r| format!("{} ({} ms)", r.0, ms(r.1)))
                .collect()
        )
    );
    println!(
        "- peak RSS ≤ 64 MiB: {}.",
        list(
            functions
                .iter()
                .filter_map(|r| r.3.filter(|&kb| kb > 64 * 1024).map(|kb| (r, kb)))
                .map(|(r, kb)| format!("{} ({:.1} MiB)", r.0, kb as f64 / 1024.0))
                .collect()
        )
    );
}

/// A release artifact's size, zipped and unpacked (bytes).
fn artifact_sizes(zip: &Path) -> Option<(u64, u64)> {
    let zipped = std::fs::metadata(zip).ok()?.len();
    let listing = std::process::Command::new("unzip")
        .arg("-l")
        .arg(zip)
        .output()
        .ok()?;
    let unpacked = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .last()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some((zipped, unpacked))
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / 1_048_576.0)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let runs: usize = parsed_arg("--runs", 20)?;
    let bin_dir = PathBuf::from(arg("--bin-dir").unwrap_or_else(|| "target/release".into()));
    let use_valgrind = !std::env::args().any(|a| a == "--no-valgrind");
    let rss_invocations: usize = parsed_arg("--rss-invocations", 1000)?;
    let lambda_dir = arg("--lambda-dir").map(PathBuf::from);

    let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let endpoints = Endpoints {
        region: env("AWS_REGION")?,
        moto: env("AWS_ENDPOINT_URL")?,
        dynamodb: env("AWS_ENDPOINT_URL_DYNAMODB")?,
        ses: std::env::var("AWS_ENDPOINT_URL_SES").ok(),
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
        ("floor: + shop::aws, DynamoDB GetItem", "floor-lean"),
    ] {
        targets.push(Target {
            label: label.to_owned(),
            binary_name: binary.to_owned(),
            binary: bin_dir.join(binary),
            event: PathBuf::from("events/me/valid.json"),
            environment: lambda_environment(me, &endpoints),
        });
    }
    let mut functions = template.functions.clone();
    functions.sort_by(|a, b| a.binary.cmp(&b.binary));
    if let Some(only) = arg("--only") {
        let only: Vec<&str> = only.split(',').collect();
        functions.retain(|f| only.contains(&f.binary.as_str()));
    }
    for function in &functions {
        targets.push(Target {
            label: function.binary.clone(),
            binary_name: function.binary.clone(),
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

    println!("| function | arm64 zip | unpacked | init: start → first `/next`, median | start → first response, median | p90 | instructions to first response | peak RSS after {rss_invocations} invocations | first answer |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut csv = String::from("function,init_ms,first_response_ms,instructions,peak_rss_kb\n");

    // Peak memory first: 1,000 invocations of every target also warm what the cold starts
    // talk to (DynamoDB Local's JIT, the page cache), as a busy Lambda fleet's would be.
    let mut rss = Vec::new();
    for target in &targets {
        rss.push(if rss_invocations > 0 {
            start_once(target, &shared, &api, Mode::Rss(rss_invocations))
                .await?
                .0
                .peak_rss_kb
        } else {
            start_once(target, &shared, &api, Mode::Cold).await?;
            None
        });
    }

    // Cold starts in rounds, every target once a round, so that drift in the machine's
    // load or in the emulators falls on every target alike.
    let mut inits = vec![Vec::new(); targets.len()];
    let mut firsts = vec![Vec::new(); targets.len()];
    let mut statuses = vec![None; targets.len()];
    for _ in 0..runs {
        for (i, target) in targets.iter().enumerate() {
            let (m, _) = start_once(target, &shared, &api, Mode::Cold).await?;
            inits[i].push(m.init);
            firsts[i].push(m.first_response);
            statuses[i] = m.status;
        }
    }

    // (label, first response, instructions, peak RSS kB) of each function, for the summary.
    let mut results: Vec<(String, Duration, Option<u64>, Option<u64>)> = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let instructions = if use_valgrind {
            let out = std::env::temp_dir().join("shop-callgrind.out");
            let (_, stderr) = start_once(target, &shared, &api, Mode::Callgrind(&out)).await?;
            let _ = std::fs::remove_file(&out);
            stderr
                .lines()
                .find_map(|l| l.split("Collected :").nth(1))
                .and_then(|n| n.trim().parse::<u64>().ok())
        } else {
            None
        };
        let (zip, unpacked) = lambda_dir
            .as_deref()
            .and_then(|dir| artifact_sizes(&dir.join(&target.binary_name).join("bootstrap.zip")))
            .map_or(("-".to_owned(), "-".to_owned()), |(z, u)| (mib(z), mib(u)));
        let (init, first) = (quantile(&inits[i], 0.5), quantile(&firsts[i], 0.5));
        println!(
            "| {} | {zip} | {unpacked} | {} ms | {} ms | {} ms | {} | {} | {} |",
            target.label,
            ms(init),
            ms(first),
            ms(quantile(&firsts[i], 0.9)),
            instructions.map_or("-".to_owned(), |n| format!("{:.2} M", n as f64 / 1e6)),
            rss[i].map_or("-".to_owned(), |kb| format!(
                "{:.1} MiB",
                kb as f64 / 1024.0
            )),
            statuses[i].map_or("-".to_owned(), |s| s.to_string()),
        );
        results.push((target.label.clone(), first, instructions, rss[i]));
        csv.push_str(&format!(
            "\"{}\",{:.3},{:.3},{},{}\n",
            target.label,
            init.as_secs_f64() * 1e3,
            first.as_secs_f64() * 1e3,
            instructions.unwrap_or(0),
            rss[i].unwrap_or(0),
        ));
    }
    summary(&results);
    if let Some(path) = arg("--csv") {
        std::fs::write(&path, csv).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}
