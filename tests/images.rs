//! Goods images end to end: the presigned POST a merchant gets, the upload a browser
//! makes with it (a `multipart/form-data` POST of the form's fields, then the file),
//! the check and thumbnail off the request path, and what is refused: a text file named
//! `.png`, a file over 5 MiB, a 20,000 × 20,000 PNG bomb — none shown, none left in the
//! bucket — and uploads for someone else's goods.

use e2e::contract::Goods;
use e2e::{assert_refused, eventually, Account, Api};
use image::{ImageEncoder, RgbImage};
use reqwest::Method;
use serde_json::{json, Value};

/// A real PNG photo-like picture.
fn png(width: u32, height: u32) -> Vec<u8> {
    let pixels = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 140])
    });
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A decompression bomb: a valid 20,000 × 20,000 one-bit PNG of a few dozen KB that
/// inflates to 400 MB of 8-bit pixels.
fn png_bomb() -> Vec<u8> {
    const SIDE: u32 = 20_000;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, SIDE, SIDE);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let row = vec![0u8; (SIDE / 8) as usize];
    for _ in 0..SIDE {
        std::io::Write::write_all(&mut stream, &row).unwrap();
    }
    stream.finish().unwrap();
    drop(writer);
    out
}

/// `POST /goods/{goods_id}/images` for a file of `content_type` and `length` bytes.
async fn ticket(
    api: &Api,
    who: &Account,
    goods_id: &str,
    content_type: &str,
    length: usize,
) -> (u16, Value) {
    api.call(
        Method::POST,
        &format!("/goods/{goods_id}/images"),
        Some(&who.token),
        Some(json!({"content_type": content_type, "content_length": length})),
    )
    .await
}

/// What a browser does with the ticket: the form's fields, then the file, as
/// `multipart/form-data` to its URL. Answers the status S3 gave.
async fn upload(ticket: &Value, file_name: &str, content_type: &str, bytes: Vec<u8>) -> u16 {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in ticket["upload"]["fields"].as_object().unwrap() {
        form = form.text(name.clone(), value.as_str().unwrap().to_owned());
    }
    let file = reqwest::multipart::Part::bytes(bytes)
        .file_name(file_name.to_owned())
        .mime_str(content_type)
        .unwrap();
    form = form.part("file", file);
    reqwest::Client::new()
        .post(ticket["upload"]["url"].as_str().unwrap())
        .multipart(form)
        .send()
        .await
        .expect("the bucket answers")
        .status()
        .as_u16()
}

/// The status `DELETE path` answers `who`.
async fn delete(api: &Api, who: &Account, path: &str) -> u16 {
    api.call(Method::DELETE, path, Some(&who.token), None)
        .await
        .0
}

/// The status of a plain GET of `url` and its bytes.
async fn fetch(url: &str) -> (u16, Vec<u8>) {
    let response = reqwest::get(url).await.expect("the bucket answers");
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// The URL of the ticket's upload object (moto serves the bucket path-style).
fn upload_object(ticket: &Value) -> String {
    format!(
        "{}/{}",
        ticket["upload"]["url"].as_str().unwrap(),
        ticket["upload"]["fields"]["key"].as_str().unwrap()
    )
}

/// Waits until the upload has been handled: its object is gone from the bucket.
async fn handled(ticket: &Value) {
    let object = upload_object(ticket);
    eventually(30, "the upload to be handled", || {
        let object = object.clone();
        async move { (fetch(&object).await.0 == 404).then_some(()) }
    })
    .await;
}

#[tokio::test]
async fn an_uploaded_png_is_shown_with_its_thumbnail_and_deleting_it_removes_both() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let goods = api.create_goods(&merchant, 4900, 5, "CNY").await;
    let picture = png(1200, 900);

    let (status, answer) =
        ticket(&api, &merchant, &goods.goods_id, "image/png", picture.len()).await;
    assert_eq!(status, 201, "{answer}");
    let image_id = answer["image_id"].as_str().unwrap().to_owned();
    assert!(answer["expires_at"].as_str().is_some(), "{answer}");
    assert!(upload(&answer, "photo.png", "image/png", picture.clone()).await < 300);

    let shown: Goods = eventually(30, "the image on the goods", || {
        let (api, id) = (api.clone(), goods.goods_id.clone());
        async move {
            let goods = api.goods(&id).await;
            (!goods.image_details.is_empty()).then_some(goods)
        }
    })
    .await;
    assert_eq!(shown.image_details.len(), 1);
    let detail = &shown.image_details[0];
    assert_eq!(detail.image_id, image_id);
    assert_eq!(shown.images, std::slice::from_ref(&detail.url));
    assert_ne!(detail.thumbnail_url, detail.url);

    let (status, original) = fetch(&detail.url).await;
    assert_eq!((status, original == picture), (200, true));
    let (status, thumbnail) = fetch(&detail.thumbnail_url).await;
    assert_eq!(status, 200);
    assert_eq!(
        image::guess_format(&thumbnail).unwrap(),
        image::ImageFormat::Jpeg
    );
    let thumbnail = image::load_from_memory(&thumbnail).unwrap();
    assert_eq!((thumbnail.width(), thumbnail.height()), (400, 300));
    assert_eq!(
        fetch(&upload_object(&answer)).await.0,
        404,
        "the upload is deleted"
    );

    // Listings show it too.
    let (_, page) = api
        .call(
            Method::GET,
            &format!("/goods?merchant_id={}", merchant.user_id),
            None,
            None,
        )
        .await;
    assert_eq!(
        page["items"][0]["image_details"][0]["image_id"],
        image_id.as_str()
    );

    let rival = api.signed_up("merchant").await;
    let path = format!("/goods/{}/images/{image_id}", goods.goods_id);
    assert_eq!(delete(&api, &rival, &path).await, 403);
    assert_eq!(delete(&api, &merchant, &path).await, 204);
    let after = api.goods(&goods.goods_id).await;
    assert!(
        after.images.is_empty() && after.image_details.is_empty(),
        "{after:?}"
    );
    assert_eq!(fetch(&detail.url).await.0, 404);
    assert_eq!(fetch(&detail.thumbnail_url).await.0, 404);
    assert_refused(
        &api.call(Method::DELETE, &path, Some(&merchant.token), None)
            .await,
        404,
        "not_found",
    );
}

#[tokio::test]
async fn text_oversize_files_and_a_png_bomb_are_never_shown_nor_kept() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let goods = api.create_goods(&merchant, 4900, 5, "CNY").await;

    // Declared over 5 MiB, or of a type we don't take: refused at once.
    let refused = ticket(
        &api,
        &merchant,
        &goods.goods_id,
        "image/png",
        5 * 1024 * 1024 + 1,
    )
    .await;
    assert_refused(&refused, 422, "validation_failed");
    assert!(
        refused.1["error"]["fields"]["content_length"].is_string(),
        "{}",
        refused.1
    );
    let gif = ticket(&api, &merchant, &goods.goods_id, "image/gif", 100).await;
    assert!(
        gif.1["error"]["fields"]["content_type"].is_string(),
        "{}",
        gif.1
    );

    let text = b"This is a text file, whatever its name says.".to_vec();
    let bomb = png_bomb();
    assert!(
        bomb.len() < 1024 * 1024,
        "the bomb is small: {} bytes",
        bomb.len()
    );
    // Over 5 MiB while declaring less: S3 refuses it (the policy's length range); where
    // the range isn't enforced, the check discards it unread.
    let mut oversize = png(64, 64);
    oversize.resize(5 * 1024 * 1024 + 4096, 0);
    let cases = [
        ("notes.png", text.clone(), text.len()),
        ("bomb.png", bomb.clone(), bomb.len()),
        ("huge.png", oversize, 1000),
    ];
    let mut tickets = Vec::new();
    for (name, bytes, declared) in cases {
        let (status, answer) =
            ticket(&api, &merchant, &goods.goods_id, "image/png", declared).await;
        assert_eq!(status, 201, "{answer}");
        let uploaded = upload(&answer, name, "image/png", bytes).await;
        if uploaded < 300 {
            tickets.push((name, answer));
        }
    }
    for (name, answer) in &tickets {
        handled(answer).await;
        let image_id = answer["image_id"].as_str().unwrap();
        let key = format!("images/{}/{image_id}", goods.goods_id);
        let bucket = answer["upload"]["url"].as_str().unwrap();
        assert_eq!(
            fetch(&format!("{bucket}/{key}")).await.0,
            404,
            "{name}: no image kept"
        );
        assert_eq!(
            fetch(&format!("{bucket}/{key}-400.jpg")).await.0,
            404,
            "{name}: no thumbnail"
        );
    }
    // A real image uploaded after them is shown: the refused ones were handled, not stuck.
    let picture = png(300, 200);
    let (_, good) = ticket(&api, &merchant, &goods.goods_id, "image/png", picture.len()).await;
    assert!(upload(&good, "ok.png", "image/png", picture).await < 300);
    handled(&good).await;
    let shown = api.goods(&goods.goods_id).await;
    assert_eq!(shown.image_details.len(), 1, "{shown:?}");
    assert_eq!(
        shown.image_details[0].image_id,
        good["image_id"].as_str().unwrap()
    );
    let (_, thumbnail) = fetch(&shown.image_details[0].thumbnail_url).await;
    let thumbnail = image::load_from_memory(&thumbnail).unwrap();
    assert_eq!(
        (thumbnail.width(), thumbnail.height()),
        (300, 200),
        "narrow images keep their size"
    );
}

#[tokio::test]
async fn only_the_owning_merchant_gets_uploads_and_goods_hold_ten_images() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let rival = api.signed_up("merchant").await;
    let customer = api.signed_up("customer").await;
    let goods = api.create_goods(&merchant, 4900, 5, "CNY").await;

    assert_refused(
        &ticket(&api, &rival, &goods.goods_id, "image/png", 100).await,
        403,
        "forbidden",
    );
    assert_refused(
        &ticket(&api, &customer, &goods.goods_id, "image/png", 100).await,
        403,
        "forbidden",
    );
    let unknown = ulid::Ulid::new().to_string();
    assert_refused(
        &ticket(&api, &merchant, &unknown, "image/png", 100).await,
        404,
        "not_found",
    );

    // Ten images hosted elsewhere: each has an id and is its own thumbnail; an eleventh is refused.
    let urls: Vec<String> = (0..10)
        .map(|i| format!("https://img.example.com/{i}.jpg"))
        .collect();
    let (status, patched) = api
        .call(
            Method::PATCH,
            &format!("/goods/{}", goods.goods_id),
            Some(&merchant.token),
            Some(json!({"images": urls})),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    let patched: Goods = serde_json::from_value(patched).unwrap();
    assert_eq!(patched.image_details.len(), 10);
    assert!(patched
        .image_details
        .iter()
        .zip(&urls)
        .all(|(d, u)| &d.url == u && &d.thumbnail_url == u));
    assert_refused(
        &ticket(&api, &merchant, &goods.goods_id, "image/webp", 100).await,
        409,
        "too_many_images",
    );

    // Ids stay the same from read to read, and one removes that image only.
    let again = api.goods(&goods.goods_id).await;
    assert_eq!(again.image_details, patched.image_details);
    let third = &patched.image_details[2];
    let path = format!("/goods/{}/images/{}", goods.goods_id, third.image_id);
    assert_eq!(delete(&api, &merchant, &path).await, 204);
    let after = api.goods(&goods.goods_id).await;
    let expected: Vec<String> = urls.iter().filter(|u| *u != &third.url).cloned().collect();
    assert_eq!(after.images, expected);
    let (status, _) = ticket(&api, &merchant, &goods.goods_id, "image/jpeg", 100).await;
    assert_eq!(status, 201, "room for one again");
}
