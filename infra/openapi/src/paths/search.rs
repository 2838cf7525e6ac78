//! The `search` operation: keyword search ranked by relevance.
//! Each declaration documents the function named in the comment above it (its handler
//! is `<function>::handler`); its doc comment becomes the operation's description.

// functions/search
#[utoipa::path(
    get,
    operation_id = "search_goods",
    path = "/search",
    tag = "search",
    summary = "Goods ranked by relevance to q, Chinese or English, with the listing's filters",
    params(
        ("q" = String, Query, min_length = 1, max_length = 200, description = "the words to search for"),
        ("category" = Option<String>, Query),
        ("min_price" = Option<i64>, Query, minimum = 0),
        ("max_price" = Option<i64>, Query, minimum = 0),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query)
    ),
    responses(
        (status = 200, description = "results, best match first", body = shop::search::api::SearchPage),
        (status = 400, description = "invalid_query (q empty or over 200 characters) or invalid_cursor", body = shop::error::ErrorBody),
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Goods ranked by relevance to q, Chinese or English, with the listing's filters.
///
/// # Errors
/// 400 for an empty or overlong `q` or a foreign cursor, 422 for invalid filters; 500
/// when DynamoDB fails.
pub fn search_goods() {}
