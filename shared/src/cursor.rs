//! The one cursor codec of every listing. A cursor is the URL-safe base64 (no padding)
//! of the JSON of where the listing resumes — the last id for orders and reviews, the
//! index and last key for goods, the offset and the query's fingerprint for search — so
//! it is opaque to clients, and anything a listing did not issue is one 400
//! `invalid_cursor`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// A cursor that isn't one this listing issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the cursor is not valid for this listing")]
pub struct InvalidCursor;

impl From<InvalidCursor> for ApiError {
    fn from(_: InvalidCursor) -> Self {
        ApiError::BadRequest {
            code: "invalid_cursor",
            message: "The cursor is not valid for this listing.".into(),
        }
    }
}

/// The cursor that resumes at `position`.
pub fn encode<T: Serialize>(position: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).expect("a cursor position serialises"))
}

/// The position a cursor names.
///
/// # Errors
/// [`InvalidCursor`] when it is not base64 of a position of this shape.
pub fn decode<T: DeserializeOwned>(cursor: &str) -> Result<T, InvalidCursor> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| InvalidCursor)?;
    serde_json::from_slice(&bytes).map_err(|_| InvalidCursor)
}

/// Where a listing sorted by one id resumes: after this id.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AfterId {
    after: String,
}

/// The cursor after `id`, for listings sorted by id.
pub fn after_id(id: &str) -> String {
    encode(&AfterId {
        after: id.to_owned(),
    })
}

/// The id a listing sorted by id resumes after.
///
/// # Errors
/// [`InvalidCursor`] for anything [`after_id`] did not make, or an id we never issue.
pub fn id_after(cursor: &str) -> Result<String, InvalidCursor> {
    let AfterId { after } = decode(cursor)?;
    crate::ids::is_id(&after)
        .then_some(after)
        .ok_or(InvalidCursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_cursor_round_trips() {
        let id = crate::ids::new_id();
        assert_eq!(id_after(&after_id(&id)).unwrap(), id);
    }

    #[test]
    fn garbage_other_shapes_and_foreign_ids_are_invalid() {
        assert_eq!(id_after("not base64!"), Err(InvalidCursor));
        assert_eq!(
            id_after(&encode(&serde_json::json!({"o": 1}))),
            Err(InvalidCursor)
        );
        assert_eq!(id_after(&after_id("not-an-id")), Err(InvalidCursor));
    }

    #[test]
    fn an_invalid_cursor_is_one_400() {
        let err = ApiError::from(InvalidCursor);
        assert_eq!((err.status().as_u16(), err.code()), (400, "invalid_cursor"));
    }
}
