//! The `goods` operations: the merchants' catalogue, browsed by anyone.
//! Each declaration documents the function named in the comment above it (its handler
//! is `<function>::handler`); its doc comment becomes the operation's description.

// functions/create-goods
#[utoipa::path(
    post,
    operation_id = "create_goods",
    path = "/goods",
    tag = "goods",
    summary = "Create goods (merchants)",
    request_body = shop::catalogue::GoodsInput,
    responses(
        (status = 201, description = "the goods, as their merchant sees them (with stock_reserved and stock_on_hand)", body = shop::catalogue::Goods, headers(("ETag" = String, description = "the goods' version, a strong entity tag: send it as If-Match to change them only if no one else has since (orders moving stock don't change it)"))),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden: only merchants", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Create goods (merchants).
///
/// # Errors
/// 401 without a session, 403 for customers, 4xx for invalid bodies; 500 when AWS fails.
pub fn create_goods() {}

// functions/delete-goods
#[utoipa::path(
    delete,
    operation_id = "delete_goods",
    path = "/goods/{goods_id}",
    tag = "goods",
    summary = "Delete the owning merchant's goods (past orders keep their lines)",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$"), ("If-Match" = Option<String>, Header, description = "change only if the goods are still at one of these versions (ETags, or *): 412 otherwise")),
    responses(
        (status = 204, description = "deleted"),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers, and merchants who don't own the goods", body = shop::error::ErrorBody),
        crate::answers::NotFound,
        crate::answers::PreconditionFailed,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Delete the owning merchant's goods (past orders keep their lines).
///
/// # Errors
/// 401, 403 (customers, other merchants), 404; 500 when AWS fails.
pub fn delete_goods() {}

// functions/get-goods
#[utoipa::path(
    get,
    operation_id = "get_goods",
    path = "/goods/{goods_id}",
    tag = "goods",
    summary = "One goods item; a signed-in caller's view is recorded",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the goods; their merchant also sees stock_reserved and stock_on_hand", body = shop::catalogue::Goods, headers(("ETag" = String, description = "the goods' version, a strong entity tag: send it as If-Match to change them only if no one else has since (orders moving stock don't change it)"))),
        crate::answers::NotFound,
        crate::answers::Internal
    )
)]
/// One goods item; a signed-in caller's view is recorded.
///
/// # Errors
/// 404 for unknown or deleted goods; 500 when DynamoDB fails.
pub fn get_goods() {}

// functions/list-goods
#[utoipa::path(
    get,
    operation_id = "list_goods",
    path = "/goods",
    tag = "goods",
    summary = "List goods: newest first, or cheapest first with a price bound",
    params(("category" = Option<String>, Query), ("merchant_id" = Option<String>, Query, pattern = "^([0-9A-HJKMNP-TV-Z]{26})?$", description = "one merchant's goods; empty counts as absent"), ("min_price" = Option<i64>, Query, minimum = 0), ("max_price" = Option<i64>, Query, minimum = 0), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of goods", body = shop::catalogue::api::GoodsPage),
        crate::answers::InvalidCursor,
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// List goods: newest first, or cheapest first with a price bound.
///
/// # Errors
/// 422 for invalid filters, 400 `invalid_cursor`; 500 when DynamoDB fails.
pub fn list_goods() {}

// functions/update-goods
#[utoipa::path(
    patch,
    operation_id = "update_goods",
    path = "/goods/{goods_id}",
    tag = "goods",
    summary = "Change any subset of the owning merchant's goods",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$"), ("If-Match" = Option<String>, Header, description = "change only if the goods are still at one of these versions (ETags, or *): 412 otherwise")),
    request_body = shop::catalogue::GoodsPatch,
    responses(
        (status = 200, description = "the goods, as their merchant sees them", body = shop::catalogue::Goods, headers(("ETag" = String, description = "the goods' version, a strong entity tag: send it as If-Match to change them only if no one else has since (orders moving stock don't change it)"))),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers, and merchants who don't own the goods", body = shop::error::ErrorBody),
        crate::answers::NotFound,
        (status = 409, description = "insufficient_stock: stock_adjustment would take what can be ordered below 0; concurrent_change: the goods kept changing under the change (retry)", body = shop::error::ErrorBody),
        crate::answers::PreconditionFailed,
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Change any subset of the owning merchant's goods. Stock changes in one of three ways,
/// each atomic against concurrent orders, payments and expiries: `stock` sets what can
/// be ordered, `stock_on_hand` the physical count (what can be ordered becomes it less
/// the units reserved by unpaid orders, at least 0), `stock_adjustment` adds a signed
/// number.
///
/// # Errors
/// 401, 403 (customers, other merchants), 404, 4xx for invalid bodies; 500 when AWS fails.
pub fn update_goods() {}

// functions/upload-image
#[utoipa::path(
    post,
    operation_id = "upload_image",
    path = "/goods/{goods_id}/images",
    tag = "goods",
    summary = "Get a presigned upload for one image of the owning merchant's goods",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = shop::catalogue::images::UploadInput,
    responses(
        (status = 201, description = "a presigned S3 POST: send `upload.fields` and then the file (field `file`) as multipart/form-data to `upload.url` before `expires_at`; the policy pins the key, the content type and exactly the declared length", body = shop::catalogue::images::UploadTicket),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers, and merchants who don't own the goods", body = shop::error::ErrorBody),
        crate::answers::NotFound,
        (status = 409, description = "too_many_images: the goods hold 10", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Get a presigned upload for one image (the owning merchant).
///
/// Once the file is uploaded, the shop checks it (an image of the declared type, at most
/// 4096 × 4096 pixels, at most 5 MiB), stores a 400 px wide JPEG thumbnail and appends
/// the image to the goods' `images` and `image_details` within seconds. A file that is
/// not a valid image is deleted and never shown.
///
/// # Errors
/// 401, 403 (customers, other merchants), 404, 409 `too_many_images`, 422 naming the
/// fields; 500 when AWS fails.
pub fn upload_image() {}

// functions/delete-image
#[utoipa::path(
    delete,
    operation_id = "delete_image",
    path = "/goods/{goods_id}/images/{image_id}",
    tag = "goods",
    summary = "Remove one image of the owning merchant's goods",
    params(
        ("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$"),
        ("image_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")
    ),
    responses(
        (status = 204, description = "removed: the image left the goods and its objects were deleted"),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers, and merchants who don't own the goods", body = shop::error::ErrorBody),
        crate::answers::NotFound,
        (status = 409, description = "concurrent_change: the goods kept changing; try again", body = shop::error::ErrorBody),
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Remove one image (uploaded, or a URL hosted elsewhere) of the owning merchant's goods.
///
/// # Errors
/// 401, 403 (customers, other merchants), 404 (no such goods or image), 409
/// `concurrent_change`; 500 when AWS fails.
pub fn delete_image() {}
