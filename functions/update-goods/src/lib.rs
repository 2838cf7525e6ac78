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

#[utoipa::path(
    patch,
    operation_id = "update_goods",
    path = "/goods/{goods_id}",
    tag = "goods",
    summary = "Change any subset of the owning merchant's goods",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = shop::catalogue::GoodsInput,
    responses(
        (status = 200, description = "the goods", body = shop::catalogue::Goods),
        shop::error::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers, and merchants who don't own the goods", body = shop::error::ErrorBody),
        shop::error::answers::NotFound,
        shop::error::answers::JsonBody,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Change any subset of the owning merchant's goods.
///
/// # Errors
/// 401, 403 (customers, other merchants), 404, 4xx for invalid bodies; 500 when AWS fails.
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
