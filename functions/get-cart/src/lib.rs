//! `GET /cart`: the caller's cart, each line with its goods as they are now, and the
//! total (one Query for the lines, one BatchGetItem for the goods).

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = shop::cart::Carts;

/// The caller's cart with the goods as they are now.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = Customer::from_request(&ctx.sessions, &req).await?;
    let lines = ctx.carts.lines(&caller.user_id).await?;
    http::ok(&ctx.view(lines).await?)
}

#[cfg(test)]
shop_testing::answers! {
    a_cart_needs_a_session: "no-session" => 401, {"error": {"code": "unauthenticated"}};
}
