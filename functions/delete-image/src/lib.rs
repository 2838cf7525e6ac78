//! `DELETE /goods/{goods_id}/images/{image_id}`: the owning merchant removes one image.
//!
//! The image leaves `images` and `image_details` in one conditional write; an uploaded
//! image's object and thumbnail are then deleted from the bucket (an image hosted
//! elsewhere only leaves the list). Publishes `goods.updated`.

use lambda_http::{Body, Request, Response};
use shop::accounts::sessions::SessionsRepo;
use shop::auth::Merchant;
use shop::catalogue::uploads::ImageStore;
use shop::config::ConfigError;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start: sessions and the image store.
pub struct Context {
    sessions: SessionsRepo,
    images: ImageStore,
}

impl Context {
    /// Reads `SESSIONS_TABLE` and what [`ImageStore::from_env`] reads.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = shop::aws::Aws::from_env()?;
        Ok(Self {
            sessions: SessionsRepo::from_env(aws.dynamodb())?,
            images: ImageStore::from_aws(&aws)?,
        })
    }
}

/// Remove one image of the caller's goods.
pub async fn handler(context: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&context.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    let image_id = http::id_param(&req, "image_id")?;
    context
        .images
        .remove(&merchant, &goods_id, &image_id)
        .await?;
    Ok(http::no_content())
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
