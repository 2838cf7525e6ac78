//! Reviews end to end: buy, pay, review, reply, list; only verified buyers review,
//! once each; only the goods' merchant replies; ratings stay exact under concurrency;
//! Chinese and English text is kept as written.

use e2e::{Account, Api};
use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

async fn goods(api: &Api, merchant: &Account) -> String {
    api.create_goods(merchant, 990, 1000, "CNY").await.goods_id
}

async fn buy(api: &Api, buyer: &Account, goods_id: &str) {
    api.buy(buyer, goods_id).await;
}

async fn review(api: &Api, buyer: &Account, goods_id: &str, body: Value) -> (u16, Value) {
    api.call(
        Method::POST,
        &format!("/goods/{goods_id}/reviews"),
        Some(&buyer.token),
        Some(body),
    )
    .await
}

async fn rating(api: &Api, goods_id: &str) -> Value {
    api.call(Method::GET, &format!("/goods/{goods_id}"), None, None)
        .await
        .1["rating"]
        .clone()
}

#[tokio::test]
async fn a_buyer_reviews_the_merchant_replies_and_the_listing_shows_both() {
    let api = Api::new();
    let (merchant, buyer, stranger) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
        api.signed_up("customer").await,
    );
    let g = goods(&api, &merchant).await;

    let (status, refused) = review(
        &api,
        &buyer,
        &g,
        json!({"rating": 5, "comment": "before buying"}),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (403, Some("not_purchased"))
    );
    buy(&api, &buyer, &g).await;
    let comment = "音质很好，蓝牙连接稳定。Great sound <b>really</b> & stable.";
    let (status, created) =
        review(&api, &buyer, &g, json!({"rating": 4, "comment": comment})).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["comment"], comment, "kept exactly as written");
    assert_eq!(created["username"], buyer.username.as_str());
    assert_eq!(created["reply"], Value::Null);
    assert_eq!(rating(&api, &g).await, json!({"average": 4.0, "count": 1}));
    let (status, again) = review(&api, &buyer, &g, json!({"rating": 1, "comment": "again"})).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("already_reviewed"))
    );
    let (status, _) = review(
        &api,
        &stranger,
        &g,
        json!({"rating": 1, "comment": "never bought"}),
    )
    .await;
    assert_eq!(status, 403);

    let id = created["review_id"].as_str().unwrap();
    let rival = api.signed_up("merchant").await;
    let (status, _) = api
        .call(
            Method::POST,
            &format!("/reviews/{id}/reply"),
            Some(&rival.token),
            Some(json!({"reply": "not mine"})),
        )
        .await;
    assert_eq!(status, 403, "another merchant");
    let (status, _) = api
        .call(
            Method::POST,
            &format!("/reviews/{id}/reply"),
            Some(&buyer.token),
            Some(json!({"reply": "me"})),
        )
        .await;
    assert_eq!(status, 403, "a customer");
    let (status, replied) = api
        .call(
            Method::POST,
            &format!("/reviews/{id}/reply"),
            Some(&merchant.token),
            Some(json!({"reply": "谢谢！"})),
        )
        .await;
    assert_eq!(
        (status, replied["reply"]["text"].as_str()),
        (200, Some("谢谢！"))
    );
    let (_, replaced) = api
        .call(
            Method::POST,
            &format!("/reviews/{id}/reply"),
            Some(&merchant.token),
            Some(json!({"reply": "Thanks!"})),
        )
        .await;
    assert_eq!(replaced["reply"]["text"], "Thanks!");

    let (status, listing) = api
        .call(Method::GET, &format!("/goods/{g}/reviews"), None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listing["items"][0]["review_id"], id);
    assert_eq!(listing["items"][0]["reply"]["text"], "Thanks!");
    assert_eq!(listing["items"][0]["comment"], comment);
}

#[tokio::test]
async fn thirty_buyers_at_once_give_an_exact_summary_and_one_buyer_ten_times_gives_one_review() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let g = goods(&api, &merchant).await;
    let buyers = join_all((0..30).map(|_| {
        let api = api.clone();
        async move { api.signed_up("customer").await }
    }))
    .await;
    join_all(buyers.iter().map(|b| {
        let (api, g) = (api.clone(), g.clone());
        async move { buy(&api, b, &g).await }
    }))
    .await;
    let ratings: Vec<i64> = (0..30).map(|i| 1 + (i % 5)).collect();
    let answers = join_all(buyers.iter().zip(&ratings).map(|(b, r)| {
        let (api, g) = (api.clone(), g.clone());
        async move {
            review(&api, b, &g, json!({"rating": r, "comment": "concurrent"}))
                .await
                .0
        }
    }))
    .await;
    assert!(answers.iter().all(|s| *s == 201), "{answers:?}");
    let sum: i64 = ratings.iter().sum();
    let expected = (sum as f64 / 30.0 * 100.0).round() / 100.0;
    assert_eq!(
        rating(&api, &g).await,
        json!({"average": expected, "count": 30})
    );

    let same = &buyers[0];
    let g2 = goods(&api, &merchant).await;
    buy(&api, same, &g2).await;
    let answers = join_all((0..10).map(|_| {
        let (api, g2) = (api.clone(), g2.clone());
        async move {
            review(&api, same, &g2, json!({"rating": 5, "comment": "x"}))
                .await
                .0
        }
    }))
    .await;
    assert_eq!(
        answers.iter().filter(|s| **s == 201).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|s| **s == 409).count(),
        9,
        "{answers:?}"
    );
    assert_eq!(rating(&api, &g2).await["count"], 1);

    let mut seen = Vec::new();
    let mut path = format!("/goods/{g}/reviews?limit=7");
    // 30 reviews at 7 a page: 5 pages; more would mean the cursor never ends.
    for round in 0.. {
        assert!(round < 10, "the listing kept handing out cursors");
        let (status, page) = api.call(Method::GET, &path, None, None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["review_id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/goods/{g}/reviews?limit=7&cursor={c}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen.len(), 30);
    assert_eq!(seen, sorted, "newest first across pages");
}

#[tokio::test]
async fn bad_reviews_are_refused_and_write_nothing() {
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let g = goods(&api, &merchant).await;
    buy(&api, &buyer, &g).await;
    let cases = [
        (json!({"rating": 0, "comment": "x"}), "rating"),
        (json!({"rating": 6, "comment": "x"}), "rating"),
        (json!({"rating": 4.5, "comment": "x"}), "rating"),
        (json!({"rating": "5", "comment": "x"}), "rating"),
        (json!({"rating": 5, "comment": ""}), "comment"),
        (json!({"rating": 5, "comment": "x".repeat(2001)}), "comment"),
        (
            json!({"rating": 5, "comment": "字".repeat(2001)}),
            "comment",
        ),
        (json!({"rating": 5}), "comment"),
        (json!({"rating": 5, "comment": "x", "stars": 5}), "stars"),
    ];
    for (body, field) in cases {
        let (status, answer) = review(&api, &buyer, &g, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field} in {answer}"
        );
    }
    assert_eq!(rating(&api, &g).await["count"], 0, "nothing written");
    let long_chinese = "好".repeat(2000);
    let (status, created) = review(
        &api,
        &buyer,
        &g,
        json!({"rating": 5, "comment": long_chinese}),
    )
    .await;
    assert_eq!(status, 201, "2000 Chinese characters fit: {created}");
    assert_eq!(created["comment"].as_str().unwrap().chars().count(), 2000);
    for path in [
        "/goods/01JDQ7X8Z3N2V5K6W9Y0A1B2C3/reviews",
        "/goods/nope/reviews",
    ] {
        assert_eq!(api.call(Method::GET, path, None, None).await.0, 404);
    }
}
