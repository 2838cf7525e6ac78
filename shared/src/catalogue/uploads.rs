//! The services behind goods images (see [`super::images`] for the flow): handing out
//! presigned uploads ([`ImageUploads`]), and the bucket's objects with the goods' list of
//! images ([`ImageStore`]: a checked upload's objects written and attached, an image
//! removed with its objects).

use aws_sdk_s3::primitives::ByteStream;

use super::images::{
    has_room, image_key, presigned_post, thumbnail_key, upload_key, ImageDetail, ImageType,
    PostTarget, UploadInput, UploadTicket, UPLOAD_SECONDS,
};
use super::repo::{Appended, ChangeError, GoodsRepo};
use crate::accounts::sessions::SessionsRepo;
use crate::auth::Merchant;
use crate::aws::Aws;
use crate::clock;
use crate::config::{self, ConfigError};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::store::StoreError;

/// What `POST /goods/{goods_id}/images` needs: sessions, the goods table and the
/// bucket to presign for.
pub struct ImageUploads {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    goods: GoodsRepo,
    target: PostTarget,
}

impl ImageUploads {
    /// Reads `SESSIONS_TABLE`, `GOODS_TABLE` and `IMAGES_BUCKET`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        let dynamodb = aws.dynamodb();
        let target = PostTarget::new(
            config::required("IMAGES_BUCKET")?,
            aws.region().to_owned(),
            aws.credentials().clone(),
        );
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
            target,
        })
    }

    /// A presigned upload of one image for `merchant`'s goods `goods_id`.
    ///
    /// # Errors
    /// 422 naming a refused type or length; 404 for unknown or deleted goods; 403 for
    /// someone else's; 409 `too_many_images` when the goods hold ten; 500 when DynamoDB
    /// fails.
    pub async fn start(
        &self,
        merchant: &Merchant,
        goods_id: &str,
        input: &UploadInput,
    ) -> Result<UploadTicket, ApiError> {
        let (kind, length) = input.validate().map_err(ApiError::Validation)?;
        let goods = self.goods.get(goods_id).await?.ok_or(ApiError::NotFound)?;
        if goods.merchant_id != merchant.user_id {
            return Err(ChangeError::NotOwner.into());
        }
        if !has_room(goods.images.len()) {
            return Err(too_many_images());
        }
        let image_id = new_id();
        let now = clock::now();
        let expires = now + time::Duration::seconds(UPLOAD_SECONDS);
        let key = upload_key(goods_id, &image_id);
        let upload = presigned_post(&self.target, &key, kind, length, now, expires);
        tracing::info!(%goods_id, %image_id, content_type = kind.content_type(), length, "upload presigned");
        Ok(UploadTicket {
            image_id,
            upload,
            expires_at: clock::rfc3339(expires),
        })
    }
}

fn too_many_images() -> ApiError {
    ApiError::Conflict {
        code: "too_many_images",
        message: format!(
            "Goods hold at most {} images; delete one first.",
            super::goods::MAX_IMAGES
        ),
    }
}

/// An upload as the bucket holds it.
#[derive(Debug)]
pub struct Uploaded {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The type it was uploaded as (the presigned policy pinned it).
    pub content_type: Option<String>,
}

/// What came of a checked upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attached {
    /// Now shown on the goods.
    Shown,
    /// Already shown (a redelivered event).
    AlreadyShown,
    /// Discarded: the goods are gone or hold ten images.
    Discarded,
}

/// The images bucket and the goods' lists of images.
pub struct ImageStore {
    /// The goods table.
    pub goods: GoodsRepo,
    s3: aws_sdk_s3::Client,
    bucket: String,
    base_url: String,
}

impl ImageStore {
    /// Reads `GOODS_TABLE`, `IMAGES_BUCKET` and `IMAGES_BASE_URL`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_aws(&Aws::from_env()?)
    }

    /// As [`ImageStore::from_env`], on an SDK configuration the caller shares.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_aws(aws: &Aws) -> Result<Self, ConfigError> {
        Ok(Self {
            goods: GoodsRepo::from_env(aws.dynamodb())?,
            s3: aws.s3(),
            bucket: config::required("IMAGES_BUCKET")?,
            base_url: config::required("IMAGES_BASE_URL")?
                .trim_end_matches('/')
                .to_owned(),
        })
    }

    /// The upload at `key` if it is still there and at most `max_bytes` long (a larger
    /// one is never read: `None` as well, after the size is known).
    ///
    /// # Errors
    /// When S3 fails.
    pub async fn read_upload(
        &self,
        key: &str,
        max_bytes: u64,
    ) -> Result<Option<Result<Uploaded, u64>>, StoreError> {
        let out = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(StoreError::new(e)),
        };
        let size = out.content_length().and_then(|n| u64::try_from(n).ok());
        match size {
            Some(size) if size <= max_bytes => {}
            other => return Ok(Some(Err(other.unwrap_or(u64::MAX)))),
        }
        let content_type = out.content_type().map(str::to_owned);
        let bytes = out.body.collect().await.map_err(StoreError::new)?.to_vec();
        if bytes.len() as u64 > max_bytes {
            return Ok(Some(Err(bytes.len() as u64)));
        }
        Ok(Some(Ok(Uploaded {
            bytes,
            content_type,
        })))
    }

    /// Writes a checked image and its thumbnail, then shows it on the goods (unless they
    /// are gone or full: then both objects are deleted again).
    ///
    /// # Errors
    /// When S3 or DynamoDB fails (a retry writes the same objects again).
    pub async fn attach(
        &self,
        goods_id: &str,
        image_id: &str,
        kind: ImageType,
        original: Vec<u8>,
        thumbnail: Vec<u8>,
    ) -> Result<Attached, StoreError> {
        let Some(goods) = self.goods.get(goods_id).await? else {
            return Ok(Attached::Discarded);
        };
        let detail = self.uploaded_detail(goods_id, image_id);
        if goods.images.contains(&detail.url) {
            return Ok(Attached::AlreadyShown);
        }
        if !has_room(goods.images.len()) {
            return Ok(Attached::Discarded);
        }
        self.put(
            &image_key(goods_id, image_id),
            kind.content_type(),
            original,
        )
        .await?;
        self.put(&thumbnail_key(goods_id, image_id), "image/jpeg", thumbnail)
            .await?;
        let now = clock::rfc3339(clock::now());
        let appended = self
            .goods
            .append_image(goods_id, &goods.merchant_id, &detail, &now)
            .await;
        match appended {
            Ok(Appended::Added(record)) => {
                tracing::info!(%goods_id, %image_id, images = record.images.len(), "image shown");
                Ok(Attached::Shown)
            }
            Ok(Appended::AlreadyThere) => Ok(Attached::AlreadyShown),
            Ok(Appended::Full) | Err(ChangeError::NotFound | ChangeError::NotOwner) => {
                self.delete_objects(goods_id, image_id).await?;
                Ok(Attached::Discarded)
            }
            Err(ChangeError::Store(e)) => Err(e),
            Err(other) => Err(StoreError::new(other.to_string())),
        }
    }

    /// Removes image `image_id` from `merchant`'s goods `goods_id`, then its objects
    /// when it was uploaded (an image hosted elsewhere only leaves the list).
    ///
    /// # Errors
    /// 404 for unknown goods or image; 403 for someone else's goods; 409 when the goods
    /// kept changing; 500 when DynamoDB or S3 fails (the image has left the goods; its
    /// objects stay until a retry finds nothing to remove, or forever: say so in logs).
    pub async fn remove(
        &self,
        merchant: &Merchant,
        goods_id: &str,
        image_id: &str,
    ) -> Result<(), ApiError> {
        let now = clock::rfc3339(clock::now());
        let (_, image) = (self.goods)
            .remove_image(goods_id, &merchant.user_id, image_id, &now)
            .await?;
        if image == self.uploaded_detail(goods_id, image_id) {
            self.delete_objects(goods_id, image_id)
                .await
                .inspect_err(|e| tracing::error!(%goods_id, %image_id, error = %crate::error::ErrorChain(e), "image removed, objects left"))?;
        }
        tracing::info!(%goods_id, %image_id, "image removed");
        Ok(())
    }

    /// The detail of image `image_id` of goods `goods_id` once uploaded: its URLs on the
    /// bucket's public front.
    fn uploaded_detail(&self, goods_id: &str, image_id: &str) -> ImageDetail {
        ImageDetail {
            image_id: image_id.to_owned(),
            url: format!("{}/{}", self.base_url, image_key(goods_id, image_id)),
            thumbnail_url: format!("{}/{}", self.base_url, thumbnail_key(goods_id, image_id)),
        }
    }

    /// Deletes an upload (checked or refused).
    ///
    /// # Errors
    /// When S3 fails.
    pub async fn delete_upload(&self, key: &str) -> Result<(), StoreError> {
        self.delete(key).await
    }

    async fn delete_objects(&self, goods_id: &str, image_id: &str) -> Result<(), StoreError> {
        self.delete(&image_key(goods_id, image_id)).await?;
        self.delete(&thumbnail_key(goods_id, image_id)).await
    }

    async fn put(&self, key: &str, content_type: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            // Keys are never reused: an image's bytes never change.
            .cache_control("public, max-age=31536000, immutable")
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.s3
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }
}
