//! The `search` operations: keyword search ranked by relevance, and suggestions as a
//! shopper types.
//! Each declaration documents the function named in the comment above it (its handler
//! is `<function>::handler`); its doc comment becomes the operation's description.

// functions/search
#[utoipa::path(
    get,
    operation_id = "search_goods",
    path = "/search",
    tag = "search",
    summary = "Goods ranked by relevance to q (or sorted), Chinese or English, typo-tolerant, with the listing's filters and category facets",
    params(
        ("q" = String, Query, min_length = 1, max_length = 200, description = "the words to search for; an English word of 5–8 letters also matches words one edit away, of 9 or more two edits (exact matches rank above)"),
        ("category" = Option<String>, Query),
        ("min_price" = Option<i64>, Query, minimum = 0),
        ("max_price" = Option<i64>, Query, minimum = 0),
        ("sort" = Option<String>, Query, description = "relevance (default), price_asc, price_desc or newest: a sort other than relevance orders the best-matching goods (up to 200) that match the most query words"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query)
    ),
    responses(
        (status = 200, description = "results in the order asked for, with the matching goods' categories (facets.category, most first, at most 20)", body = shop::search::api::SearchPage),
        (status = 400, description = "invalid_query (q empty or over 200 characters) or invalid_cursor", body = shop::error::ErrorBody),
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Goods ranked by relevance to q (or sorted), Chinese or English, with the listing's
/// filters and the matching goods' categories.
///
/// # Errors
/// 400 for an empty or overlong `q` or a foreign cursor, 422 for invalid filters; 500
/// when DynamoDB fails.
pub fn search_goods() {}

// functions/suggest
#[utoipa::path(
    get,
    operation_id = "suggest",
    path = "/search/suggest",
    tag = "search",
    summary = "Completions of the word being typed, from the goods' names, the most common first",
    params(
        ("q" = String, Query, min_length = 1, max_length = 200, description = "what the shopper typed; its last, partly typed word is completed"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 20, description = "suggestions wanted, 8 when absent")
    ),
    responses(
        (status = 200, description = "completions, the most common first", body = shop::search::api::Suggestions),
        (status = 400, description = "invalid_query (q empty or over 200 characters)", body = shop::error::ErrorBody),
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Completions of the word being typed, from the goods' names, the most common first.
///
/// # Errors
/// 400 for an empty or overlong `q`, 422 for a `limit` outside 1–20; 500 when DynamoDB
/// fails.
pub fn suggest() {}
