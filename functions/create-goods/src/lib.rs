//! `POST /goods`: a merchant adds goods to the catalogue.
//!
//! Publishes `goods.created` (with the item) to the goods-changes queue for search
//! and recommendations.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::catalogue::repo::GoodsRecord;
use shop::catalogue::GoodsInput;
use shop::clock;
use shop::error::ApiError;
use shop::events::Event;
use shop::http;
use shop::ids::new_id;

/// What the function needs, built once per cold start.
pub type Context = shop::catalogue::GoodsChanges;

/// Fields a new goods item must have (`currency` defaults to CNY, `images` to none).
const REQUIRED: &[&str] = &["name", "description", "price", "category", "stock"];

/// Create goods (merchants).
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = Merchant::from_request(&ctx.sessions, &req).await?;
    let fields = http::json_body::<GoodsInput>(&req)?
        .validate(REQUIRED)
        .map_err(ApiError::Validation)?;
    let now = clock::rfc3339(clock::now());
    let record = GoodsRecord::new(new_id(), caller.user_id.clone(), fields, &now);
    ctx.goods.create(&record).await?;
    let goods = record.public();
    tracing::info!(goods_id = %goods.goods_id, merchant_id = %caller.user_id, "goods created");
    ctx.publish(
        Event::GoodsCreated(Box::new(goods.clone())),
        &caller,
        &goods.goods_id,
    )
    .await;
    http::created(&goods)
}

shop::refuses_anonymous_callers!();
