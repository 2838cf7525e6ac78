//! `PATCH /goods/{goods_id}`: the owning merchant changes any subset of the fields.
//!
//! The write is conditional on the caller owning live goods, so a race with a delete
//! can't slip through; `null` is refused rather than read as "unchanged". Publishes
//! `goods.updated` with the new item.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::catalogue::GoodsChanges;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = GoodsChanges;

/// Change any subset of the owning merchant's goods.
pub async fn handler(catalogue: &GoodsChanges, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&catalogue.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    let object: serde_json::Map<String, serde_json::Value> = http::json_body(&req)?;
    http::reject_nulls(&object)?;
    let input = http::from_value(serde_json::Value::Object(object))?;
    http::ok(&catalogue.update(&merchant, &goods_id, input).await?)
}
