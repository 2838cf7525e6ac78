//! The one API error type, and the contract's error body it renders:
//! `{"error": {"code": "snake_case", "message": "human sentence", "fields": {...}?}}`.
//!
//! Every variant names its status. Internal causes are logged with their whole chain
//! and never sent to the client.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::fmt;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};

/// Boxed error used for unexpected causes.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What is wrong with each named request field; keys are the request's field names
/// (nested fields use dots: `shipping_address.country`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records what is wrong with `field` (the first message for a field wins).
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// Records the error of a field parse, passing the value through on success.
    pub fn check<T, E: fmt::Display>(&mut self, field: &str, parsed: Result<T, E>) -> Option<T> {
        parsed.map_err(|e| self.add(field, e.to_string())).ok()
    }

    /// Adds every error of `other` (a field already named keeps its first message).
    pub fn extend(&mut self, other: Self) {
        for (field, message) in other.0 {
            self.add(field, message);
        }
    }

    /// Each named field and what is wrong with it, by field name.
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// True when no field has an error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when empty, otherwise the 422 [`ApiError::Validation`].
    ///
    /// # Errors
    /// [`ApiError::Validation`] carrying these fields.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self))
        }
    }

    /// The single-field 422 error.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        let mut fields = Self::new();
        fields.add(field, message);
        ApiError::Validation(fields)
    }

    /// The recorded errors, by field name.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

/// The body of every error answer: what [`ApiError::error_body`] builds and the OpenAPI
/// document describes.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable, snake_case (`validation_failed`, `out_of_stock` …).
    pub code: String,
    /// A human sentence; never an internal detail.
    pub message: String,
    /// For 400/422 validation errors: what is wrong with each named request field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// For 409 `out_of_stock`: the goods that can't meet the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goods_ids: Option<Vec<String>>,
}

/// Every error the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: a malformed request (`invalid_json`, `invalid_token`, `invalid_query` …).
    #[error("{message}")]
    BadRequest {
        /// Machine-readable code.
        code: &'static str,
        /// A sentence for a person; never an internal detail.
        message: String,
    },
    /// 422 `validation_failed`: fields are missing, unknown, of the wrong type or invalid.
    #[error("some fields are invalid")]
    Validation(FieldErrors),
    /// 422 `weak_password`: a new password that is easy to guess; `fields.password`
    /// says why.
    #[error("the password is too easy to guess")]
    WeakPassword(FieldErrors),
    /// 422 with a specific code, for business-rule rejections of a well-formed request
    /// (`mixed_merchants`, `empty_cart`, `idempotency_key_reused` …).
    #[error("{message}")]
    Unprocessable {
        /// Machine-readable code.
        code: &'static str,
        /// A sentence for a person; never an internal detail.
        message: String,
    },
    /// 401 `unauthenticated`: no session, or an invalid, expired or revoked one.
    #[error("authentication required")]
    Unauthenticated,
    /// 401 `invalid_credentials`: unknown user or wrong password, indistinguishably.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 403: authenticated but not allowed (`forbidden`, `account_not_activated` …).
    #[error("{message}")]
    Forbidden {
        /// Machine-readable code.
        code: &'static str,
        /// A sentence for a person; never an internal detail.
        message: String,
    },
    /// 404 `not_found`.
    #[error("not found")]
    NotFound,
    /// 409: the request conflicts with the current state (`username_taken` …).
    #[error("{message}")]
    Conflict {
        /// Machine-readable code.
        code: &'static str,
        /// A sentence for a person; never an internal detail.
        message: String,
    },
    /// 409 `out_of_stock`: these goods can't meet the order (too little stock, or no
    /// longer on sale); the body names them in `goods_ids`. Nothing was reserved.
    #[error("Not enough stock for: {}.", goods_ids.join(", "))]
    OutOfStock {
        /// The goods that can't be met.
        goods_ids: Vec<String>,
    },
    /// 412 `precondition_failed`: `If-Match` names a version the resource has moved on
    /// from; nothing was written.
    #[error("The resource changed since the version named in If-Match; read it again.")]
    PreconditionFailed,
    /// 413 `payload_too_large`: the body is over the limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415 `unsupported_media_type`: a body that is declared as something other than JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 429: too many attempts; retry after the given number of seconds.
    #[error("{message}")]
    TooManyRequests {
        /// Machine-readable code.
        code: &'static str,
        /// A sentence for a person; never an internal detail.
        message: String,
        /// Seconds until a retry may succeed (`Retry-After`).
        retry_after_secs: u64,
    },
    /// 500 `internal_error`: an unexpected failure; the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl ApiError {
    /// An unexpected failure with its cause.
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        Self::Internal(cause.into())
    }

    /// 403 `forbidden` with a message.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden {
            code: "forbidden",
            message: message.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) | Self::WeakPassword(_) | Self::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict { .. } | Self::OutOfStock { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The contract's machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Unprocessable { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::TooManyRequests { code, .. } => code,
            Self::Validation(_) => "validation_failed",
            Self::WeakPassword(_) => "weak_password",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::NotFound => "not_found",
            Self::OutOfStock { .. } => "out_of_stock",
            Self::PreconditionFailed => "precondition_failed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Internal(_) => "internal_error",
        }
    }

    /// The contract's error body, as documented ([`ErrorBody`]).
    pub fn error_body(&self) -> ErrorBody {
        let message = match self {
            Self::Unauthenticated => "A valid session is required.".to_owned(),
            Self::InvalidCredentials => "The username or password is incorrect.".to_owned(),
            Self::NotFound => "The resource does not exist.".to_owned(),
            Self::PayloadTooLarge => "The request body is larger than 64 KiB.".to_owned(),
            Self::UnsupportedMediaType => "The request body must be application/json.".to_owned(),
            Self::Validation(_) => "Some fields are missing or invalid.".to_owned(),
            Self::WeakPassword(_) => "Choose a password that is harder to guess.".to_owned(),
            Self::Internal(_) => "Something went wrong on our side.".to_owned(),
            other => other.to_string(),
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message,
                fields: match self {
                    Self::Validation(fields) | Self::WeakPassword(fields) => {
                        Some(fields.as_map().clone())
                    }
                    _ => None,
                },
                goods_ids: match self {
                    Self::OutOfStock { goods_ids } => Some(goods_ids.clone()),
                    _ => None,
                },
            },
        }
    }

    /// The contract's error body as JSON.
    pub fn body(&self) -> serde_json::Value {
        serde_json::to_value(self.error_body()).expect("an error body serialises")
    }

    /// Renders the error as an HTTP response, logging internal causes.
    pub fn into_response(self) -> Response<Body> {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = %ErrorChain(cause.as_ref()), "internal error");
        }
        let mut builder = Response::builder()
            .status(self.status())
            .header("content-type", "application/json");
        if let Self::TooManyRequests {
            retry_after_secs, ..
        } = &self
        {
            builder = builder.header("retry-after", retry_after_secs.to_string());
        }
        builder
            .body(Body::Text(self.body().to_string()))
            .expect("static headers are valid")
    }
}

/// Displays an error with all its sources, `outer: inner: innermost`.
pub struct ErrorChain<'a>(pub &'a (dyn StdError + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_errors_render_their_fields() {
        let err = FieldErrors::single("email", "is not a valid email address");
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            err.body(),
            json!({"error": {"code": "validation_failed",
                "message": "Some fields are missing or invalid.",
                "fields": {"email": "is not a valid email address"}}})
        );
    }

    #[test]
    fn internal_errors_never_reveal_their_cause() {
        let err = ApiError::internal("table users-secret-name is missing");
        let body = err.body().to_string();
        assert!(!body.contains("users-secret-name"));
        assert_eq!(err.code(), "internal_error");
    }

    #[test]
    fn too_many_requests_sets_retry_after() {
        let response = ApiError::TooManyRequests {
            code: "too_many_attempts",
            message: "Too many attempts.".into(),
            retry_after_secs: 60,
        }
        .into_response();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "60");
    }
}
