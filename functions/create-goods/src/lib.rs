//! `POST /goods`: a merchant adds goods to the catalogue.
//!
//! Nothing is published: the goods table's stream carries the new item to search.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::catalogue::{GoodsChanges, GoodsInput};
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = GoodsChanges;

/// Create goods (merchants).
pub async fn handler(catalogue: &GoodsChanges, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&catalogue.sessions, &req).await?;
    let input: GoodsInput = http::json_body(&req)?;
    let record = catalogue.create(&merchant, input).await?;
    Ok(http::with_etag(
        http::created(&record.owner_view())?,
        &record.tag(),
    ))
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
