//! SQS consumer of the image-uploads queue, which the images bucket notifies of every
//! object created under `uploads/`: each upload is checked and shown on its goods, or
//! deleted (see `shop::catalogue::images` for the whole flow).
//!
//! Checks, in order; a refusal deletes the upload and is logged with its reason:
//! 1. the key is one we presign (`uploads/<goods id>/<image id>`);
//! 2. the object is at most 5 MiB (a larger one is never read), whatever the upload
//!    claimed — the presigned policy pins the length in AWS, and this holds where it
//!    isn't enforced;
//! 3. its content type is one we accept, and its bytes are an image of that type (the
//!    format recognised from the bytes must be the declared one);
//! 4. `image`'s [`Limits`] are set before anything is decoded: at most 4096 × 4096
//!    pixels, read from the header, and at most [`MAX_ALLOC`] bytes allocated, so a
//!    decompression bomb (a 20,000 × 20,000 PNG of a few hundred KB) is refused from its
//!    header, never inflated;
//! 5. the whole image decodes.
//!
//! Then a 400 px wide JPEG thumbnail (alpha flattened onto white), both objects written
//! under `images/`, the image appended to the goods (conditionally: live goods, at most
//! ten images, once), and the upload deleted. Decoding runs on the blocking pool.
//!
//! S3's `s3:TestEvent` and an upload already gone (a redelivery after it was handled)
//! are acknowledged; an S3 or DynamoDB failure reports the message as failed, to come
//! back and, after the queue's `maxReceiveCount`, to move to its dead-letter queue.
//! The notification body is parsed for the three fields used (event name, key), so an
//! S3 or emulator version that adds fields changes nothing.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbImage};
use lambda_runtime::LambdaEvent;
use serde::Deserialize;
use shop::catalogue::images::{
    parse_upload_key, ImageType, MAX_DIMENSION, MAX_UPLOAD_BYTES, THUMBNAIL_WIDTH,
};
use shop::catalogue::uploads::{ImageStore, Uploaded};
use shop::consumer::{self, Batch, SqsEvent};
use shop::error::ErrorChain;
use shop::store::StoreError;

/// The most a decode may allocate: a 4096 × 4096 image of four 16-bit channels, with
/// room for the decoder's own buffers (the function has 1,024 MB).
pub const MAX_ALLOC: u64 = 192 * 1024 * 1024;
/// The thumbnail's JPEG quality.
const THUMBNAIL_QUALITY: u8 = 80;

/// What the function needs, built once per cold start.
pub type Context = ImageStore;

/// An S3 event notification, as much of it as is read.
#[derive(Debug, Default, Deserialize)]
struct Notification {
    #[serde(rename = "Records", default)]
    records: Vec<Record>,
}

#[derive(Debug, Deserialize)]
struct Record {
    #[serde(rename = "eventName", default)]
    event_name: String,
    s3: Entity,
}

#[derive(Debug, Deserialize)]
struct Entity {
    object: Object,
}

#[derive(Debug, Deserialize)]
struct Object {
    key: String,
}

/// Why an upload was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a key we presign.
    ForeignKey,
    /// Over 5 MiB (its size).
    TooLarge(u64),
    /// A content type we don't accept (as uploaded).
    UnacceptedType(Option<String>),
    /// The bytes are not an image of the declared type (what they were taken for).
    WrongFormat(Option<ImageFormat>),
    /// The image or its decoding is over the limits, or it doesn't decode.
    Undecodable(String),
}

/// Checks and shows each upload of the batch; failures of S3 or DynamoDB are reported
/// per message.
///
/// # Errors
/// Never: every failure is reported per message.
pub async fn handler(store: &ImageStore, event: LambdaEvent<SqsEvent>) -> consumer::Answer {
    let mut batch = Batch::of_size(event.payload.records.len());
    for message in event.payload.records {
        let message_id = message.message_id.unwrap_or_default();
        let body = message.body.unwrap_or_default();
        let Ok(notification) = serde_json::from_str::<Notification>(&body) else {
            tracing::warn!(%message_id, "not an S3 notification; left for the dead-letter queue");
            batch.fail(&message_id);
            continue;
        };
        for record in notification.records {
            if !record.event_name.starts_with("ObjectCreated") {
                continue;
            }
            let key = percent_encoding::percent_decode_str(&record.s3.object.key.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned();
            if let Err(e) = process(store, &key).await {
                tracing::error!(%message_id, error = %ErrorChain(&e), "upload not processed; it comes back");
                batch.fail(&message_id);
            }
        }
    }
    Ok(batch.finish("process-image"))
}

/// Checks the upload at `key` and shows it, or deletes it.
async fn process(store: &ImageStore, key: &str) -> Result<(), StoreError> {
    let Some((goods_id, image_id)) = parse_upload_key(key) else {
        return refuse(store, key, Refusal::ForeignKey).await;
    };
    let upload = match store.read_upload(key, MAX_UPLOAD_BYTES).await? {
        None => {
            tracing::info!(%goods_id, %image_id, "upload already handled");
            return Ok(());
        }
        Some(Err(size)) => return refuse(store, key, Refusal::TooLarge(size)).await,
        Some(Ok(upload)) => upload,
    };
    let checked = tokio::task::spawn_blocking(move || check(upload))
        .await
        .map_err(StoreError::new)?;
    let (kind, original, thumbnail) = match checked {
        Ok(checked) => checked,
        Err(refusal) => return refuse(store, key, refusal).await,
    };
    let attached = store
        .attach(&goods_id, &image_id, kind, original, thumbnail)
        .await?;
    tracing::info!(%goods_id, %image_id, ?attached, "upload checked");
    store.delete_upload(key).await
}

async fn refuse(store: &ImageStore, key: &str, refusal: Refusal) -> Result<(), StoreError> {
    tracing::warn!(%key, ?refusal, "upload refused and deleted");
    store.delete_upload(key).await
}

/// Checks an upload: its type, that it is an image of that type within the limits;
/// answers the type, the original bytes and the thumbnail's.
///
/// # Errors
/// Why it was refused.
pub fn check(upload: Uploaded) -> Result<(ImageType, Vec<u8>, Vec<u8>), Refusal> {
    let Some(kind) = upload.content_type.as_deref().and_then(ImageType::parse) else {
        return Err(Refusal::UnacceptedType(upload.content_type));
    };
    let image = decode(&upload.bytes, kind)?;
    let thumbnail = thumbnail(&image).map_err(|e| Refusal::Undecodable(e.to_string()))?;
    Ok((kind, upload.bytes, thumbnail))
}

/// Decodes `bytes` as an image of `kind`, with the limits set before decoding.
///
/// # Errors
/// A format other than `kind`, limits exceeded, or bytes that don't decode.
pub fn decode(bytes: &[u8], kind: ImageType) -> Result<DynamicImage, Refusal> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Refusal::Undecodable(e.to_string()))?;
    let expected = match kind {
        ImageType::Jpeg => ImageFormat::Jpeg,
        ImageType::Png => ImageFormat::Png,
        ImageType::Webp => ImageFormat::WebP,
    };
    if reader.format() != Some(expected) {
        return Err(Refusal::WrongFormat(reader.format()));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| Refusal::Undecodable(e.to_string()))?;
    if image.width() > MAX_DIMENSION || image.height() > MAX_DIMENSION {
        return Err(Refusal::Undecodable(format!(
            "{} × {} is over {MAX_DIMENSION} a side",
            image.width(),
            image.height()
        )));
    }
    Ok(image)
}

/// A JPEG [`THUMBNAIL_WIDTH`] px wide (narrower images keep their size), transparent
/// pixels on white.
///
/// # Errors
/// When the encoder fails.
pub fn thumbnail(image: &DynamicImage) -> Result<Vec<u8>, image::ImageError> {
    let rgba = if image.width() > THUMBNAIL_WIDTH {
        image
            .resize(THUMBNAIL_WIDTH, u32::MAX, FilterType::Triangle)
            .to_rgba8()
    } else {
        image.to_rgba8()
    };
    let flat = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let (c, a) = (u32::from(c), u32::from(a));
            u8::try_from((c * a + 255 * (255 - a) + 127) / 255).unwrap_or(u8::MAX)
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, THUMBNAIL_QUALITY).encode_image(&flat)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbaImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let pixels = RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([
                (x % 256) as u8,
                (y % 256) as u8,
                90,
                if x < 5 { 0 } else { 255 },
            ])
        });
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&pixels, width, height, image::ExtendedColorType::Rgba8)
            .unwrap();
        out
    }

    fn upload(bytes: Vec<u8>, content_type: &str) -> Uploaded {
        Uploaded {
            bytes,
            content_type: Some(content_type.to_owned()),
        }
    }

    #[test]
    fn a_png_gets_a_400_px_wide_jpeg_thumbnail_keeping_its_aspect() {
        let (kind, original, thumb) = check(upload(png(1000, 500), "image/png")).unwrap();
        assert_eq!(kind, ImageType::Png);
        assert_eq!(original, png(1000, 500));
        let thumb = image::load_from_memory(&thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (400, 200));
        assert_eq!(
            image::guess_format(&check(upload(png(1000, 500), "image/png")).unwrap().2).unwrap(),
            ImageFormat::Jpeg
        );
        // Transparent pixels land on white, not black.
        let rgb = thumb.to_rgb8();
        assert!(
            rgb.get_pixel(0, 10).0.iter().all(|c| *c > 200),
            "{:?}",
            rgb.get_pixel(0, 10)
        );
    }

    #[test]
    fn a_narrow_image_keeps_its_width() {
        let thumb = check(upload(png(120, 80), "image/png")).unwrap().2;
        let thumb = image::load_from_memory(&thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (120, 80));
    }

    #[test]
    fn text_named_as_an_image_or_the_wrong_type_is_refused() {
        let text = upload(b"just some text, not a picture".to_vec(), "image/png");
        assert!(matches!(check(text), Err(Refusal::WrongFormat(None))));
        let declared_jpeg = upload(png(10, 10), "image/jpeg");
        assert_eq!(
            check(declared_jpeg).unwrap_err(),
            Refusal::WrongFormat(Some(ImageFormat::Png))
        );
        let gif = upload(png(10, 10), "image/gif");
        assert_eq!(
            check(gif).unwrap_err(),
            Refusal::UnacceptedType(Some("image/gif".into()))
        );
        let mut truncated = png(300, 300);
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(
            check(upload(truncated, "image/png")),
            Err(Refusal::Undecodable(_))
        ));
    }

    #[test]
    fn an_image_over_4096_a_side_is_refused_from_its_header() {
        let wide = png(MAX_DIMENSION + 1, 1);
        assert!(matches!(
            check(upload(wide, "image/png")),
            Err(Refusal::Undecodable(_))
        ));
        assert!(check(upload(png(MAX_DIMENSION, 1), "image/png")).is_ok());
    }
}
