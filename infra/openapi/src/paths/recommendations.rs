//! The `recommendations` operations: for the caller, and goods similar to one.
//! Each declaration documents the function named in the comment above it (its handler
//! is `<function>::handler`); its doc comment becomes the operation's description.

// functions/recommend
#[utoipa::path(
    get,
    operation_id = "recommendations",
    path = "/recommendations",
    tag = "recommendations",
    summary = "Goods for the caller, from what they browsed, carted and bought",
    params(
        ("strategy" = Option<shop::recs::model::Strategy>, Query, description = "history, cart, behavior or auto (default)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100)
    ),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "recommendations, best first", body = shop::recs::service::Recommendations),
        crate::answers::Unauthenticated,
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Goods for the caller, from what they browsed, carted and bought.
///
/// # Errors
/// 401 without a session, 422 for a bad strategy or limit; 500 when DynamoDB fails.
pub fn recommendations() {}

// functions/similar-goods
#[utoipa::path(
    get,
    operation_id = "similar_goods",
    path = "/goods/{goods_id}/similar",
    tag = "recommendations",
    summary = "Goods often viewed or bought together with these",
    params(
        ("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100)
    ),
    responses(
        (status = 200, description = "similar goods, most similar first", body = shop::recs::api::SimilarGoods),
        crate::answers::NotFound,
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Goods often viewed or bought together with these.
///
/// # Errors
/// 404 for unknown or deleted goods, 422 for a bad limit; 500 when DynamoDB fails.
pub fn similar_goods() {}
