//! `local-stack`: provisions the emulators from `template.yaml` and serves its HTTP API.
//!
//! Configuration (environment):
//! - `AWS_ENDPOINT_URL` (moto: SQS, Secrets Manager), `AWS_ENDPOINT_URL_SES` (moto for
//!   SES alone, whose sent mail the console prints) and `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB Local),
//!   `AWS_REGION`, dummy credentials: passed on to every function as well.
//! - `LOCAL_API_ADDR` (default `127.0.0.1:3000`), `LOCAL_TEMPLATE` (`template.yaml`),
//!   `LOCAL_BIN_DIR` (`target/debug`), `LOCAL_MAX_CONCURRENCY` per function (10),
//!   `LOCAL_SCHEDULE_SECONDS` (run every schedule this often instead),
//!   `LOCAL_VISIBILITY_TIMEOUT_SECONDS` (every queue's visibility timeout, for tests),
//!   `LOCAL_SQS_POLLERS` (concurrent batches per SQS event source, default 5 as in AWS),
//!   `LOCAL_PARAM_<Name>` (a template parameter), `LOCAL_ENV_<NAME>` (a variable for
//!   every function), `LOCAL_PROVISION_ONLY=1` (create the resources, then exit),
//!   `LOCAL_LAMBDA_ENV_FILE` (write one environment for every function there, for
//!   `cargo lambda watch --env-file`; see `infra/lambda-check.sh`),
//!   `LOCAL_OPENAPI` (the document served at `GET /openapi.json`, default `openapi.json`),
//!   `LOCAL_DOCS_DIR` (Swagger UI's assets for `GET /docs`, default `.local/swagger-ui`),
//!   `LOCAL_PROVIDER_ADDR` (where the payment simulator, the local payment provider, is
//!   started: default `127.0.0.1:3080`; a `LOCAL_PARAM_PaymentProviderUrl` of your own
//!   points the functions at another provider and starts none),
//!   `LOCAL_LOG` (`all`: every function's every line on the console, not only one line
//!   per request and batch; see [`local_stack::console`]), `LOCAL_LOG_DIR` (where each
//!   function's full log goes, default `.local/logs`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use local_stack::docs::Docs;
use local_stack::gateway::{self, Gateway};
use local_stack::provision::{provision, Emulators};
use local_stack::runtime::{lambda_environment, shared_environment, Endpoints, Pool};
use local_stack::template::{self, LocalValues};
use local_stack::triggers;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() -> ExitCode {
    local_stack::console::init_from_env();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("local-stack: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let api_addr: SocketAddr = env_or("LOCAL_API_ADDR", "127.0.0.1:3000")
        .parse()
        .map_err(|e| format!("LOCAL_API_ADDR: {e}"))?;
    let template_path = PathBuf::from(env_or("LOCAL_TEMPLATE", "template.yaml"));
    let bin_dir = PathBuf::from(env_or("LOCAL_BIN_DIR", "target/debug"));
    let max_instances: usize = env_or("LOCAL_MAX_CONCURRENCY", "10")
        .parse()
        .map_err(|e| format!("LOCAL_MAX_CONCURRENCY: {e}"))?;
    let region = env_or("AWS_REGION", "us-east-1");
    let moto = std::env::var("AWS_ENDPOINT_URL").map_err(|_| "AWS_ENDPOINT_URL is not set")?;
    let ses = std::env::var("AWS_ENDPOINT_URL_SES").ok();
    let dynamodb = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .map_err(|_| "AWS_ENDPOINT_URL_DYNAMODB is not set")?;

    let mut parameters: BTreeMap<String, String> = std::env::vars()
        .filter_map(|(k, v)| Some((k.strip_prefix("LOCAL_PARAM_")?.to_owned(), v)))
        .collect();
    parameters
        .entry("PublicBaseUrl".to_owned())
        .or_insert_with(|| format!("http://{api_addr}"));
    // The payment simulator plays the provider, unless another one is named.
    let provider_addr = env_or("LOCAL_PROVIDER_ADDR", "127.0.0.1:3080");
    let start_simulator = !parameters.contains_key("PaymentProviderUrl");
    parameters
        .entry("PaymentProviderUrl".to_owned())
        .or_insert_with(|| format!("http://{provider_addr}"));
    // Images are served from the bucket's path on moto, not from CloudFront.
    parameters
        .entry("ImagesEndpoint".to_owned())
        .or_insert_with(|| moto.trim_end_matches('/').to_owned());
    let local = LocalValues {
        parameters,
        region: region.clone(),
        account: local_stack::ACCOUNT.to_owned(),
        sqs_endpoint: moto.clone(),
    };
    let template = template::load(&template_path, &local)?;

    let aws = shop::aws::Aws::from_env().map_err(|e| e.to_string())?;
    let emulators = Emulators {
        dynamodb: dynamodb.clone(),
        region: region.clone(),
        sqs: aws.sqs(),
        ses: aws.ses(),
        secrets: aws.secrets_manager(),
        s3: aws.s3(),
    };
    provision(&template, &emulators).await?;
    let endpoints = Endpoints {
        region: region.clone(),
        moto: moto.clone(),
        ses: ses.clone(),
        dynamodb: dynamodb.clone(),
    };
    if let Ok(path) = std::env::var("LOCAL_LAMBDA_ENV_FILE") {
        let env = shared_environment(&template.functions, &endpoints)?;
        std::fs::write(&path, env).map_err(|e| format!("{path}: {e}"))?;
    }
    if std::env::var("LOCAL_PROVISION_ONLY").is_ok_and(|v| v == "1") {
        println!(
            "provisioned {} tables, {} queues, {} buckets",
            template.tables.len(),
            template.queues.len(),
            template.buckets.len()
        );
        return Ok(());
    }

    let mut pools = Vec::new();
    for function in &template.functions {
        let binary = bin_dir.join(&function.binary);
        if !binary.is_file() {
            return Err(format!(
                "{} has no binary at {} (build the workspace first)",
                function.name,
                binary.display()
            ));
        }
        let environment = lambda_environment(function, &endpoints);
        pools.push(Pool::new(
            function.clone(),
            binary,
            environment,
            // As in Lambda, a reservation also caps the function's concurrency.
            function
                .reserved_concurrency
                .map_or(max_instances, |reserved| reserved.min(max_instances)),
            &region,
        ));
    }

    // Kept for the life of the stack: it exits when the stack does (its stdin closes).
    let _simulator = if start_simulator {
        Some(start_payment_simulator(&bin_dir, &provider_addr, api_addr).await?)
    } else {
        None
    };

    let schedule_override: Option<u64> = std::env::var("LOCAL_SCHEDULE_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok());
    let pollers: usize = env_or("LOCAL_SQS_POLLERS", "5").parse().unwrap_or(5).max(1);
    for pool in &pools {
        for source in &pool.function.sqs {
            for _ in 0..pollers {
                tokio::spawn(triggers::poll_queue(
                    pool.clone(),
                    source.clone(),
                    aws.sqs(),
                    region.clone(),
                ));
            }
            println!("SQS    {:40} → {}", source.queue, pool.function.name);
        }
        for source in &pool.function.streams {
            tokio::spawn(local_stack::streams::poll_stream(
                pool.clone(),
                source.clone(),
                dynamodb.clone(),
                aws.sqs(),
                region.clone(),
            ));
            println!("STREAM {:40} → {}", source.table, pool.function.name);
        }
        for schedule in &pool.function.schedules {
            let every = schedule_override
                .map(Duration::from_secs)
                .unwrap_or(schedule.every);
            tokio::spawn(triggers::run_schedule(pool.clone(), every, region.clone()));
            println!(
                "{:6} {:40} → {} (every {every:?})",
                "CRON", schedule.expression, pool.function.name
            );
        }
    }
    tokio::spawn(local_stack::console::flush_every_second());
    tokio::spawn(triggers::show_emails(
        ses.clone().unwrap_or_else(|| moto.clone()),
    ));

    let openapi_path = env_or("LOCAL_OPENAPI", "openapi.json");
    let openapi = std::fs::read(&openapi_path)
        .ok()
        .map(axum::body::Bytes::from);
    if openapi.is_none() {
        eprintln!("local-stack: no {openapi_path}; GET /openapi.json will be 404");
    }
    let docs_dir = env_or("LOCAL_DOCS_DIR", ".local/swagger-ui");
    let docs = Docs::load(std::path::Path::new(&docs_dir))
        .map_err(|e| eprintln!("local-stack: GET /docs will be 404 ({e})"))
        .ok();
    let gateway = Arc::new(Gateway::new(&pools, openapi, docs));
    for line in gateway.describe() {
        println!("{line}");
    }
    let app = Router::new().fallback(gateway::handle).with_state(gateway);
    let listener = tokio::net::TcpListener::bind(api_addr)
        .await
        .map_err(|e| format!("{api_addr}: {e}"))?;
    println!("local stack ready: http://{api_addr} (API reference: http://{api_addr}/docs)");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
    .map_err(|e| e.to_string())
}

/// Starts the payment simulator on `addr`, sending its webhooks to the API at `api`, and
/// waits until it listens. Its stdin is a pipe held by this process: when the stack
/// exits, however it exits, the pipe closes and the simulator ends too.
async fn start_payment_simulator(
    bin_dir: &std::path::Path,
    addr: &str,
    api: SocketAddr,
) -> Result<tokio::process::Child, String> {
    let simulator = bin_dir.join("payment-simulator");
    let mut child = tokio::process::Command::new(&simulator)
        .args(["serve", "--exit-with-stdin", "--addr", addr, "--shop"])
        .arg(format!("http://{api}"))
        .stdin(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e} (build the workspace first)", simulator.display()))?;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(child);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "the payment simulator exited ({status}): is {addr} taken? (LOCAL_PROVIDER_ADDR)"
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!(
        "the payment simulator did not listen on {addr} within 5 s"
    ))
}
