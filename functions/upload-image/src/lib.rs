//! `POST /goods/{goods_id}/images`: the owning merchant gets a presigned S3 POST for one
//! image (`{content_type, content_length}` → 201 `{image_id, upload: {url, fields},
//! expires_at}`).
//!
//! The browser then sends the file straight to S3; `process-image` checks it and shows
//! it on the goods within seconds (see `shop::catalogue::images`). 409 `too_many_images`
//! when the goods hold ten.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::catalogue::images::UploadInput;
use shop::catalogue::uploads::ImageUploads;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = ImageUploads;

/// Presign one image upload for the caller's goods.
pub async fn handler(uploads: &ImageUploads, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&uploads.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    let input: UploadInput = http::json_body(&req)?;
    let ticket = uploads.start(&merchant, &goods_id, &input).await?;
    http::json(StatusCode::CREATED, &ticket)
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
