//! `GET /search/suggest`: up to `limit` completions of the last, partly typed word of `q`,
//! drawn from the goods' names, the most common first (`blu` → `bluetooth speaker`,
//! `蓝牙` → `蓝牙耳机`). One Query on the index table, whatever the catalogue's size:
//! see `shop::search::suggest`.

use lambda_http::{Body, Request, Response};
use shop::aws::Aws;
use shop::config::ConfigError;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::search::api::{Suggestion, Suggestions};
use shop::search::index::SearchTable;
use shop::search::suggest::Typed;

/// Longest `q`, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Suggestions when `limit` isn't given.
pub const DEFAULT_LIMIT: usize = 8;
/// Most suggestions a call returns.
pub const MAX_LIMIT: usize = 20;

/// What the function needs, built once per cold start.
pub struct Context {
    index: SearchTable,
}

impl Context {
    /// Reads the configuration and builds the client.
    ///
    /// # Errors
    /// A missing or invalid variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            index: SearchTable::from_env(Aws::from_env()?.dynamodb())?,
        })
    }
}

fn invalid_query(message: &str) -> ApiError {
    ApiError::BadRequest {
        code: "invalid_query",
        message: message.to_owned(),
    }
}

/// Completions of the word being typed, the most common first.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let q = http::query_param(&req, "q").unwrap_or_default();
    if q.trim().is_empty() {
        return Err(invalid_query("q is required: what the shopper typed."));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(invalid_query("q is longer than 200 characters."));
    }
    let mut errors = FieldErrors::new();
    let limit = http::limit_param(&req, &mut errors, DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        errors.add("limit", "must be 1 to 20");
    }
    errors.into_result()?;
    let items = match Typed::parse(&q) {
        Some(typed) => ctx
            .index
            .suggest(&typed.partial, limit)
            .await?
            .into_iter()
            .map(|(phrase, _)| Suggestion {
                text: typed.complete(&phrase),
            })
            .collect(),
        None => Vec::new(),
    };
    tracing::info!(suggestions = items.len(), "suggested");
    http::ok(&Suggestions { items })
}

#[cfg(test)]
shop_testing::answers! {
    a_blank_query_is_refused_before_any_read: "empty-query" => 400, {"error": {"code": "invalid_query"}};
    a_limit_over_twenty_is_refused: "limit-too-high" => 422, {"error": {"code": "validation_failed"}};
}
