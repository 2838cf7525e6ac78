//! Helpers for the function crates' handler tests (a dev-dependency only, so the `shop`
//! library the functions run is the same whether tests are built or not): an
//! environment whose AWS endpoints are unreachable, API Gateway and SQS events loaded
//! from `events/`, and macros that write a handler test in a line (invoked under
//! `#[cfg(test)]`, as this crate is only there when tests are built).
//!
//! Handler tests use them for the paths that end before any AWS call (validation,
//! authentication); flows that reach AWS are tested end to end against the local stack.

use std::sync::Once;

use lambda_http::Request;
pub use serde_json::json;

/// Sets the variables every function reads, pointing AWS at a closed port.
pub fn offline_env() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for (name, value) in [
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
            ("AWS_MAX_ATTEMPTS", "1"),
            ("USERS_TABLE", "users"),
            ("SESSIONS_TABLE", "sessions"),
            ("GOODS_TABLE", "goods"),
            ("CARTS_TABLE", "carts"),
            ("ORDERS_TABLE", "orders"),
            ("IDEMPOTENCY_TABLE", "idempotency"),
            ("PAYMENTS_TABLE", "payments"),
            ("REVIEWS_TABLE", "reviews"),
            ("SEARCH_TABLE", "search"),
            ("RECOMMENDATIONS_TABLE", "recommendations"),
            ("BEHAVIOUR_TABLE", "behaviour"),
            ("EVENTS_QUEUE_URL", "http://127.0.0.1:9/000000000000/events"),
            (
                "PASSWORD_RESET_QUEUE_URL",
                "http://127.0.0.1:9/000000000000/password-resets",
            ),
            ("IMAGES_BUCKET", "images"),
            ("IMAGES_BASE_URL", "https://images.example.com"),
            ("MAIL_FROM", "shop@example.com"),
            ("PUBLIC_BASE_URL", "http://127.0.0.1:3000"),
        ] {
            // Safety of the environment: set once, before any test reads it.
            std::env::set_var(name, value);
        }
    });
}

/// Loads an API Gateway HTTP API (payload 2.0) event as a request.
///
/// # Panics
/// When the event is not valid (a broken fixture).
pub fn event(json: &str) -> Request {
    lambda_http::request::from_str(json).expect("a valid API Gateway v2 event")
}

/// A response's status and JSON body (`null` when it has none).
pub fn status_and_body(
    response: lambda_http::Response<lambda_http::Body>,
) -> (u16, serde_json::Value) {
    let body = match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text).expect("a JSON body"),
        _ => serde_json::Value::Null,
    };
    (response.status().as_u16(), body)
}

/// What a handler answers to the API Gateway event `event_json`, with its service built
/// offline by `build` (its errors rendered as the API renders them): a handler test in
/// one call.
pub async fn answer<S, E, F, Fut>(
    build: impl FnOnce() -> Result<S, E>,
    handler: F,
    event_json: &str,
) -> (u16, serde_json::Value)
where
    S: 'static,
    E: std::fmt::Debug,
    F: FnOnce(&'static S, Request) -> Fut,
    Fut: std::future::Future<
        Output = Result<lambda_http::Response<lambda_http::Body>, shop::ApiError>,
    >,
{
    offline_env();
    let service: &'static S = Box::leak(Box::new(build().expect("the service builds offline")));
    let response = handler(service, event(event_json))
        .await
        .unwrap_or_else(shop::ApiError::into_response);
    status_and_body(response)
}

/// Asserts that `actual` includes `expected`: every member of an `expected` object is in
/// `actual` and includes its value, recursively; any other value is equal.
///
/// # Panics
/// When it does not, with both bodies.
pub fn assert_includes(actual: &serde_json::Value, expected: &serde_json::Value) {
    fn includes(actual: &serde_json::Value, expected: &serde_json::Value) -> bool {
        match (actual, expected) {
            (serde_json::Value::Object(a), serde_json::Value::Object(e)) => e
                .iter()
                .all(|(k, v)| a.get(k).is_some_and(|got| includes(got, v))),
            _ => actual == expected,
        }
    }
    assert!(
        includes(actual, expected),
        "the body {actual} does not include {expected}"
    );
}

/// Asserts that the handler answers `event_json` (a request without a session) with 401
/// `unauthenticated`, before any AWS call.
///
/// # Panics
/// When it answers anything else.
pub async fn refuses_without_a_session<S, E, F, Fut>(
    build: impl FnOnce() -> Result<S, E>,
    handler: F,
    event_json: &str,
) where
    S: 'static,
    E: std::fmt::Debug,
    F: FnOnce(&'static S, Request) -> Fut,
    Fut: std::future::Future<
        Output = Result<lambda_http::Response<lambda_http::Body>, shop::ApiError>,
    >,
{
    let (status, body) = answer(build, handler, event_json).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unauthenticated", "{body}");
}

/// The events of the SQS batch `event_json`, asserting that every message is one.
///
/// # Panics
/// When the fixture is not an SQS event, or a message is not an event envelope.
pub fn well_formed_batch(event_json: &str) -> Vec<shop::consumer::Delivered> {
    let event = serde_json::from_str(event_json).expect("an SQS event");
    let batch = shop::consumer::Batch::parse(event);
    assert!(
        batch.response.batch_item_failures.is_empty(),
        "every message is an event"
    );
    batch.events
}

/// The messages an SQS consumer reports as failed for the batch in `event_json`,
/// sorted, with its AWS endpoints unreachable (for batches that fail before any call).
///
/// # Panics
/// When the fixture is not an SQS event, the service does not build or the handler errs.
pub async fn failed_messages<S, E, F, Fut>(
    build: impl FnOnce() -> Result<S, E>,
    handler: F,
    event_json: &str,
) -> Vec<String>
where
    S: 'static,
    E: std::fmt::Debug,
    F: FnOnce(
        &'static S,
        lambda_http::lambda_runtime::LambdaEvent<shop::consumer::SqsEvent>,
    ) -> Fut,
    Fut: std::future::Future<
        Output = Result<shop::consumer::SqsBatchResponse, lambda_http::lambda_runtime::Error>,
    >,
{
    offline_env();
    let service: &'static S = Box::leak(Box::new(build().expect("the service builds offline")));
    let event = serde_json::from_str(event_json).expect("an SQS event");
    let answer = handler(
        service,
        lambda_http::lambda_runtime::LambdaEvent::new(event, Default::default()),
    )
    .await
    .expect("the batch is answered");
    let mut failed: Vec<String> = answer
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier)
        .collect();
    failed.sort_unstable();
    failed
}

/// The API Gateway event `events/<this function>/<name>.json`, as a string, for the
/// function's handler tests (the function is the crate that expands it).
///
/// ```text
/// let event = shop_testing::fixture!("malformed");
/// ```
#[macro_export]
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../events/",
            env!("CARGO_PKG_NAME"),
            "/",
            $name,
            ".json"
        ))
    };
}

/// What the function's handler answers to its fixture `$name` (see [`fixture!`]), with
/// its service built offline: `(status, JSON body)`. Expects `Context` (with `from_env`)
/// and `handler` in scope.
///
/// ```text
/// let (status, body) = shop_testing::answer!("invalid-email");
/// ```
#[macro_export]
macro_rules! answer {
    ($name:literal) => {
        $crate::answer(Context::from_env, handler, $crate::fixture!($name)).await
    };
}

/// Handler tests, one per line: each names a fixture (see [`fixture!`]), the status
/// the handler answers it with, and JSON the body must include (every member given, at
/// any depth, with that value; see [`assert_includes`]). Expects `Context`
/// (with `from_env`) and `handler` at the crate root.
///
/// ```text
/// #[cfg(test)]
/// shop_testing::answers! {
///     a_link_without_a_token_is_invalid: "missing-token" => 400, {"error": {"code": "invalid_token"}};
/// }
/// ```
#[macro_export]
macro_rules! answers {
    ($($test:ident: $fixture:literal => $status:literal, $body:tt;)+) => {
        mod answers {
            use super::{handler, Context};
            $(
                #[tokio::test]
                async fn $test() {
                    let (status, body) = $crate::answer!($fixture);
                    assert_eq!(status, $status, "{body}");
                    $crate::assert_includes(&body, &$crate::json!($body));
                }
            )+
        }
    };
}

/// Consumer tests, one per line: each names an SQS fixture (see [`fixture!`]) and the
/// message ids the handler reports as failed, sorted, with AWS unreachable (so for
/// batches that fail before any call; see [`failed_messages`]). Expects
/// `Context` (with `from_env`) and `handler` at the crate root.
///
/// ```text
/// #[cfg(test)]
/// shop_testing::batch_answers! {
///     malformed_messages_are_reported: "malformed" => ["not-a-reset", "not-json"];
/// }
/// ```
#[macro_export]
macro_rules! batch_answers {
    ($($test:ident: $fixture:literal => [$($failed:literal),* $(,)?];)+) => {
        mod batch_answers {
            use super::{handler, Context};
            $(
                #[tokio::test]
                async fn $test() {
                    let event = $crate::fixture!($fixture);
                    let failed = $crate::failed_messages(Context::from_env, handler, event).await;
                    let expected: &[&str] = &[$($failed),*];
                    assert_eq!(failed, expected);
                }
            )+
        }
    };
}

/// The handler test every function that needs a session has: its
/// `events/<function>/no-session.json` is answered 401 `unauthenticated` before any AWS
/// call. Expects `Context` (with `from_env`) and `handler` at the crate root.
///
/// ```text
/// #[cfg(test)]
/// shop_testing::refuses_anonymous_callers!();
/// ```
#[macro_export]
macro_rules! refuses_anonymous_callers {
    () => {
        mod anonymous {
            #[tokio::test]
            async fn a_call_without_a_session_is_unauthenticated() {
                $crate::refuses_without_a_session(
                    super::Context::from_env,
                    super::handler,
                    $crate::fixture!("no-session"),
                )
                .await;
            }
        }
    };
}

/// The handler test of every function whose path names an id: its
/// `events/<function>/malformed-id.json` (an id we never issue) is answered 404
/// `not_found` before any AWS call. Expects `Context` (with `from_env`) and `handler` at
/// the crate root.
///
/// ```text
/// #[cfg(test)]
/// shop_testing::refuses_malformed_ids!();
/// ```
#[macro_export]
macro_rules! refuses_malformed_ids {
    () => {
        mod malformed_id {
            use super::{handler, Context};

            #[tokio::test]
            async fn an_id_we_never_issue_is_not_found_without_a_read() {
                let (status, body) = $crate::answer!("malformed-id");
                assert_eq!(status, 404, "{body}");
                assert_eq!(body["error"]["code"], "not_found", "{body}");
            }
        }
    };
}
