//! `PATCH /goods/{goods_id}`: the owning merchant changes any subset of the fields.
//!
//! The write is conditional on the caller owning live goods, so a race with a delete
//! can't slip through; `null` is refused rather than read as "unchanged". Publishes
//! `goods.updated` with the new item.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::catalogue::GoodsFields;
use shop::catalogue::GoodsInput;
use shop::clock;
use shop::error::{ApiError, FieldErrors};
use shop::events::Event;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = shop::catalogue::GoodsChanges;

/// Change any subset of the owning merchant's goods.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = Merchant::from_request(&ctx.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    let object: serde_json::Map<String, serde_json::Value> = http::json_body(&req)?;
    http::reject_nulls(&object)?;
    let fields = http::from_value::<GoodsInput>(serde_json::Value::Object(object))?
        .validate(&[])
        .map_err(ApiError::Validation)?;
    if fields == GoodsFields::default() {
        return Err(FieldErrors::single(
            "body",
            "must change at least one field",
        ));
    }
    let now = clock::rfc3339(clock::now());
    let goods = ctx
        .goods
        .update(&goods_id, &caller.user_id, &fields, &now)
        .await?
        .public();
    tracing::info!(goods_id = %goods_id, "goods updated");
    ctx.publish(
        Event::GoodsUpdated(Box::new(goods.clone())),
        &caller,
        &goods.goods_id,
    )
    .await;
    http::ok(&goods)
}
