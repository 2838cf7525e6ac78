//! `DELETE /goods/{goods_id}`: the owning merchant removes goods from sale.
//!
//! A soft delete: the item keeps its data for the orders and reviews that name it, but
//! leaves every listing and answers 404 from then on. Publishes `goods.deleted` so
//! search and recommendations drop it.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::clock;
use shop::error::ApiError;
use shop::events::{Event, GoodsDeleted};
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = shop::catalogue::GoodsChanges;

/// Delete the owning merchant's goods (past orders keep their lines).
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = Merchant::from_request(&ctx.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    let now = clock::rfc3339(clock::now());
    let record = ctx.goods.delete(&goods_id, &caller.user_id, &now).await?;
    tracing::info!(goods_id = %goods_id, "goods deleted");
    let deleted = Event::GoodsDeleted(GoodsDeleted {
        merchant_id: record.merchant_id,
        deleted_at: now,
    });
    ctx.publish(deleted, &caller, &goods_id).await;
    Ok(http::no_content())
}
