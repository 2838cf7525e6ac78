//! `DELETE /goods/{goods_id}`: the owning merchant removes goods from sale.
//!
//! A soft delete: the item keeps its data for the orders and reviews that name it, but
//! leaves every listing and answers 404 from then on; with `If-Match`, only if the goods
//! are still at that version (412 otherwise). Publishes `goods.deleted` so search and
//! recommendations drop it.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::catalogue::GoodsChanges;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = GoodsChanges;

/// Delete the owning merchant's goods (past orders keep their lines).
pub async fn handler(catalogue: &GoodsChanges, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&catalogue.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    catalogue
        .delete(&merchant, &goods_id, http::if_match(&req).as_ref())
        .await
        .map(|()| http::no_content())
}
