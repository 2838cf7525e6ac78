//! The `reviews` operations: verified buyers' reviews and merchants' replies.
//! Each declaration documents the function named in the comment above it (its handler
//! is `<function>::handler`); its doc comment becomes the operation's description.

// functions/create-review
#[utoipa::path(
    post,
    operation_id = "create_review",
    path = "/goods/{goods_id}/reviews",
    tag = "reviews",
    summary = "Review goods you paid for (one review per buyer and goods)",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = shop::reviews::api::ReviewBody,
    responses(
        (status = 201, description = "the review", body = shop::reviews::repo::Review),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden (merchants) or not_purchased", body = shop::error::ErrorBody),
        crate::answers::NotFound,
        (status = 409, description = "already_reviewed", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Review goods you paid for (one review per buyer and goods).
///
/// # Errors
/// 401, 403 (merchants; `not_purchased`), 404, 409 `already_reviewed`, 422; 500 when
/// DynamoDB fails.
pub fn create_review() {}

// functions/list-reviews
#[utoipa::path(
    get,
    operation_id = "list_reviews",
    path = "/goods/{goods_id}/reviews",
    tag = "reviews",
    summary = "Reviews of goods, newest first, each with its reply",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$"), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of reviews", body = shop::reviews::repo::ReviewPage),
        crate::answers::NotFound,
        crate::answers::InvalidCursor,
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Reviews of goods, newest first, each with its reply.
///
/// # Errors
/// 404 for unknown goods, 422 `limit`, 400 `invalid_cursor`; 500 when DynamoDB fails.
pub fn list_reviews() {}

// functions/reply-review
#[utoipa::path(
    post,
    operation_id = "reply_review",
    path = "/reviews/{review_id}/reply",
    tag = "reviews",
    summary = "The goods' merchant replies (again replaces)",
    params(("review_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = shop::reviews::api::ReplyBody,
    responses(
        (status = 200, description = "the review with its reply", body = shop::reviews::repo::Review),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden: anyone but the merchant who sells the goods", body = shop::error::ErrorBody),
        crate::answers::NotFound,
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The goods' merchant replies (again replaces).
///
/// # Errors
/// 401, 403 (anyone but the goods' merchant), 404, 422; 500 when DynamoDB fails.
pub fn reply_review() {}
