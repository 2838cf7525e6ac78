//! Conditional requests (RFC 9110 §13): the `ETag` a response carries and the
//! `If-Match` a change honours.
//!
//! Parsed by hand rather than with the `headers` crate: an entity-tag list is a few lines,
//! and every function would otherwise link `headers`' date, MIME and SHA-1 code for it.

use lambda_http::http::{header, HeaderValue};
use lambda_http::{Body, Request, Response};

/// What `If-Match` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current version.
    Any,
    /// One of these strong entity tags, unquoted (weak tags never match, as the RFC's
    /// strong comparison says, so they are left out; a malformed list matches nothing).
    Tags(Vec<String>),
}

impl IfMatch {
    /// Whether the resource's current tag (unquoted) passes.
    pub fn matches(&self, current: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|tag| tag == current),
        }
    }

    /// Parses a header value.
    pub fn parse(value: &str) -> Self {
        if value.trim() == "*" {
            return Self::Any;
        }
        let mut tags = Vec::new();
        for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let Some(quoted) = item.strip_prefix('"').and_then(|i| i.strip_suffix('"')) else {
                // A weak tag (W/"…") or garbage: never a strong match.
                continue;
            };
            if !quoted.contains('"') {
                tags.push(quoted.to_owned());
            }
        }
        Self::Tags(tags)
    }
}

/// The request's `If-Match`, if it has one (a value that isn't text matches nothing).
pub fn if_match(req: &Request) -> Option<IfMatch> {
    req.headers().get(header::IF_MATCH).map(|value| {
        value
            .to_str()
            .map_or(IfMatch::Tags(Vec::new()), IfMatch::parse)
    })
}

/// `response` with an `ETag` of the strong tag `tag` (unquoted).
pub fn with_etag(mut response: Response<Body>, tag: &str) -> Response<Body> {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{tag}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_matches_any_version() {
        assert!(IfMatch::parse(" * ").matches("7"));
    }

    #[test]
    fn a_list_matches_any_of_its_strong_tags() {
        let list = IfMatch::parse(r#""3", "5""#);
        assert!(list.matches("5"));
        assert!(list.matches("3"));
        assert!(!list.matches("4"));
    }

    #[test]
    fn weak_and_malformed_tags_never_match() {
        for value in [r#"W/"5""#, "5", r#""5"#, r#""a"b""#, ""] {
            assert!(!IfMatch::parse(value).matches("5"), "{value}");
        }
    }
}
