//! `PATCH /goods/{goods_id}`: the owning merchant changes any subset of the fields.
//!
//! The write is conditional on the caller owning live goods, so a race with a delete
//! can't slip through; `null` is refused rather than read as "unchanged". Publishes
//! `goods.updated` with the new item.

use lambda_http::{Body, Request, Response};
use shop::clock;
use shop::domain::{GoodsFields, GoodsInput};
use shop::error::{ApiError, FieldErrors};
use shop::events::EventType;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = shop::contexts::GoodsChanges;

/// Handles one request.
///
/// # Errors
/// 401, 403 (customers, other merchants), 404, 4xx for invalid bodies; 500 when AWS fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let (caller, goods_id) = ctx.merchant_and_goods_id(&req).await?;
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
    ctx.publish_goods(EventType::GoodsUpdated, &caller, &goods)
        .await?;
    http::ok(&goods)
}
