//! Lambda entry points: the whole `main` of each kind of function, so that a function's
//! `main.rs` is one call naming its service and its handler.
//!
//! Each builds a current-thread Tokio runtime (a Lambda instance serves one request at a
//! time), installs the JSON logs, builds the service once per cold start (a missing
//! variable fails here, naming it, never on a request) and keeps it for the life of the
//! process, as Lambda keeps the instance.

use std::future::Future;
use std::pin::Pin;

use lambda_http::lambda_runtime::{self, LambdaEvent};
use lambda_http::{Body, Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::http::Answer;

/// The error a Lambda entry point ends with.
pub type Error = lambda_runtime::Error;

/// The built service, kept for the life of the process; or its error, logged in words
/// (as Lambda shows an init error).
fn keep<S, E: Into<Error>>(built: Result<S, E>) -> Result<&'static S, Error> {
    match built {
        Ok(service) => Ok(Box::leak(Box::new(service))),
        Err(e) => {
            let e: Error = e.into();
            tracing::error!(error = %crate::error::ErrorChain(e.as_ref()), "the service could not be built");
            Err(e)
        }
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Runs an HTTP function (API Gateway payload 2.0): `handler` answers each request, its
/// errors become the contract's error bodies (see [`crate::http::run`]).
///
/// # Errors
/// When the service can't be built or the Lambda runtime fails.
pub fn http<S, E, F, Fut>(build: impl FnOnce() -> Result<S, E>, handler: F) -> Result<(), Error>
where
    S: Sync + 'static,
    E: Into<Error>,
    F: Fn(&'static S, Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>> + Send + 'static,
{
    http_init(|| std::future::ready(build()), handler)
}

/// Runs an HTTP function like [`http`] whose service is built by an async `build` (one
/// that reads from AWS at cold start, such as a secret), in Lambda's init phase.
///
/// # Errors
/// When the service can't be built or the Lambda runtime fails.
pub fn http_init<S, E, B, BFut, F, Fut>(build: B, handler: F) -> Result<(), Error>
where
    S: Sync + 'static,
    E: Into<Error>,
    B: FnOnce() -> BFut,
    BFut: Future<Output = Result<S, E>>,
    F: Fn(&'static S, Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>> + Send + 'static,
{
    runtime()?.block_on(async {
        crate::telemetry::init();
        let service = keep(build().await)?;
        crate::http::run(&|req| -> Answer { Box::pin(handler(service, req)) }).await
    })
}

/// Runs an event-driven function (an SQS event source, a schedule): `handler` answers
/// each event.
///
/// # Errors
/// When the service can't be built or the Lambda runtime fails.
pub fn events<S, E, F, Fut, In, Out>(
    build: impl FnOnce() -> Result<S, E>,
    handler: F,
) -> Result<(), Error>
where
    S: Sync + 'static,
    E: Into<Error>,
    F: Fn(&'static S, LambdaEvent<In>) -> Fut,
    Fut: Future<Output = Result<Out, Error>> + 'static,
    In: DeserializeOwned + Send + 'static,
    Out: Serialize + Send + 'static,
{
    events_init(|| std::future::ready(build()), handler)
}

/// Runs an event-driven function like [`events`] whose service is built by an async
/// `build` (one that reads a secret at cold start), in Lambda's init phase.
///
/// # Errors
/// When the service can't be built or the Lambda runtime fails.
pub fn events_init<S, E, B, BFut, F, Fut, In, Out>(build: B, handler: F) -> Result<(), Error>
where
    S: Sync + 'static,
    E: Into<Error>,
    B: FnOnce() -> BFut,
    BFut: Future<Output = Result<S, E>>,
    F: Fn(&'static S, LambdaEvent<In>) -> Fut,
    Fut: Future<Output = Result<Out, Error>> + 'static,
    In: DeserializeOwned + Send + 'static,
    Out: Serialize + Send + 'static,
{
    runtime()?.block_on(async {
        crate::telemetry::init();
        let service = keep(build().await)?;
        run_events(&|event: LambdaEvent<Value>| -> EventAnswer {
            let (payload, context) = event.into_parts();
            match serde_json::from_value(payload) {
                Ok(payload) => {
                    let answer = handler(service, LambdaEvent::new(payload, context));
                    Box::pin(async move { Ok(serde_json::to_value(answer.await?)?) })
                }
                Err(e) => Box::pin(std::future::ready(Err(e.into()))),
            }
        })
        .await
    })
}

/// An event handler's answer, boxed, its event and its output as JSON: every event
/// function's handler is erased to `Fn(LambdaEvent<Value>) -> EventAnswer`, so that
/// [`run_events`] (the Lambda runtime and its HTTP client) is compiled once, in this
/// crate, and not again in each function's binary (see [`crate::http::Answer`]). The
/// event is typed by the handler's wrapper: one conversion from `Value`, microseconds
/// beside the AWS requests a batch makes.
type EventAnswer = Pin<Box<dyn Future<Output = Result<Value, Error>>>>;

/// Runs the Lambda runtime with an erased event handler (see [`EventAnswer`]).
async fn run_events(handler: &dyn Fn(LambdaEvent<Value>) -> EventAnswer) -> Result<(), Error> {
    lambda_runtime::run(lambda_runtime::service_fn(handler)).await
}
