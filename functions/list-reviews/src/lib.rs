//! `GET /goods/{goods_id}/reviews`: a goods item's reviews, newest first, each with its
//! merchant reply, paginated (one Query per page).

use lambda_http::{Body, Request, Response};
use shop::aws::Aws;
use shop::config::ConfigError;
use shop::contexts::Orders;
use shop::domain::is_id;
use shop::error::ApiError;
use shop::http;
use shop::repo::goods::GoodsRepo;
use shop::repo::reviews::ReviewsRepo;

/// What the function needs, built once per cold start.
pub struct Context {
    goods: GoodsRepo,
    reviews: ReviewsRepo,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            goods: GoodsRepo::from_env(dynamodb.clone())?,
            reviews: ReviewsRepo::from_env(dynamodb)?,
        })
    }
}

/// Handles one request.
///
/// # Errors
/// 404 for unknown goods, 422 `limit`, 400 `invalid_cursor`; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let goods_id = http::path_param(&req, "goods_id")?;
    if !is_id(&goods_id) {
        return Err(ApiError::NotFound);
    }
    let (limit, cursor) = Orders::page_params(&req)?;
    let (goods, page) = tokio::join!(
        ctx.goods.get_any(&goods_id),
        ctx.reviews.list(&goods_id, limit, cursor.as_deref())
    );
    goods?.ok_or(ApiError::NotFound)?;
    let page = page?;
    http::ok(&serde_json::json!({ "items": page.items, "next_cursor": page.next_cursor }))
}
