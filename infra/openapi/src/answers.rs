//! The answers every operation shares, declared once for the document:
//! `responses((status = 200, …), answers::Unauthenticated, answers::Internal)`. Each
//! error answer's body is `shop::error::ErrorBody`.

use std::collections::BTreeMap;

use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

fn error(status: &str, description: &str) -> BTreeMap<String, RefOr<Response>> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build();
    BTreeMap::from([(status.to_owned(), RefOr::T(response))])
}

/// Declares answer types and the error answers each stands for.
macro_rules! answers {
    ($($(#[$doc:meta])* $name:ident => [$(($status:literal, $description:literal)),+ $(,)?];)+) => {$(
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                let mut all = BTreeMap::new();
                $(all.append(&mut error($status, $description));)+
                all
            }
        }
    )+};
}

answers! {
    /// 401 `unauthenticated`, for every operation that needs a session.
    Unauthenticated => [(
        "401",
        "unauthenticated: no session, or an invalid, expired or revoked one"
    )];
    /// 500 `internal_error`, which any operation may answer.
    Internal => [(
        "500",
        "internal_error: an unexpected failure; nothing about it is revealed"
    )];
    /// 404 `not_found`.
    NotFound => [("404", "not_found")];
    /// 403 for the customer-only operations a merchant calls.
    CustomersOnly => [("403", "forbidden: merchants")];
    /// 400, 413 and 415: what every operation with a JSON body answers for a body
    /// that is not JSON, is too large, or is declared as something else.
    JsonBody => [
        ("400", "invalid_json"),
        ("413", "payload_too_large (over 64 KiB)"),
        ("415", "unsupported_media_type"),
    ];
    /// 422 `validation_failed`, naming the fields.
    Invalid => [("422", "validation_failed, with fields")];
    /// 422 for the operations that set a new password: `validation_failed`, or
    /// `weak_password` with the reason in `fields.password`.
    NewPassword => [("422", "validation_failed, with fields; weak_password, with the reason in fields.password")];
    /// 412 `precondition_failed`, for the changes that honour `If-Match`.
    PreconditionFailed => [("412", "precondition_failed: If-Match names a version the resource has moved on from; nothing was written")];
    /// 400 `invalid_cursor`, for listings.
    InvalidCursor => [("400", "invalid_cursor")];
}
