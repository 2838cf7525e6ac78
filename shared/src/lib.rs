//! The shop's shared crate: everything the Lambda functions have in common.
//!
//! # Layout
//! One module per capability, each holding its domain types, its rules and its
//! repository (key layout in the repository's header):
//! - [`accounts`]: users, credentials, sessions.
//! - [`catalogue`]: goods and their stock.
//! - [`cart`]: the customer's cart.
//! - [`orders`]: placing orders and their lifecycle.
//! - [`payments`]: payment orders, refunds, the provider and its webhook.
//! - [`reviews`]: reviews, replies and rating summaries.
//! - [`search`]: the keyword search index: text analysis, indexing and top-k retrieval.
//! - [`recs`]: recommendations: the item-to-item model and its DynamoDB store.
//!
//! The edge they share:
//! - [`entry`]: the whole `main` of every function.
//! - [`http`]: JSON bodies in, JSON responses out, the handler runner.
//! - [`auth`]: session tokens and the caller's identity.
//! - [`error`]: the one API error type and its contract body.
//! - [`aws`]: one AWS SDK configuration and the clients built from it.
//! - [`config`]: environment variables read once per cold start.
//! - [`events`]: the event envelope and its SQS publisher.
//! - [`consumer`]: SQS batches in, partial batch failures out.
//! - [`stream`]: DynamoDB Streams batches in, the first failed record out.
//! - [`cursor`]: the one codec of every listing's cursors.
//! - [`idempotency`]: claims on `Idempotency-Key`s and the answers they replay.
//! - [`telemetry`]: structured JSON logs; [`metrics`]: AWS requests per invocation.
//! - [`store`]: DynamoDB helpers every repository uses (errors, transactions, batches).
//! - [`mail`]: outgoing email through SES.
//! - [`ids`], [`money`], [`clock`]: ids, prices and time as the API speaks them.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod aws;
pub mod cart;
pub mod catalogue;
pub mod clock;
pub mod config;
pub mod consumer;
pub mod cursor;
pub mod entry;
pub mod error;
pub mod events;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod mail;
pub mod metrics;
pub mod money;
pub mod orders;
pub mod payments;
pub mod recs;
pub mod reviews;
pub mod search;
pub mod store;
pub mod stream;
pub mod telemetry;

pub use error::ApiError;

#[cfg(feature = "testing")]
pub mod testing;

/// The API Gateway event `events/<this function>/<name>.json`, as a string, for the
/// function's handler tests (the function is the crate that expands it).
///
/// ```text
/// let event = shop::fixture!("malformed");
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
/// let (status, body) = shop::answer!("invalid-email");
/// ```
#[macro_export]
macro_rules! answer {
    ($name:literal) => {
        $crate::testing::answer(Context::from_env, handler, $crate::fixture!($name)).await
    };
}

/// Handler tests, one per line: each names a fixture (see [`fixture!`]), the status
/// the handler answers it with, and JSON the body must include (every member given, at
/// any depth, with that value; see [`testing::assert_includes`]). Expects `Context`
/// (with `from_env`) and `handler` at the crate root.
///
/// ```text
/// shop::answers! {
///     a_link_without_a_token_is_invalid: "missing-token" => 400, {"error": {"code": "invalid_token"}};
/// }
/// ```
#[macro_export]
macro_rules! answers {
    ($($test:ident: $fixture:literal => $status:literal, $body:tt;)+) => {
        #[cfg(test)]
        mod answers {
            use super::{handler, Context};
            $(
                #[tokio::test]
                async fn $test() {
                    let (status, body) = $crate::answer!($fixture);
                    assert_eq!(status, $status, "{body}");
                    $crate::testing::assert_includes(&body, &$crate::testing::json!($body));
                }
            )+
        }
    };
}

/// Consumer tests, one per line: each names an SQS fixture (see [`fixture!`]) and the
/// message ids the handler reports as failed, sorted, with AWS unreachable (so for
/// batches that fail before any call; see [`testing::failed_messages`]). Expects
/// `Context` (with `from_env`) and `handler` at the crate root.
///
/// ```text
/// shop::batch_answers! {
///     malformed_messages_are_reported: "malformed" => ["not-a-reset", "not-json"];
/// }
/// ```
#[macro_export]
macro_rules! batch_answers {
    ($($test:ident: $fixture:literal => [$($failed:literal),* $(,)?];)+) => {
        #[cfg(test)]
        mod batch_answers {
            use super::{handler, Context};
            $(
                #[tokio::test]
                async fn $test() {
                    let event = $crate::fixture!($fixture);
                    let failed = $crate::testing::failed_messages(Context::from_env, handler, event).await;
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
/// shop::refuses_anonymous_callers!();
/// ```
#[macro_export]
macro_rules! refuses_anonymous_callers {
    () => {
        #[cfg(test)]
        mod anonymous {
            #[tokio::test]
            async fn a_call_without_a_session_is_unauthenticated() {
                $crate::testing::refuses_without_a_session(
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
/// shop::refuses_malformed_ids!();
/// ```
#[macro_export]
macro_rules! refuses_malformed_ids {
    () => {
        #[cfg(test)]
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
