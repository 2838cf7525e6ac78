//! Goods images: uploaded by the browser straight to S3, checked and thumbnailed off the
//! request path, served from the bucket's public front.
//!
//! 1. `POST /goods/{id}/images` (the owning merchant, fewer than [`MAX_IMAGES`] images)
//!    answers a presigned S3 POST ([`presigned_post`]) for the key
//!    `uploads/<goods id>/<image id>`, its policy pinned to that key, the declared content
//!    type and exactly the declared length, for 15 minutes. No Lambda carries the bytes.
//! 2. The bucket notifies the image-uploads queue of every object created under
//!    `uploads/`; `process-image` reads the object (at most [`MAX_UPLOAD_BYTES`], whatever
//!    the upload claimed), decodes it with limits set before decoding (a real image of
//!    its content type, at most [`MAX_DIMENSION`] a side), writes `images/<goods>/<image>`
//!    and a [`THUMBNAIL_WIDTH`] px wide JPEG `images/<goods>/<image>-400.jpg`, appends the
//!    image to the goods with one conditional write (live goods, fewer than ten images,
//!    not already there: a redelivered event changes nothing), and deletes the upload. An
//!    object that fails any check is deleted and never shown.
//! 3. Public URLs are `IMAGES_BASE_URL/<key>`: the template's CloudFront distribution in
//!    AWS (which may read only `images/`, so an unchecked upload is never served), the
//!    bucket's path on moto locally.
//!
//! The goods item keeps `images` (the URLs, in order, as clients have always read them)
//! and, for uploaded images, their [`ImageDetail`]s; [`details`] lists every image's,
//! deriving those of URLs hosted elsewhere (`POST`/`PATCH` `images`): an id made from
//! the URL's SHA-256 (so it is stable and `DELETE` can name it) and the URL itself as
//! thumbnail.

use std::collections::BTreeMap;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

use super::goods::MAX_IMAGES;
use crate::error::FieldErrors;

/// The largest upload accepted, in bytes (5 MiB).
pub const MAX_UPLOAD_BYTES: u64 = 5 * 1024 * 1024;
/// The largest width or height of an accepted image, in pixels.
pub const MAX_DIMENSION: u32 = 4096;
/// The width of a thumbnail, in pixels (narrower images keep their width).
pub const THUMBNAIL_WIDTH: u32 = 400;
/// How long a presigned upload stays valid, in seconds.
pub const UPLOAD_SECONDS: i64 = 15 * 60;
/// Where uploads land before they are checked (the bucket notifies on this prefix).
pub const UPLOADS_PREFIX: &str = "uploads/";

/// One image of a goods item as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImageDetail {
    /// Opaque id (what `DELETE /goods/{goods_id}/images/{image_id}` names).
    pub image_id: String,
    /// The image, as also listed in `images`.
    pub url: String,
    /// A 400 px wide JPEG of it (the URL itself for images hosted elsewhere).
    pub thumbnail_url: String,
}

/// The image types an upload may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
    /// `image/webp`.
    Webp,
}

impl ImageType {
    /// Every accepted type.
    pub const ALL: [Self; 3] = [Self::Jpeg, Self::Png, Self::Webp];

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    /// The type a media type names (parameters and case ignored), if accepted.
    pub fn parse(media: &str) -> Option<Self> {
        let media = media.split(';').next().unwrap_or_default().trim();
        Self::ALL
            .into_iter()
            .find(|t| t.content_type().eq_ignore_ascii_case(media))
    }
}

/// The body of `POST /goods/{goods_id}/images`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadInput {
    /// The file's type.
    #[schema(example = "image/png", pattern = "^image/(jpeg|png|webp)$")]
    pub content_type: String,
    /// The file's exact size in bytes.
    #[schema(minimum = 1, maximum = 5_242_880)]
    pub content_length: u64,
}

impl UploadInput {
    /// The declared type and length, when both are accepted.
    ///
    /// # Errors
    /// The fields that are not, named.
    pub fn validate(&self) -> Result<(ImageType, u64), FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = ImageType::parse(&self.content_type);
        if kind.is_none() {
            errors.add(
                "content_type",
                "must be image/jpeg, image/png or image/webp",
            );
        }
        if !(1..=MAX_UPLOAD_BYTES).contains(&self.content_length) {
            errors.add(
                "content_length",
                format!("must be between 1 and {MAX_UPLOAD_BYTES} bytes"),
            );
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok((kind, self.content_length)),
            _ => Err(errors),
        }
    }
}

/// A presigned S3 POST: the form a browser sends, file last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadForm {
    /// Where to POST the `multipart/form-data` form.
    pub url: String,
    /// The form's fields, to send as they are before the `file` field.
    pub fields: BTreeMap<String, String>,
}

/// The answer of `POST /goods/{goods_id}/images`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadTicket {
    /// The image's id once it is shown.
    pub image_id: String,
    /// The presigned POST.
    pub upload: UploadForm,
    /// RFC 3339; the form is refused after it.
    pub expires_at: String,
}

/// The key an upload of image `image_id` of goods `goods_id` is made to.
pub fn upload_key(goods_id: &str, image_id: &str) -> String {
    format!("{UPLOADS_PREFIX}{goods_id}/{image_id}")
}

/// The goods id and image id of an upload key, when it is one of ours.
pub fn parse_upload_key(key: &str) -> Option<(String, String)> {
    let (goods_id, image_id) = key.strip_prefix(UPLOADS_PREFIX)?.split_once('/')?;
    (crate::ids::is_id(goods_id) && crate::ids::is_id(image_id))
        .then(|| (goods_id.to_owned(), image_id.to_owned()))
}

/// The key of a checked image.
pub fn image_key(goods_id: &str, image_id: &str) -> String {
    format!("images/{goods_id}/{image_id}")
}

/// The key of a checked image's thumbnail.
pub fn thumbnail_key(goods_id: &str, image_id: &str) -> String {
    format!("images/{goods_id}/{image_id}-{THUMBNAIL_WIDTH}.jpg")
}

/// The detail of an image hosted elsewhere: an id derived from its URL, the URL as its
/// own thumbnail.
pub fn external_detail(url: &str) -> ImageDetail {
    let digest = Sha256::digest(url.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    ImageDetail {
        image_id: ulid::Ulid::from_bytes(bytes).to_string(),
        url: url.to_owned(),
        thumbnail_url: url.to_owned(),
    }
}

/// Every image's detail, in the order of `images`: the stored detail of an uploaded
/// image, a derived one for a URL hosted elsewhere.
pub fn details(images: &[String], uploaded: &[ImageDetail]) -> Vec<ImageDetail> {
    images
        .iter()
        .map(|url| {
            uploaded
                .iter()
                .find(|d| &d.url == url)
                .cloned()
                .unwrap_or_else(|| external_detail(url))
        })
        .collect()
}

/// Whether goods holding `count` images may take another.
pub fn has_room(count: usize) -> bool {
    count < MAX_IMAGES
}

/// Where and as whom presigned POSTs are made.
#[derive(Debug, Clone)]
pub struct PostTarget {
    /// The form's action: the bucket's endpoint.
    pub url: String,
    /// The bucket.
    pub bucket: String,
    /// Its region.
    pub region: String,
    /// The signer (the function's execution role).
    pub credentials: Credentials,
}

impl PostTarget {
    /// The bucket `bucket` in `region`, at the endpoint override when there is one
    /// (path-style: `<endpoint>/<bucket>`), else S3's virtual-hosted endpoint.
    pub fn new(bucket: String, region: String, credentials: Credentials) -> Self {
        let url = match crate::aws::endpoint_url("S3") {
            Some(endpoint) => format!("{}/{bucket}", endpoint.trim_end_matches('/')),
            None => format!("https://{bucket}.s3.{region}.amazonaws.com"),
        };
        Self {
            url,
            bucket,
            region,
            credentials,
        }
    }
}

const AMZ_DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");
const SCOPE_DATE: &[BorrowedFormatItem<'static>] = format_description!("[year][month][day]");
const EXPIRATION: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z");

/// A presigned S3 POST (SigV4 POST policy) for exactly `key`, of `kind`, of exactly
/// `length` bytes, valid until `expires`, signed at `now`.
pub fn presigned_post(
    target: &PostTarget,
    key: &str,
    kind: ImageType,
    length: u64,
    now: OffsetDateTime,
    expires: OffsetDateTime,
) -> UploadForm {
    let now = now.to_offset(time::UtcOffset::UTC);
    let amz_date = now.format(AMZ_DATE).expect("a UTC date formats");
    let scope_date = now.format(SCOPE_DATE).expect("a UTC date formats");
    let credential = format!(
        "{}/{scope_date}/{}/s3/aws4_request",
        target.credentials.access_key_id(),
        target.region
    );
    let mut fields = BTreeMap::from([
        ("key".to_owned(), key.to_owned()),
        ("Content-Type".to_owned(), kind.content_type().to_owned()),
        ("x-amz-algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
        ("x-amz-credential".to_owned(), credential),
        ("x-amz-date".to_owned(), amz_date),
    ]);
    if let Some(token) = target.credentials.session_token() {
        fields.insert("x-amz-security-token".to_owned(), token.to_owned());
    }
    let mut conditions = vec![
        serde_json::json!({"bucket": target.bucket}),
        serde_json::json!(["content-length-range", length, length]),
    ];
    conditions.extend(
        fields
            .iter()
            .map(|(name, value)| serde_json::json!({ name: value })),
    );
    let expiration = expires
        .to_offset(time::UtcOffset::UTC)
        .format(EXPIRATION)
        .expect("a UTC date formats");
    let policy = serde_json::json!({"expiration": expiration, "conditions": conditions});
    let policy = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
    let signing_key = aws_sigv4::sign::v4::generate_signing_key(
        target.credentials.secret_access_key(),
        SystemTime::from(now),
        &target.region,
        "s3",
    );
    let signature = aws_sigv4::sign::v4::calculate_signature(signing_key, policy.as_bytes());
    fields.insert("policy".to_owned(), policy);
    fields.insert("x-amz-signature".to_owned(), signature);
    UploadForm {
        url: target.url.clone(),
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> PostTarget {
        PostTarget {
            url: "https://b.s3.us-east-1.amazonaws.com".into(),
            bucket: "b".into(),
            region: "us-east-1".into(),
            credentials: Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"),
        }
    }

    #[test]
    fn the_policy_pins_bucket_key_type_and_exact_length() {
        let now = time::macros::datetime!(2026-12-02 18:30:00 UTC);
        let form = presigned_post(
            &target(),
            "uploads/g/i",
            ImageType::Png,
            1234,
            now,
            now + time::Duration::minutes(15),
        );
        let policy = base64::engine::general_purpose::STANDARD
            .decode(&form.fields["policy"])
            .unwrap();
        let policy: serde_json::Value = serde_json::from_slice(&policy).unwrap();
        assert_eq!(policy["expiration"], "2026-12-02T18:45:00.000Z");
        let conditions = policy["conditions"].as_array().unwrap();
        for expected in [
            serde_json::json!({"bucket": "b"}),
            serde_json::json!({"key": "uploads/g/i"}),
            serde_json::json!({"Content-Type": "image/png"}),
            serde_json::json!(["content-length-range", 1234, 1234]),
            serde_json::json!({"x-amz-credential": "AKIDEXAMPLE/20261202/us-east-1/s3/aws4_request"}),
            serde_json::json!({"x-amz-date": "20261202T183000Z"}),
        ] {
            assert!(
                conditions.contains(&expected),
                "{expected} in {conditions:?}"
            );
        }
        assert_eq!(form.fields["x-amz-signature"].len(), 64);
        assert!(!form.fields.contains_key("x-amz-security-token"));
    }

    #[test]
    fn the_signature_is_sigv4s_hmac_of_the_encoded_policy() {
        use hmac::{Hmac, Mac};
        let hmac = |key: &[u8], data: &str| {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().to_vec()
        };
        let now = time::macros::datetime!(2026-12-02 18:30:00 UTC);
        let form = presigned_post(&target(), "uploads/g/i", ImageType::Jpeg, 9, now, now);
        // SigV4's key derivation, written out: date, region, service, "aws4_request".
        let key = ["20261202", "us-east-1", "s3", "aws4_request"]
            .iter()
            .fold(b"AWS4secret".to_vec(), |key, part| hmac(&key, part));
        assert_eq!(
            form.fields["x-amz-signature"],
            hex::encode(hmac(&key, &form.fields["policy"]))
        );
    }

    #[test]
    fn uploads_declare_an_accepted_type_and_size() {
        let input = |t: &str, n| UploadInput {
            content_type: t.into(),
            content_length: n,
        };
        assert_eq!(
            input("image/PNG", 1).validate().unwrap(),
            (ImageType::Png, 1)
        );
        assert!(input("image/webp", MAX_UPLOAD_BYTES).validate().is_ok());
        let errors = input("image/gif", 0).validate().unwrap_err();
        let fields: Vec<&String> = errors.fields().keys().collect();
        assert_eq!(fields, ["content_length", "content_type"]);
        assert!(input("image/jpeg", MAX_UPLOAD_BYTES + 1)
            .validate()
            .is_err());
    }

    #[test]
    fn upload_keys_name_goods_and_image() {
        let (g, i) = (crate::ids::new_id(), crate::ids::new_id());
        assert_eq!(parse_upload_key(&upload_key(&g, &i)), Some((g.clone(), i)));
        assert_eq!(parse_upload_key(&format!("uploads/{g}/x")), None);
        assert_eq!(parse_upload_key(&image_key(&g, &g)), None);
    }

    #[test]
    fn images_hosted_elsewhere_get_a_stable_id_and_themselves_as_thumbnail() {
        let uploaded = ImageDetail {
            image_id: crate::ids::new_id(),
            url: "https://cdn/images/a".into(),
            thumbnail_url: "https://cdn/images/a-400.jpg".into(),
        };
        let images = vec![
            "https://elsewhere/x.jpg".to_owned(),
            "https://cdn/images/a".to_owned(),
        ];
        let listed = details(&images, std::slice::from_ref(&uploaded));
        assert_eq!(listed[1], uploaded);
        assert_eq!(listed[0].thumbnail_url, "https://elsewhere/x.jpg");
        assert!(crate::ids::is_id(&listed[0].image_id));
        assert_eq!(listed[0], external_detail("https://elsewhere/x.jpg"));
        assert_ne!(
            listed[0].image_id,
            external_detail("https://elsewhere/y.jpg").image_id
        );
    }
}
