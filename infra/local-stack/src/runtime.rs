//! The Lambda Runtime API, served to real function binaries, and the scaling of their
//! instances as Lambda does it.
//!
//! Each function has a pool: invocations wait in one queue; every instance is a process
//! of the function's binary with its own Runtime API listener, taking one invocation
//! at a time from the queue (`GET …/invocation/next`) and answering it
//! (`POST …/invocation/{id}/response` or `/error`). A new instance starts when more
//! invocations wait than instances are idle, up to the pool's concurrency limit;
//! beyond it, invocations queue. An invocation over the function's timeout kills its
//! instance; one whose instance dies fails, as does the one that triggered a cold
//! start whose init failed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::{oneshot, watch, Notify};

use crate::template::Function;

/// Where the emulators are, as every function instance is told.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// Region.
    pub region: String,
    /// moto (SQS, Secrets Manager; SES too unless [`Endpoints::ses`] is given).
    pub moto: String,
    /// A moto of its own for SES (`AWS_ENDPOINT_URL_SES`), so that reading the sent mail
    /// (moto's whole state as one document) doesn't serialise every queue's messages.
    pub ses: Option<String>,
    /// DynamoDB Local.
    pub dynamodb: String,
}

impl Endpoints {
    /// The region and the emulators' endpoints, as the SDK's environment names them.
    fn variables(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::from([
            ("AWS_REGION".to_owned(), self.region.clone()),
            ("AWS_DEFAULT_REGION".to_owned(), self.region.clone()),
            ("AWS_ENDPOINT_URL".to_owned(), self.moto.clone()),
            (
                "AWS_ENDPOINT_URL_DYNAMODB".to_owned(),
                self.dynamodb.clone(),
            ),
        ]);
        if let Some(ses) = &self.ses {
            env.insert("AWS_ENDPOINT_URL_SES".to_owned(), ses.clone());
        }
        env
    }
}

/// The `LOCAL_ENV_<NAME>` variables of this process, as `<NAME>`: overrides for every
/// function.
fn local_overrides() -> impl Iterator<Item = (String, String)> {
    std::env::vars().filter_map(|(k, v)| Some((k.strip_prefix("LOCAL_ENV_")?.to_owned(), v)))
}

/// The environment of an instance of `function`, as Lambda would set it: the template's
/// variables, Lambda's own, the emulators' endpoints, the caller's credentials and
/// `PATH`, then any `LOCAL_ENV_<NAME>` override.
pub fn lambda_environment(function: &Function, endpoints: &Endpoints) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for name in [
        "PATH",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        if let Ok(value) = std::env::var(name) {
            env.insert(name.to_owned(), value);
        }
    }
    env.extend(endpoints.variables());
    let fixed = [
        ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023".to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        ("AWS_LAMBDA_FUNCTION_NAME", function.name.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            function.memory_mb.to_string(),
        ),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", function.name),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "local".to_owned()),
        ("_HANDLER", "bootstrap".to_owned()),
        ("TZ", ":UTC".to_owned()),
    ];
    env.extend(fixed.into_iter().map(|(k, v)| (k.to_owned(), v)));
    env.extend(function.environment.clone());
    env.extend(local_overrides());
    env
}

/// One environment for all of `functions`, as `cargo lambda watch --env-file` takes it
/// (`KEY=VALUE` lines): the emulators' endpoints, every function's template variables and
/// the `LOCAL_ENV_<NAME>` overrides; cargo-lambda sets Lambda's own variables itself.
///
/// # Errors
/// A variable two functions give different values, named.
pub fn shared_environment(functions: &[Function], endpoints: &Endpoints) -> Result<String, String> {
    let mut env = endpoints.variables();
    for function in functions {
        for (name, value) in &function.environment {
            match env.get(name) {
                Some(other) if other != value => {
                    return Err(format!(
                        "{name} is {other:?} for one function and {value:?} for {}",
                        function.name
                    ));
                }
                _ => {
                    env.insert(name.clone(), value.clone());
                }
            }
        }
    }
    env.extend(local_overrides());
    Ok(env.iter().map(|(k, v)| format!("{k}={v}\n")).collect())
}

/// Why an invocation produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeError {
    /// The handler reported an error (its body).
    Function(String),
    /// The instance exited or its init failed.
    Crashed,
    /// The function's timeout passed.
    Timeout,
}

/// Where an invocation's answer goes.
type Reply = oneshot::Sender<Result<Bytes, InvokeError>>;

struct Invocation {
    id: String,
    payload: Bytes,
    reply: Reply,
}

/// The instances of one function.
pub struct Pool {
    /// The function as the template declares it.
    pub function: Function,
    binary: PathBuf,
    environment: BTreeMap<String, String>,
    sender: async_channel::Sender<Invocation>,
    receiver: async_channel::Receiver<Invocation>,
    queued: AtomicUsize,
    idle: AtomicUsize,
    instances: AtomicUsize,
    max_instances: usize,
    arn: String,
}

impl Pool {
    /// A pool for `function`, whose instances run `binary` with `environment`.
    pub fn new(
        function: Function,
        binary: PathBuf,
        environment: BTreeMap<String, String>,
        max_instances: usize,
        region: &str,
    ) -> Arc<Self> {
        let (sender, receiver) = async_channel::unbounded();
        let arn = format!(
            "arn:aws:lambda:{region}:123456789012:function:{}",
            function.name
        );
        Arc::new(Self {
            function,
            binary,
            environment,
            sender,
            receiver,
            queued: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            instances: AtomicUsize::new(0),
            max_instances: max_instances.max(1),
            arn,
        })
    }

    /// Invokes the function and waits for its answer.
    ///
    /// # Errors
    /// [`InvokeError`] when the handler failed, its instance died or it timed out.
    pub async fn invoke(self: &Arc<Self>, payload: Bytes) -> Result<Bytes, InvokeError> {
        let (reply, answer) = oneshot::channel();
        let invocation = Invocation {
            id: ulid::Ulid::new().to_string().to_lowercase(),
            payload,
            reply,
        };
        self.queued.fetch_add(1, Ordering::SeqCst);
        self.sender
            .send(invocation)
            .await
            .map_err(|_| InvokeError::Crashed)?;
        self.scale();
        answer.await.unwrap_or(Err(InvokeError::Crashed))
    }

    /// Starts an instance when more invocations wait than instances are idle.
    fn scale(self: &Arc<Self>) {
        loop {
            let waiting = self.queued.load(Ordering::SeqCst);
            let idle = self.idle.load(Ordering::SeqCst);
            let running = self.instances.load(Ordering::SeqCst);
            let starting_needed = waiting > idle && running < self.max_instances;
            if !starting_needed {
                return;
            }
            if self
                .instances
                .compare_exchange(running, running + 1, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                let pool = Arc::clone(self);
                // An idle slot is counted for the new instance until it asks for work, so
                // a burst starts as many instances as it needs, not one per request.
                self.idle.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move { pool.run_instance().await });
            }
        }
    }

    async fn run_instance(self: Arc<Self>) {
        let instance = Arc::new(Instance {
            current: Mutex::new(None),
            reserved: AtomicBool::new(true),
            kill: Notify::new(),
            dead: watch::channel(false).0,
        });
        let outcome = self.clone().serve_instance(instance.clone()).await;
        instance.dead.send_replace(true);
        if let Err(e) = outcome {
            eprintln!("[{}] instance failed to start: {e}", self.function.name);
        }
        if instance.reserved.swap(false, Ordering::SeqCst) {
            // Never took work: its reserved idle slot goes, and the invocation that
            // triggered the cold start fails, as Lambda fails it on an init error.
            self.idle.fetch_sub(1, Ordering::SeqCst);
            if let Ok(invocation) = self.receiver.try_recv() {
                self.queued.fetch_sub(1, Ordering::SeqCst);
                let _ = invocation.reply.send(Err(InvokeError::Crashed));
            }
        }
        if let Some((_, reply)) = instance.current.lock().expect("lock").take() {
            let _ = reply.send(Err(InvokeError::Crashed));
        }
        self.instances.fetch_sub(1, Ordering::SeqCst);
        self.scale();
    }

    async fn serve_instance(self: Arc<Self>, instance: Arc<Instance>) -> std::io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(respond),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(fail))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state((self.clone(), instance.clone()));
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let mut child = Command::new(&self.binary)
            .env_clear()
            .envs(&self.environment)
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let name = self.function.name.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    crate::console::function_line(&name, &line);
                }
            });
        }
        tokio::select! {
            _ = child.wait() => {}
            _ = instance.kill.notified() => { let _ = child.kill().await; }
        }
        server.abort();
        Ok(())
    }
}

struct Instance {
    current: Mutex<Option<(String, Reply)>>,
    /// The idle slot counted for it when it was started, until its first ask for work
    /// claims it or its end releases it: exactly one of the two, whatever the order (a
    /// process killed just as its first ask arrives must not release the slot twice).
    reserved: AtomicBool,
    kill: Notify,
    /// Set when the process has exited, to end its pending wait for work.
    dead: watch::Sender<bool>,
}

type RuntimeState = (Arc<Pool>, Arc<Instance>);

/// Un-counts an idle instance however its wait for work ends.
struct IdleSlot<'a>(&'a AtomicUsize);

impl Drop for IdleSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn next(State((pool, instance)): State<RuntimeState>) -> Response {
    if *instance.dead.borrow() {
        // An ask that arrives after the process ended: its end has settled the counts.
        return StatusCode::GONE.into_response();
    }
    if !instance.reserved.swap(false, Ordering::SeqCst) {
        // The first ask uses the idle slot reserved when the instance was started.
        pool.idle.fetch_add(1, Ordering::SeqCst);
    }
    let slot = IdleSlot(&pool.idle);
    let mut dead = instance.dead.subscribe();
    let invocation = tokio::select! {
        received = pool.receiver.recv() => match received {
            Ok(invocation) => invocation,
            Err(_) => return StatusCode::GONE.into_response(),
        },
        _ = dead.wait_for(|dead| *dead) => return StatusCode::GONE.into_response(),
    };
    drop(slot);
    pool.queued.fetch_sub(1, Ordering::SeqCst);

    let timeout = Duration::from_secs(pool.function.timeout_secs);
    let deadline_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_add(timeout)
        .as_millis();
    let id = invocation.id.clone();
    *instance.current.lock().expect("lock") = Some((id.clone(), invocation.reply));
    let watchdog = instance.clone();
    let watched = id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(timeout).await;
        let mut current = watchdog.current.lock().expect("lock");
        if current.as_ref().is_some_and(|(id, _)| *id == watched) {
            if let Some((_, reply)) = current.take() {
                let _ = reply.send(Err(InvokeError::Timeout));
            }
            watchdog.kill.notify_one();
        }
    });

    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    };
    set("lambda-runtime-aws-request-id", id);
    set("lambda-runtime-deadline-ms", deadline_ms.to_string());
    set("lambda-runtime-invoked-function-arn", pool.arn.clone());
    set(
        "lambda-runtime-trace-id",
        format!("Root=1-{}", ulid::Ulid::new()),
    );
    set("content-type", "application/json".to_owned());
    (StatusCode::OK, headers, invocation.payload).into_response()
}

fn finish(instance: &Instance, id: &str, result: Result<Bytes, InvokeError>) -> StatusCode {
    let mut current = instance.current.lock().expect("lock");
    match current.take() {
        Some((current_id, reply)) if current_id == id => {
            let _ = reply.send(result);
            StatusCode::ACCEPTED
        }
        other => {
            *current = other;
            StatusCode::BAD_REQUEST
        }
    }
}

async fn respond(
    State((_, instance)): State<RuntimeState>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    finish(&instance, &id, Ok(body))
}

async fn fail(
    State((pool, instance)): State<RuntimeState>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let text = String::from_utf8_lossy(&body).into_owned();
    eprintln!("[{}] invocation {id} failed: {text}", pool.function.name);
    finish(&instance, &id, Err(InvokeError::Function(text)))
}

async fn init_error(State((pool, instance)): State<RuntimeState>, body: Bytes) -> StatusCode {
    eprintln!(
        "[{}] init failed: {}",
        pool.function.name,
        String::from_utf8_lossy(&body)
    );
    instance.kill.notify_one();
    StatusCode::ACCEPTED
}
