//! The HTTP edge: request bodies in, JSON responses out, and the runner that turns a
//! handler's `Result` into a response.
//!
//! Bodies are parsed in two passes so that the status says what went wrong: bytes that
//! are not JSON are a 400 `invalid_json`; JSON of the wrong shape (missing, unknown or
//! mistyped fields) is a 422 naming the field.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::http::{header, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{service_fn, Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{ApiError, FieldErrors};
use crate::metrics;

mod params;
mod preconditions;

pub use params::{
    category_param, id_param, limit_param, page_params, path_param, price_params, query_param,
    PageParams,
};
pub use preconditions::{if_match, with_etag, IfMatch};

/// The largest request body accepted, in bytes (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A handler's answer to one request, boxed: every HTTP function's handler is erased to
/// `Fn(Request) -> Answer`, so that [`run`] — the Lambda runtime, its HTTP client and
/// this wrapper — is compiled once, in this crate, and not again in each of the
/// functions' binaries (a box per request costs nanoseconds; the runtime's generics cost
/// each binary a second of build).
pub type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, ApiError>> + Send>>;

/// Runs a Lambda function whose handler answers with `Result<Response, ApiError>`.
///
/// # Errors
/// When the Lambda runtime itself fails (never for a handler's error, which becomes
/// a response).
pub async fn run(handler: &dyn Fn(Request) -> Answer) -> Result<(), lambda_http::Error> {
    lambda_http::run(service_fn(|req: Request| {
        let started = Instant::now();
        metrics::reset();
        let route = route_of(&req);
        let answer = handler(req);
        async move {
            let response = answer.await.unwrap_or_else(ApiError::into_response);
            let counts = metrics::counts();
            tracing::info!(
                route = %route,
                status = response.status().as_u16(),
                duration_us = started.elapsed().as_micros() as u64,
                dynamodb = counts.dynamodb,
                sqs = counts.sqs,
                ses = counts.ses,
                "request done"
            );
            Ok::<_, Infallible>(response)
        }
    }))
    .await
}

/// The API Gateway route key (`GET /goods/{goods_id}`), for logs.
fn route_of(req: &Request) -> String {
    gateway_context(req)
        .and_then(|context| context.route_key.clone())
        .unwrap_or_else(|| format!("{} {}", req.method(), req.uri().path()))
}

/// The HTTP API's request context, when the request came through API Gateway (or the
/// local gateway, which builds the same one).
fn gateway_context(req: &Request) -> Option<&ApiGatewayV2httpRequestContext> {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => Some(context),
        _ => None,
    }
}

/// `response` with a `Set-Cookie` header (the session cookie login sets, logout clears).
///
/// # Errors
/// 500 if the cookie is not a valid header value (a bug: cookies are built by `auth`).
pub fn with_cookie(mut response: Response<Body>, cookie: &str) -> Result<Response<Body>, ApiError> {
    let value = cookie.parse().map_err(ApiError::internal)?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(response)
}

/// The caller's source address as API Gateway saw it (`requestContext.http.sourceIp`),
/// never a client-supplied header such as `X-Forwarded-For`; `unknown` when absent.
pub fn client_address(req: &Request) -> String {
    gateway_context(req)
        .and_then(|context| context.http.source_ip.clone())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Parses the JSON body into `T` (which should `deny_unknown_fields`).
///
/// # Errors
/// 415 for a non-JSON content type, 413 over [`MAX_BODY_BYTES`], 400 `invalid_json` for
/// bytes that are not JSON, 422 naming the field for the wrong shape.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    if let Some(content_type) = req.headers().get(header::CONTENT_TYPE) {
        let media = content_type.to_str().unwrap_or_default();
        let media = media.split(';').next().unwrap_or_default().trim();
        let is_json = media.eq_ignore_ascii_case("application/json")
            || media.to_ascii_lowercase().ends_with("+json");
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
    }
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    parse_json(bytes)
}

/// Parses JSON bytes into `T`; see [`json_body`].
///
/// # Errors
/// As [`json_body`], less the content-type check.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest {
            code: "invalid_json",
            message: format!("The request body is not valid JSON ({e})."),
        })?;
    if !value.is_object() {
        return Err(FieldErrors::single("body", "must be a JSON object"));
    }
    from_value(value)
}

/// Deserialises an already-parsed JSON value, naming the offending fields: every
/// unknown field (serde stops at the first, so each is set aside and the rest tried
/// again), then the first missing or mistyped one.
///
/// # Errors
/// 422 naming the unknown fields and the first missing or mistyped one.
pub fn from_value<T: DeserializeOwned>(mut value: serde_json::Value) -> Result<T, ApiError> {
    let mut fields = FieldErrors::new();
    loop {
        let error = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) if fields.is_empty() => return Ok(parsed),
            Ok(_) => return Err(ApiError::Validation(fields)),
            Err(error) => error,
        };
        let path = error.path().to_string();
        let message = error.inner().to_string();
        let (field, sentence) = describe_shape_error(&path, &message);
        fields.add(field, sentence);
        let unknown = message.starts_with("unknown field ");
        if !(unknown && remove_at(&mut value, error.path())) {
            return Err(ApiError::Validation(fields));
        }
    }
}

/// Removes the member that `path` names from `value`; false when there is none.
fn remove_at(value: &mut serde_json::Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((Segment::Map { key }, parents)) = segments.split_last() else {
        return false;
    };
    let mut current = value;
    for segment in parents {
        let next = match (segment, current) {
            (Segment::Map { key }, serde_json::Value::Object(object)) => object.get_mut(key),
            (Segment::Seq { index }, serde_json::Value::Array(items)) => items.get_mut(*index),
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => return false,
        }
    }
    current
        .as_object_mut()
        .is_some_and(|object| object.remove(key).is_some())
}

/// Turns serde's message and path into a field name and a sentence for the client.
fn describe_shape_error(path: &str, message: &str) -> (String, String) {
    let parent = if path == "." { "" } else { path };
    let join = |name: &str| {
        if parent.is_empty() {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        }
    };
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned);
    if let Some(name) = message
        .strip_prefix("missing field ")
        .and_then(|_| quoted(message))
    {
        return (join(&name), "is required".to_owned());
    }
    if let Some(name) = message
        .strip_prefix("unknown field ")
        .and_then(|_| quoted(message))
    {
        // serde_path_to_error already puts an unknown field on the path.
        let field = if parent.is_empty() {
            name
        } else {
            parent.to_owned()
        };
        return (field, "is not a known field".to_owned());
    }
    let field = if parent.is_empty() { "body" } else { parent };
    let sentence = message.split(" at line ").next().unwrap_or(message);
    (field.to_owned(), sentence.to_owned())
}

/// Refuses `null` for any top-level field of a JSON object: in a partial update, a
/// null would otherwise read as "leave unchanged".
///
/// # Errors
/// 422 naming every null field.
pub fn reject_nulls(object: &serde_json::Map<String, serde_json::Value>) -> Result<(), ApiError> {
    let mut fields = FieldErrors::new();
    for (name, value) in object {
        if value.is_null() {
            fields.add(name.clone(), "must not be null");
        }
    }
    fields.into_result()
}

/// A JSON response with the given status.
///
/// # Errors
/// 500 if `body` cannot be serialised (a bug).
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Result<Response<Body>, ApiError> {
    let text = serde_json::to_string(body).map_err(ApiError::internal)?;
    Ok(Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::Text(text))
        .expect("static headers are valid"))
}

/// 200 with a JSON body.
///
/// # Errors
/// As [`json`].
pub fn ok<T: Serialize>(body: &T) -> Result<Response<Body>, ApiError> {
    json(StatusCode::OK, body)
}

/// 201 with a JSON body.
///
/// # Errors
/// As [`json`].
pub fn created<T: Serialize>(body: &T) -> Result<Response<Body>, ApiError> {
    json(StatusCode::CREATED, body)
}

/// 202 with an empty JSON object.
pub fn accepted() -> Response<Body> {
    Response::builder()
        .status(StatusCode::ACCEPTED)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::Text("{}".to_owned()))
        .expect("static headers are valid")
}

/// 204 with no body.
pub fn no_content() -> Response<Body> {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .expect("static headers are valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body1 {
        name: String,
        count: u8,
    }

    fn field_errors(err: ApiError) -> Vec<(String, String)> {
        match err {
            ApiError::Validation(fields) => fields
                .as_map()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_a_400() {
        let err = parse_json::<Body1>(br#"{"name": "#).unwrap_err();
        assert_eq!(err.code(), "invalid_json");
        assert_eq!(err.status(), 400);
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = parse_json::<Body1>(br#"{"name": "x"}"#).unwrap_err();
        assert_eq!(field_errors(err), [("count".into(), "is required".into())]);
    }

    #[test]
    fn an_unknown_field_is_named() {
        let err = parse_json::<Body1>(br#"{"name": "x", "count": 1, "nmae": 2}"#).unwrap_err();
        assert_eq!(
            field_errors(err),
            [("nmae".into(), "is not a known field".into())]
        );
    }

    #[test]
    fn every_unknown_field_is_named_with_the_first_missing_one() {
        let err = parse_json::<Body1>(br#"{"nmae": "x", "cuont": 1, "extra": null}"#).unwrap_err();
        assert_eq!(
            field_errors(err),
            [
                ("cuont".into(), "is not a known field".into()),
                ("extra".into(), "is not a known field".into()),
                ("name".into(), "is required".into()),
                ("nmae".into(), "is not a known field".into()),
            ]
        );
    }

    #[test]
    fn unknown_fields_of_a_nested_object_are_named_by_their_path() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Outer {
            inner: Body1,
        }
        let body = br#"{"inner": {"name": "x", "count": 1, "a": 1, "b": 2}}"#;
        let err = parse_json::<Outer>(body).unwrap_err();
        assert_eq!(
            field_errors(err),
            [
                ("inner.a".into(), "is not a known field".into()),
                ("inner.b".into(), "is not a known field".into()),
            ]
        );
    }

    #[test]
    fn a_wrong_type_is_named() {
        let err = parse_json::<Body1>(br#"{"name": 5, "count": 1}"#).unwrap_err();
        let errors = field_errors(err);
        assert_eq!(errors[0].0, "name");
        assert!(errors[0].1.starts_with("invalid type: integer `5`"));
    }

    #[test]
    fn a_body_over_64_kib_is_too_large() {
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(parse_json::<Body1>(&big).unwrap_err().status(), 413);
    }

    #[test]
    fn a_json_array_is_not_a_body() {
        let err = parse_json::<Body1>(b"[1, 2]").unwrap_err();
        assert_eq!(field_errors(err)[0].0, "body");
    }
}
