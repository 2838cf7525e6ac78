//! `DELETE /cart/items/{goods_id}`: removes the goods from the caller's cart and
//! answers with the cart (removing a line that isn't there changes nothing).

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = shop::cart::Carts;

/// Remove the goods from the cart.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = Customer::from_request(&ctx.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    ctx.carts.delete(&caller.user_id, &goods_id).await?;
    let lines = ctx.carts.lines(&caller.user_id).await?;
    http::ok(&ctx.view(lines).await?)
}
