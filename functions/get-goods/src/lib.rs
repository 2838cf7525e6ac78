//! `GET /goods/{goods_id}`: one goods item, for anyone.
//!
//! A signed-in caller's view is published as a `view` event (the browsing history
//! recommendations learn from); a failure to publish is logged and never fails the
//! read. The goods read and the session check run concurrently. The owning merchant
//! also sees `stock_reserved` and `stock_on_hand`; the `ETag` is the goods' version,
//! for `If-Match` on a later change.

use lambda_http::{Body, Request, Response};
use shop::auth;
use shop::catalogue::GoodsViews;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = GoodsViews;

/// One goods item; a signed-in caller's view is recorded.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let goods_id = http::id_param(&req, "goods_id")?;
    let (goods, caller) = tokio::join!(
        ctx.goods.get(&goods_id),
        auth::optional_user(&ctx.sessions, &req)
    );
    let goods = goods?.ok_or(ApiError::NotFound)?;
    let caller = caller?;
    if let Some(caller) = &caller {
        ctx.record_view(caller, &goods_id).await;
    }
    let view = goods.view_for(caller.as_ref().map(|c| c.user_id.as_str()));
    Ok(http::with_etag(http::ok(&view)?, &goods.tag()))
}

#[cfg(test)]
shop_testing::refuses_malformed_ids!();
