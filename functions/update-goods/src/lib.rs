//! `PATCH /goods/{goods_id}`: the owning merchant changes any subset of the fields.
//!
//! The write is conditional on the caller owning live goods (and, with `If-Match`, on
//! their version), so a race with a delete or another edit can't slip through; `null` is
//! refused rather than read as "unchanged". Stock changes (`stock`, `stock_on_hand`,
//! `stock_adjustment`) are atomic against concurrent orders. Answers the owner's view
//! with its `ETag`; publishes `goods.updated` with the new item.

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
    let patch = http::from_value(serde_json::Value::Object(object))?;
    let if_match = http::if_match(&req);
    let record = (catalogue.update(&merchant, &goods_id, patch, if_match.as_ref())).await?;
    Ok(http::with_etag(
        http::ok(&record.owner_view())?,
        &record.tag(),
    ))
}
