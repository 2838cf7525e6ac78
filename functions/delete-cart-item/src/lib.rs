//! `DELETE /cart/items/{goods_id}`: removes the goods from the caller's cart and
//! answers with the cart (removing a line that isn't there changes nothing).

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
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
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        shop::error::answers::NotFound,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Remove the goods from the cart.
///
/// # Errors
/// 401, 403 (merchants), 404 for an id we never issue; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = Customer::from_request(&ctx.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    ctx.carts.delete(&caller.user_id, &goods_id).await?;
    let lines = ctx.carts.lines(&caller.user_id).await?;
    http::ok(&ctx.view(lines).await?)
}
