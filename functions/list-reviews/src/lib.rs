//! `GET /goods/{goods_id}/reviews`: a goods item's reviews, newest first, each with its
//! merchant reply, paginated (one Query per page).

use lambda_http::{Body, Request, Response};
use shop::aws::Aws;
use shop::catalogue::repo::GoodsRepo;
use shop::config::ConfigError;
use shop::error::ApiError;
use shop::http;
use shop::reviews::repo::ReviewsRepo;

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

#[utoipa::path(
    get,
    operation_id = "list_reviews",
    path = "/goods/{goods_id}/reviews",
    tag = "reviews",
    summary = "Reviews of goods, newest first, each with its reply",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$"), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of reviews", body = shop::reviews::repo::ReviewPage),
        shop::error::answers::NotFound,
        shop::error::answers::InvalidCursor,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    )
)]
/// Reviews of goods, newest first, each with its reply.
///
/// # Errors
/// 404 for unknown goods, 422 `limit`, 400 `invalid_cursor`; 500 when DynamoDB fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let goods_id = http::id_param(&req, "goods_id")?;
    let page = http::page_params(&req)?;
    let (goods, page) = tokio::join!(
        ctx.goods.get_any(&goods_id),
        ctx.reviews
            .list(&goods_id, page.limit, page.cursor.as_deref())
    );
    goods?.ok_or(ApiError::NotFound)?;
    let page = page?;
    http::ok(&page)
}
