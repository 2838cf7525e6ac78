//! `GET /orders`: the caller's orders, newest first, paginated (one Query on
//! `by_buyer` per page).

use lambda_http::{Body, Request, Response};
use shop::accounts::Role;
use shop::error::ApiError;
use shop::http;
use shop::orders::repo::Actor;

/// What the function needs, built once per cold start.
pub type Context = shop::orders::Orders;

#[utoipa::path(
    get,
    operation_id = "list_orders",
    path = "/orders",
    tag = "cart and orders",
    summary = "The caller's orders, newest first",
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of orders", body = shop::orders::OrderPage),
        (status = 401, description = "unauthenticated: no session, or an invalid, expired or revoked one", body = shop::error::ErrorBody),
        (status = 403, description = "forbidden: merchants", body = shop::error::ErrorBody),
        (status = 400, description = "invalid_cursor", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed, with fields", body = shop::error::ErrorBody),
        (
            status = 500,
            description = "internal_error: an unexpected failure; nothing about it is revealed",
            body = shop::error::ErrorBody
        )
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Handles one request.
///
/// # Errors
/// 401, 403 (merchants), 422 `limit`, 400 `invalid_cursor`; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.caller(&req, Role::Customer).await?;
    let (limit, cursor) = Context::page_params(&req)?;
    let page = ctx
        .orders
        .list(
            Actor::Buyer(&caller.user_id),
            None,
            limit,
            cursor.as_deref(),
        )
        .await?;
    http::ok(&shop::orders::OrderPage {
        items: page.items,
        next_cursor: page.next_cursor,
    })
}
