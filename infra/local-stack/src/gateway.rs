//! API Gateway (HTTP API, payload format 2.0) on loopback: matches each request to a
//! route of the template, turns it into the event API Gateway would send, invokes the
//! route's function through its pool and turns the function's answer back into HTTP.
//!
//! Locally, `GET /openapi.json` also serves the committed OpenAPI document, and `GET /docs`
//! the reference page that renders it ([`crate::docs`]).
//!
//! As in AWS: the most specific route wins (literal segments beat `{params}`, which
//! beat a greedy `{proxy+}`); no route → 404 `{"message":"Not Found"}`; a function
//! error → 500 `{"message":"Internal Server Error"}`; bodies over 10 MB → 413.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};
use time::macros::format_description;
use time::OffsetDateTime;

use crate::console;
use crate::docs::Docs;
use crate::runtime::{InvokeError, Pool};

/// API Gateway's payload limit.
const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

struct Route {
    method: String,
    path: String,
    segments: Vec<Segment>,
    pool: Arc<Pool>,
}

/// The routes of the HTTP API.
pub struct Gateway {
    routes: Vec<Route>,
    openapi: Option<Bytes>,
    docs: Option<Docs>,
}

impl Gateway {
    /// Routes every HTTP API event of the pools' functions.
    pub fn new(pools: &[Arc<Pool>], openapi: Option<Bytes>, docs: Option<Docs>) -> Self {
        let mut routes = Vec::new();
        for pool in pools {
            for route in &pool.function.routes {
                routes.push(Route {
                    method: route.method.clone(),
                    path: route.path.clone(),
                    segments: parse_path(&route.path),
                    pool: Arc::clone(pool),
                });
            }
        }
        Self {
            routes,
            openapi,
            docs,
        }
    }

    /// `METHOD /path → Function` lines, for the console.
    pub fn describe(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .routes
            .iter()
            .map(|r| format!("{:6} {:40} → {}", r.method, r.path, r.pool.function.name))
            .collect();
        lines.sort();
        lines
    }

    fn find(&self, method: &str, path: &str) -> Option<(&Route, BTreeMap<String, String>)> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.routes
            .iter()
            .filter(|r| r.method == method || r.method == "ANY")
            .filter_map(|r| Some((r, match_segments(&r.segments, &parts)?)))
            .max_by_key(|(r, _)| specificity(r))
    }
}

fn parse_path(path: &str) -> Vec<Segment> {
    path.trim_start_matches('/')
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if name.ends_with('+') => {
                    Segment::Greedy(name.trim_end_matches('+').to_owned())
                }
                Some(name) => Segment::Param(name.to_owned()),
                None => Segment::Literal(s.to_owned()),
            },
        )
        .collect()
}

fn match_segments(segments: &[Segment], parts: &[&str]) -> Option<BTreeMap<String, String>> {
    let mut params = BTreeMap::new();
    for (i, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Greedy(name) => {
                let rest = parts.get(i..).filter(|r| !r.is_empty())?.join("/");
                params.insert(name.clone(), decode(&rest));
                return Some(params);
            }
            Segment::Literal(literal) => {
                if parts.get(i) != Some(&literal.as_str()) {
                    return None;
                }
            }
            Segment::Param(name) => {
                let value = parts.get(i).filter(|p| !p.is_empty())?;
                params.insert(name.clone(), decode(value));
            }
        }
    }
    (parts.len() == segments.len()).then_some(params)
}

fn specificity(route: &Route) -> (usize, usize, bool) {
    let literals = route
        .segments
        .iter()
        .filter(|s| matches!(s, Segment::Literal(_)))
        .count();
    let greedy = route
        .segments
        .iter()
        .any(|s| matches!(s, Segment::Greedy(_)));
    (
        literals,
        route.segments.len(),
        route.method != "ANY" && !greedy,
    )
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

fn message(status: StatusCode, text: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(json!({ "message": text }).to_string()))
        .expect("static response")
}

/// Answers one HTTP request as API Gateway would.
pub async fn handle(
    State(gateway): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response<Body> {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    if let ("GET", "/openapi.json", Some(document)) =
        (method.as_str(), path.as_str(), &gateway.openapi)
    {
        return Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(document.clone()))
            .expect("static response");
    }
    if method == "GET" {
        if let Some(page) = Docs::answer(gateway.docs.as_ref(), &path) {
            return page;
        }
    }
    let Some((route, params)) = gateway.find(&method, &path) else {
        return message(StatusCode::NOT_FOUND, "Not Found");
    };
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_PAYLOAD).await else {
        return message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    };
    let event = build_event(&parts, &route.method, &route.path, params, &body, peer);
    let function = &route.pool.function;
    match route.pool.invoke(Bytes::from(event.to_string())).await {
        Ok(answer) => {
            let response = into_http(&answer);
            if response.status().is_server_error() {
                console::failure(
                    &function.name,
                    &format!("{method} {path} answered {}", response.status()),
                );
            }
            response
        }
        Err(InvokeError::Timeout) => {
            let timeout = function.timeout_secs;
            console::failure(
                &function.name,
                &format!("{method} {path} timed out after {timeout} s"),
            );
            message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
        }
        Err(e) => {
            console::failure(&function.name, &format!("{method} {path} failed: {e:?}"));
            message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

fn build_event(
    parts: &axum::http::request::Parts,
    route_method: &str,
    route_path: &str,
    params: BTreeMap<String, String>,
    body: &[u8],
    peer: SocketAddr,
) -> Value {
    let mut headers: Map<String, Value> = Map::new();
    let mut cookies: Vec<Value> = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| Value::String(c.trim().to_owned())));
            continue;
        }
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                if let Value::String(existing) = v {
                    existing.push(',');
                    existing.push_str(&value);
                }
            })
            .or_insert(Value::String(value));
    }
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let mut query: Map<String, Value> = Map::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")));
        query
            .entry(k)
            .and_modify(|e| {
                if let Value::String(existing) = e {
                    existing.push(',');
                    existing.push_str(&v);
                }
            })
            .or_insert(Value::String(v));
    }
    let now = OffsetDateTime::now_utc();
    let time = now
        .format(format_description!(
            "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
        ))
        .unwrap_or_default();
    let route_key = format!("{route_method} {route_path}");
    let host = headers
        .get("host")
        .and_then(Value::as_str)
        .unwrap_or("127.0.0.1")
        .to_owned();
    let user_agent = headers.get("user-agent").cloned().unwrap_or(Value::Null);
    let (body, is_base64) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (BASE64.encode(body), true),
    };
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": crate::ACCOUNT,
            "apiId": "local",
            "domainName": host,
            "domainPrefix": host.split('.').next().unwrap_or_default(),
            "http": {
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": peer.ip().to_string(),
                "userAgent": user_agent,
            },
            "requestId": ulid::Ulid::new().to_string(),
            "routeKey": route_key,
            "stage": "$default",
            "time": time,
            "timeEpoch": now.unix_timestamp_nanos() / 1_000_000,
        },
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = Value::Array(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !params.is_empty() {
        event["pathParameters"] = json!(params);
    }
    if !body.is_empty() {
        event["body"] = Value::String(body);
    }
    event
}

/// Turns a format 2.0 function response into HTTP.
fn into_http(answer: &[u8]) -> Response<Body> {
    let Ok(value) = serde_json::from_slice::<Value>(answer) else {
        return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    };
    let Some(status) = value["statusCode"].as_u64() else {
        // Format 2.0 treats any other JSON as a 200 body.
        return Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Body::from(answer.to_vec()))
            .expect("static response");
    };
    let mut response = Response::builder()
        .status(StatusCode::from_u16(status as u16).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    let headers = response.headers_mut().expect("builder has headers");
    let mut add = |name: &str, value: &str| {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.append(name, value);
        }
    };
    if let Some(map) = value["headers"].as_object() {
        for (name, v) in map {
            add(name, v.as_str().unwrap_or_default());
        }
    }
    if let Some(map) = value["multiValueHeaders"].as_object() {
        for (name, values) in map {
            if value["headers"].get(name).is_none() {
                for v in values.as_array().into_iter().flatten() {
                    add(name, v.as_str().unwrap_or_default());
                }
            }
        }
    }
    for cookie in value["cookies"].as_array().into_iter().flatten() {
        add("set-cookie", cookie.as_str().unwrap_or_default());
    }
    let body = value["body"].as_str().unwrap_or_default();
    let body = if value["isBase64Encoded"].as_bool() == Some(true) {
        BASE64.decode(body).unwrap_or_default()
    } else {
        body.as_bytes().to_vec()
    };
    response.body(Body::from(body)).expect("valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_beat_parameters() {
        let segments = parse_path("/goods/{goods_id}");
        let params = match_segments(&segments, &["goods", "01ABC"]).unwrap();
        assert_eq!(params["goods_id"], "01ABC");
        assert!(match_segments(&segments, &["goods"]).is_none());
        assert!(match_segments(&segments, &["goods", "a", "b"]).is_none());
    }

    #[test]
    fn parameters_are_percent_decoded() {
        let params = match_segments(&parse_path("/x/{id}"), &["x", "a%20b"]).unwrap();
        assert_eq!(params["id"], "a b");
    }

    #[test]
    fn a_greedy_parameter_takes_the_rest() {
        let params = match_segments(&parse_path("/files/{proxy+}"), &["files", "a", "b"]).unwrap();
        assert_eq!(params["proxy"], "a/b");
    }

    #[test]
    fn a_lambda_http_response_becomes_http() {
        let answer = br#"{"statusCode":201,"headers":{"content-type":"application/json"},"cookies":["session=x; HttpOnly"],"body":"{\"a\":1}","isBase64Encoded":false}"#;
        let response = into_http(answer);
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["set-cookie"], "session=x; HttpOnly");
    }
}
