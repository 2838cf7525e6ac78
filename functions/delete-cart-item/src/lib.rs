//! `DELETE /cart/items/{goods_id}`: removes the goods from the caller's cart and
//! answers with the cart (removing a line that isn't there changes nothing).

use lambda_http::{Body, Request, Response};
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = shop::cart::Carts;

#[utoipa::path(
    delete,
    operation_id = "delete_cart_item",
    path = "/cart/items/{goods_id}",
    tag = "cart and orders",
    summary = "Remove the goods from the cart",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the cart", body = shop::cart::CartView),
        (status = 401, description = "unauthenticated: no session, or an invalid, expired or revoked one", body = shop::error::ErrorBody),
        (status = 403, description = "forbidden: merchants", body = shop::error::ErrorBody),
        (status = 404, description = "not_found", body = shop::error::ErrorBody),
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
/// 401, 403 (merchants), 404 for an id we never issue; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = ctx.customer(&req).await?;
    let goods_id = Context::goods_id(&req)?;
    ctx.carts.delete(&caller.user_id, &goods_id).await?;
    let lines = ctx.carts.lines(&caller.user_id).await?;
    http::ok(&ctx.view(lines).await?)
}
