//! Recommendations, end to end: views, cart additions and purchases made through the API
//! reach the `learn-similarity` consumer through the behaviour queue, the scheduled
//! `fit-similarity` (every 2 s in the tests' stack) fits them, and they change
//! `GET /recommendations` and `GET /goods/{id}/similar` within seconds.

use e2e::{await_dead_letter, eventually, purchases_of, send_batch, unique, Account, Api};
use reqwest::Method;
use serde_json::{json, Value};

/// Seconds behaviour may take to show.
const FRESH: u64 = 20;

async fn create(api: &Api, merchant: &Account, name: &str) -> String {
    let body = json!({"name": format!("{name} {}", unique()), "description": "d", "price": 500,
                      "category": "Recs", "stock": 1000});
    let (status, item) = api
        .call(Method::POST, "/goods", Some(&merchant.token), Some(body))
        .await;
    assert_eq!(status, 201, "{item}");
    item["goods_id"].as_str().unwrap().to_owned()
}

async fn view(api: &Api, user: &Account, goods: &str) {
    let (status, _) = api
        .call(
            Method::GET,
            &format!("/goods/{goods}"),
            Some(&user.token),
            None,
        )
        .await;
    assert_eq!(status, 200);
}

async fn recommendations(api: &Api, user: &Account, strategy: &str) -> Value {
    let (status, body) = api
        .call(
            Method::GET,
            &format!("/recommendations?strategy={strategy}&limit=50"),
            Some(&user.token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn goods_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["goods"]["goods_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until the user's `strategy` recommendations satisfy `check`.
async fn await_recommendations(
    api: &Api,
    user: &Account,
    strategy: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    eventually(FRESH, what, || async {
        let page = recommendations(api, user, strategy).await;
        check(&page).then_some(page)
    })
    .await
}

#[tokio::test]
async fn browsing_carting_and_buying_shape_recommendations() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let [a, b, c, d, e] = [
        create(&api, &merchant, "Teapot").await,
        create(&api, &merchant, "Teacups").await,
        create(&api, &merchant, "Tea towel").await,
        create(&api, &merchant, "Kettle").await,
        create(&api, &merchant, "Stove").await,
    ];
    let others = [
        api.signed_up("customer").await,
        api.signed_up("customer").await,
        api.signed_up("customer").await,
    ];
    for (i, user) in others.iter().enumerate() {
        view(&api, user, &a).await;
        view(&api, user, &b).await;
        if i < 2 {
            view(&api, user, &c).await;
            let (status, _) = api
                .call(
                    Method::PUT,
                    &format!("/cart/items/{d}"),
                    Some(&user.token),
                    Some(json!({"quantity": 1})),
                )
                .await;
            assert_eq!(status, 200);
            view(&api, user, &e).await;
        }
    }

    // Similar goods: b was viewed with a by everyone, c by two of three.
    let mut baskets = fit_similarity::Baskets::default();
    for basket in [&[&a, &b, &c, &d, &e][..], &[&a, &b, &c, &d, &e], &[&a, &b]] {
        baskets.add(basket.iter().map(|g| g.as_str()));
    }
    let fitted = baskets.fit(
        fit_similarity::LAMBDA,
        shop::recs::model::TOP_K,
        fit_similarity::MAX_ITEMS,
    );
    let expected = &fitted[&a].w;
    assert!(expected[&b] > expected[&c], "{expected:?}");
    let similar = eventually(FRESH, "a's similar goods", || async {
        let (status, page) = api
            .call(Method::GET, &format!("/goods/{a}/similar"), None, None)
            .await;
        assert_eq!(status, 200);
        let ids = goods_ids(&page);
        let score = |g: &str| {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["goods"]["goods_id"] == g)
                .and_then(|i| i["score"].as_f64())
        };
        // Once every view has been applied and fitted: b met a in all three windows, c,
        // d and e in two. These goods are in no other window, so their weights are EASE's
        // on these three alone.
        let settled = [(&b, expected[&b]), (&c, expected[&c])]
            .iter()
            .all(|(g, w)| score(g).is_some_and(|s| (s - w).abs() < 1e-5));
        (ids.first() == Some(&b) && settled).then_some(page)
    })
    .await;
    assert_eq!(similar["items"].as_array().unwrap().len(), 4, "{similar}");

    // A new user's view of a brings b, then c, naming a as the reason.
    let me = api.signed_up("customer").await;
    view(&api, &me, &a).await;
    let page = await_recommendations(&api, &me, "history", "history recommendations", |p| {
        let ids = goods_ids(p);
        ids.contains(&b) && ids.contains(&c)
    })
    .await;
    let first = &page["items"][0];
    assert_eq!(first["goods"]["goods_id"], b.as_str(), "{page}");
    assert_eq!(first["reason"], json!({"type": "viewed", "goods_id": a}));
    assert!(
        !goods_ids(&page).contains(&a),
        "not what the user just viewed"
    );

    // The cart leads to what was viewed with the cart's goods.
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("/cart/items/{d}"),
            Some(&me.token),
            Some(json!({"quantity": 1})),
        )
        .await;
    assert_eq!(status, 200);
    await_recommendations(&api, &me, "cart", "cart recommendations", |p| {
        p["items"].as_array().unwrap().iter().any(|i| {
            i["goods"]["goods_id"] == e.as_str()
                && i["reason"] == json!({"type": "in_cart", "goods_id": d})
        })
    })
    .await;

    // Bought goods are never recommended, at once; deleted goods neither.
    api.buy(&me, &b).await;
    for strategy in ["history", "behavior", "auto", "cart"] {
        let page = recommendations(&api, &me, strategy).await;
        assert!(!goods_ids(&page).contains(&b), "{strategy}: {page}");
    }
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/goods/{c}"),
            Some(&merchant.token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let page = recommendations(&api, &me, "auto").await;
    assert!(!goods_ids(&page).contains(&c), "{page}");
    let (_, similar) = api
        .call(Method::GET, &format!("/goods/{a}/similar"), None, None)
        .await;
    assert!(!goods_ids(&similar).contains(&c), "{similar}");

    // What was bought seeds `behavior`.
    await_recommendations(
        &api,
        &me,
        "behavior",
        "behavior recommendations from the purchase",
        |p| {
            p["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["reason"] == json!({"type": "bought", "goods_id": b}))
        },
    )
    .await;
}

#[tokio::test]
async fn a_new_user_gets_popular_goods_and_bad_parameters_get_422() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let goods = create(&api, &merchant, "Bestseller").await;
    let buyer = api.signed_up("customer").await;
    api.buy(&buyer, &goods).await;

    let newcomer = api.signed_up("customer").await;
    let page = await_recommendations(&api, &newcomer, "auto", "popular goods", |p| {
        goods_ids(p).contains(&goods)
    })
    .await;
    for item in page["items"].as_array().unwrap() {
        assert_eq!(
            item["reason"],
            json!({"type": "popular", "goods_id": null}),
            "{page}"
        );
    }
    let page = recommendations(&api, &buyer, "auto").await;
    assert!(
        !goods_ids(&page).contains(&goods),
        "the buyer has it: {page}"
    );

    for query in ["strategy=nonsense", "limit=0", "limit=101"] {
        let (status, body) = api
            .call(
                Method::GET,
                &format!("/recommendations?{query}"),
                Some(&newcomer.token),
                None,
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("validation_failed")),
            "{query}"
        );
    }
    let (status, _) = api
        .call(
            Method::GET,
            "/goods/01JDQ7X8Z3N2V5K6W9Y0A1B2C3/similar",
            None,
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_redelivered_event_applies_once_and_a_poison_message_goes_to_the_dead_letter_queue() {
    let goods = shop::ids::new_id();
    let purchased = shop::events::Purchased {
        order_id: shop::ids::new_id(),
        quantity: 1,
        unit_price: 100,
        currency: "CNY".into(),
    };
    let purchase = shop::events::Envelope::new(
        shop::events::Event::Purchase(purchased),
        Some(&shop::ids::new_id()),
        Some(&goods),
    );
    let body = serde_json::to_string(&purchase).unwrap();
    let poison = format!("{{\"poison\": \"{}\"}}", unique());
    send_batch("EventsQueue", &[body.clone(), poison.clone(), body]).await;

    let ids = [goods];
    eventually(FRESH, "the purchase applied", || async {
        (purchases_of(&ids).await[0] > 0).then_some(())
    })
    .await;
    await_dead_letter("EventsDeadLetterQueue", &poison).await;
    assert_eq!(
        purchases_of(&ids).await,
        [1],
        "the same event id applies once"
    );
}
