//! Goods end to end: merchants create, edit, list (every filter, across pages) and
//! delete; every forbidden role and ownership is refused; bad input writes nothing;
//! views and changes arrive on the emulated SQS queues in the documented envelope.

use std::collections::BTreeSet;

use e2e::{unique, Account, Api};
use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

fn goods(name: &str, category: &str, price: i64) -> Value {
    json!({"name": name, "description": format!("{name}, described."), "price": price,
           "category": category, "stock": 10, "images": ["https://img.example.com/x.jpg"]})
}

async fn create(api: &Api, merchant: &Account, body: Value) -> Value {
    let (status, item) = api
        .call(Method::POST, "/goods", Some(&merchant.token), Some(body))
        .await;
    assert_eq!(status, 201, "{item}");
    item
}

/// Follows `next_cursor` from `path` to the end; returns every goods id in order.
async fn list_all(api: &Api, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}cursor={c}"),
            None => path.to_owned(),
        };
        let (status, page) = api.call(Method::GET, &url, None, None).await;
        assert_eq!(status, 200, "{url}: {page}");
        ids.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["goods_id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
    panic!("{path} never ended");
}

#[tokio::test]
async fn a_merchant_creates_edits_reads_and_deletes_goods() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let created = create(
        &api,
        &merchant,
        json!({
        "name": "无线蓝牙耳机 Wireless Headphones", "description": "蓝牙 5.3", "price": 19900,
        "category": "Electronics", "stock": 50}),
    )
    .await;
    assert_eq!(created["merchant_id"], merchant.user_id.as_str());
    assert_eq!(created["currency"], "CNY");
    assert_eq!(created["images"], json!([]));
    assert_eq!(created["rating"], json!({"average": 0.0, "count": 0}));
    let id = created["goods_id"].as_str().unwrap().to_owned();

    // The owner sees what it created, with the stock it holds back for unpaid orders;
    // anyone else the same without those two numbers.
    let (status, read) = api
        .call(
            Method::GET,
            &format!("/goods/{id}"),
            Some(&merchant.token),
            None,
        )
        .await;
    assert_eq!((status, &read), (200, &created));
    assert_eq!(
        (&created["stock_reserved"], &created["stock_on_hand"]),
        (&json!(0), &json!(50))
    );
    let (_, public) = api
        .call(Method::GET, &format!("/goods/{id}"), None, None)
        .await;
    let mut owner_only = created.clone();
    for field in ["stock_reserved", "stock_on_hand"] {
        owner_only.as_object_mut().unwrap().remove(field);
    }
    assert_eq!(public, owner_only);

    let patch = json!({"price": 17900, "stock": 45, "currency": "USD", "images": ["https://img.example.com/1.jpg"]});
    let (status, updated) = api
        .call(
            Method::PATCH,
            &format!("/goods/{id}"),
            Some(&merchant.token),
            Some(patch),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["price"].as_i64(), updated["stock"].as_i64()),
        (Some(17900), Some(45))
    );
    assert_eq!(updated["currency"], "USD");
    assert_eq!(updated["name"], created["name"]);
    assert_eq!(updated["created_at"], created["created_at"]);
    assert_ne!(updated["updated_at"], created["updated_at"]);
    assert_eq!(
        api.call(
            Method::GET,
            &format!("/goods/{id}"),
            Some(&merchant.token),
            None
        )
        .await
        .1,
        updated
    );

    let (status, body) = api
        .call(
            Method::DELETE,
            &format!("/goods/{id}"),
            Some(&merchant.token),
            None,
        )
        .await;
    assert_eq!((status, body), (204, Value::Null));
    assert_eq!(
        api.call(Method::GET, &format!("/goods/{id}"), None, None)
            .await
            .0,
        404
    );
    assert!(
        list_all(&api, &format!("/goods?merchant_id={}", merchant.user_id))
            .await
            .is_empty()
    );
    let again = api
        .call(
            Method::DELETE,
            &format!("/goods/{id}"),
            Some(&merchant.token),
            None,
        )
        .await;
    assert_eq!(again.0, 404);
    let patch = api
        .call(
            Method::PATCH,
            &format!("/goods/{id}"),
            Some(&merchant.token),
            Some(json!({"stock": 1})),
        )
        .await;
    assert_eq!(patch.0, 404);
}

#[tokio::test]
async fn every_filter_and_pagination_return_exactly_the_matching_goods() {
    let api = Api::new();
    let (a, b) = (
        api.signed_up("merchant").await,
        api.signed_up("merchant").await,
    );
    let category = format!("Cat-{}", unique());
    // Prices far from any other test's, so price-only listings can be checked exactly.
    let base = 50_000_000_000
        + (u64::from_str_radix(&unique()[8..], 36).unwrap() % 1_000_000_000) as i64 * 10;
    let mut made = Vec::new();
    for (i, merchant) in [&a, &a, &a, &b, &b].into_iter().enumerate() {
        let item = create(
            &api,
            merchant,
            goods(&format!("item {i}"), &category, base + i as i64 * 100),
        )
        .await;
        made.push((
            item["goods_id"].as_str().unwrap().to_owned(),
            merchant.user_id.clone(),
            base + i as i64 * 100,
        ));
    }
    let other = create(
        &api,
        &a,
        goods("elsewhere", &format!("Other-{}", unique()), base + 150),
    )
    .await;
    let ids = |pred: &dyn Fn(&(String, String, i64)) -> bool| -> Vec<String> {
        made.iter()
            .filter(|m| pred(m))
            .map(|m| m.0.clone())
            .collect()
    };
    let newest_first = |mut v: Vec<String>| {
        v.reverse();
        v
    };
    let cat = category.to_lowercase();

    assert_eq!(
        list_all(&api, &format!("/goods?category={cat}&limit=2")).await,
        newest_first(ids(&|_| true))
    );
    assert_eq!(
        list_all(
            &api,
            &format!(
                "/goods?category={category}&min_price={}&max_price={}&limit=1",
                base + 100,
                base + 300
            )
        )
        .await,
        ids(&|m| (base + 100..=base + 300).contains(&m.2)),
        "a category within an inclusive price range, cheapest first"
    );
    let mut a_all = newest_first(ids(&|m| m.1 == a.user_id));
    a_all.insert(0, other["goods_id"].as_str().unwrap().to_owned());
    assert_eq!(
        list_all(&api, &format!("/goods?merchant_id={}&limit=2", a.user_id)).await,
        a_all
    );
    assert_eq!(
        list_all(
            &api,
            &format!("/goods?merchant_id={}&category={category}", a.user_id)
        )
        .await,
        newest_first(ids(&|m| m.1 == a.user_id))
    );
    assert_eq!(
        list_all(
            &api,
            &format!(
                "/goods?merchant_id={}&min_price={}&limit=1",
                b.user_id,
                base + 400
            )
        )
        .await,
        ids(&|m| m.1 == b.user_id && m.2 >= base + 400)
    );
    let mut in_range: Vec<String> = ids(&|m| m.2 <= base + 200);
    in_range.insert(2, other["goods_id"].as_str().unwrap().to_owned());
    assert_eq!(
        list_all(
            &api,
            &format!("/goods?min_price={base}&max_price={}&limit=2", base + 200)
        )
        .await,
        in_range
    );

    let (status, page) = api.call(Method::GET, "/goods?limit=2", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        2,
        "unfiltered listing works"
    );
}

#[tokio::test]
async fn sharded_listings_merge_every_shard_exactly_ties_included() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    // Two prices no other test uses; twelve goods at each, spread over the shards.
    let low = 60_000_000_000
        + (u64::from_str_radix(&unique()[8..], 36).unwrap() % 1_000_000_000) as i64 * 10;
    let made = join_all((0..24).map(|i| {
        let (api, merchant) = (api.clone(), merchant.clone());
        let price = low + i64::from(i % 2);
        async move {
            let item = create(&api, &merchant, goods(&format!("tie {i}"), "Ties", price)).await;
            (price, item["goods_id"].as_str().unwrap().to_owned())
        }
    }))
    .await;
    let mut by_price: Vec<(i64, String)> = made.clone();
    by_price.sort();
    let range = format!("/goods?min_price={low}&max_price={}&limit=5", low + 1);
    let ids = |v: &[(i64, String)]| v.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>();
    assert_eq!(
        list_all(&api, &range).await,
        ids(&by_price),
        "by price, then id"
    );

    // A new price moves the goods within the order; deleted goods leave it.
    let (moved, gone) = (by_price[0].1.clone(), by_price[1].1.clone());
    let path = format!("/goods/{moved}");
    let answer = api
        .call(
            Method::PATCH,
            &path,
            Some(&merchant.token),
            Some(json!({"price": low + 1})),
        )
        .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let path = format!("/goods/{gone}");
    assert_eq!(
        api.call(Method::DELETE, &path, Some(&merchant.token), None)
            .await
            .0,
        204
    );
    let mut expected: Vec<(i64, String)> = by_price
        .iter()
        .filter(|(_, id)| *id != gone)
        .map(|(p, id)| (if *id == moved { low + 1 } else { *p }, id.clone()))
        .collect();
    expected.sort();
    assert_eq!(list_all(&api, &range).await, ids(&expected));

    // One merchant's goods (sharded as well): newest first, exactly; within a price bound.
    let mut newest: Vec<String> = ids(&expected);
    newest.sort_by(|a, b| b.cmp(a));
    let mine = format!("/goods?merchant_id={}&limit=5", merchant.user_id);
    assert_eq!(list_all(&api, &mine).await, newest);
    let at_low: Vec<String> = newest
        .iter()
        .filter(|id| expected.iter().any(|(p, e)| e == *id && *p == low))
        .cloned()
        .collect();
    let bounded = format!("{mine}&max_price={low}");
    assert_eq!(list_all(&api, &bounded).await, at_low);

    // Newest first over everything: strictly descending ids, every one of ours listed.
    let mut ours: BTreeSet<String> = expected.iter().map(|(_, id)| id.clone()).collect();
    let mut last: Option<String> = None;
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        let path = match &cursor {
            Some(c) => format!("/goods?limit=7&cursor={c}"),
            None => "/goods?limit=7".to_owned(),
        };
        let (status, page) = api.call(Method::GET, &path, None, None).await;
        assert_eq!(status, 200, "{page}");
        for id in page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["goods_id"].as_str().unwrap())
        {
            assert!(last.as_deref().is_none_or(|l| l > id), "{last:?} then {id}");
            last = Some(id.to_owned());
            ours.remove(id);
        }
        match page["next_cursor"].as_str() {
            Some(next) if !ours.is_empty() => cursor = Some(next.to_owned()),
            _ => break,
        }
    }
    assert!(ours.is_empty(), "never listed: {ours:?}");
}

#[tokio::test]
async fn pages_are_stable_under_concurrent_inserts() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let category = format!("Stable-{}", unique());
    let mut before = BTreeSet::new();
    for i in 0..6 {
        before.insert(
            create(&api, &merchant, goods(&format!("old {i}"), &category, 100)).await["goods_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    // Bounded: the pages there are, and a few more would mean the cursor never ends.
    for round in 0.. {
        assert!(round < 20, "the listing kept handing out cursors");
        let path = match &cursor {
            Some(c) => format!("/goods?category={category}&limit=2&cursor={c}"),
            None => format!("/goods?category={category}&limit=2"),
        };
        let (status, page) = api.call(Method::GET, &path, None, None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["goods_id"].as_str().unwrap().to_owned()),
        );
        create(&api, &merchant, goods("inserted meanwhile", &category, 100)).await;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let unique_seen: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique_seen.len(), seen.len(), "nothing listed twice");
    assert_eq!(
        unique_seen, before,
        "every item that existed is listed once; newer ones sort before the cursor"
    );
}

#[tokio::test]
async fn roles_and_ownership_are_enforced() {
    let api = Api::new();
    let (owner, rival, customer) = (
        api.signed_up("merchant").await,
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let item = create(&api, &owner, goods("guarded", "Guarded", 500)).await;
    let path = format!("/goods/{}", item["goods_id"].as_str().unwrap());

    let (status, body) = api
        .call(
            Method::POST,
            "/goods",
            Some(&customer.token),
            Some(goods("x", "X", 1)),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, body) = api
        .call(Method::POST, "/goods", None, Some(goods("x", "X", 1)))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthenticated"))
    );

    for (who, token, expected) in [
        ("rival", Some(rival.token.as_str()), 403),
        ("customer", Some(customer.token.as_str()), 403),
        ("nobody", None, 401),
    ] {
        let patch = api
            .call(Method::PATCH, &path, token, Some(json!({"price": 1})))
            .await;
        assert_eq!(patch.0, expected, "{who} PATCH: {}", patch.1);
        let delete = api.call(Method::DELETE, &path, token, None).await;
        assert_eq!(delete.0, expected, "{who} DELETE: {}", delete.1);
    }
    assert_eq!(
        api.call(Method::GET, &path, Some(&owner.token), None)
            .await
            .1,
        item,
        "unchanged"
    );
}

#[tokio::test]
async fn bad_goods_are_refused_with_fields_and_nothing_is_written() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let valid = goods("valid", "Valid", 100);
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        body[field] = value;
        body
    };
    let cases = [
        (with("price", json!(-1)), "price"),
        (with("price", json!(12.5)), "price"),
        (with("price", json!("100")), "price"),
        (with("stock", json!(10_000_000_000_i64)), "stock"),
        (with("stock", json!(-3)), "stock"),
        (
            with("images", json!(["http://img.example.com/a.jpg"])),
            "images",
        ),
        (
            with("images", json!("https://img.example.com/a.jpg")),
            "images",
        ),
        (with("name", json!("n".repeat(201))), "name"),
        (with("name", json!("")), "name"),
        (with("currency", json!("XYZ")), "currency"),
        (with("category", json!(7)), "category"),
        (with("colour", json!("red")), "colour"),
        (
            {
                let mut b = valid.clone();
                b.as_object_mut().unwrap().remove("price");
                b
            },
            "price",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = api
            .call(
                Method::POST,
                "/goods",
                Some(&merchant.token),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field} in {answer}"
        );
    }
    assert!(
        list_all(&api, &format!("/goods?merchant_id={}", merchant.user_id))
            .await
            .is_empty(),
        "nothing written"
    );

    let item = create(&api, &merchant, valid.clone()).await;
    let path = format!("/goods/{}", item["goods_id"].as_str().unwrap());
    for (patch, field) in [
        (json!({"price": null}), "price"),
        (json!({}), "body"),
        (json!({"stock": -1}), "stock"),
        (json!({"name": "n".repeat(201)}), "name"),
    ] {
        let (status, answer) = api
            .call(
                Method::PATCH,
                &path,
                Some(&merchant.token),
                Some(patch.clone()),
            )
            .await;
        assert_eq!(status, 422, "{patch}: {answer}");
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field} in {answer}"
        );
    }
    assert_eq!(
        api.call(Method::GET, &path, Some(&merchant.token), None)
            .await
            .1,
        item,
        "unchanged"
    );

    for id in ["01JDQ7X8Z3N2V5K6W9Y0A1B2C3", "not-an-id"] {
        assert_eq!(
            api.call(Method::GET, &format!("/goods/{id}"), None, None)
                .await
                .0,
            404
        );
        assert_eq!(
            api.call(
                Method::PATCH,
                &format!("/goods/{id}"),
                Some(&merchant.token),
                Some(json!({"stock": 1}))
            )
            .await
            .0,
            404
        );
        assert_eq!(
            api.call(
                Method::DELETE,
                &format!("/goods/{id}"),
                Some(&merchant.token),
                None
            )
            .await
            .0,
            404
        );
    }
    for query in [
        "min_price=-1",
        "max_price=1.5",
        "limit=0",
        "limit=101",
        "min_price=5&max_price=4",
        "merchant_id=x",
    ] {
        assert_eq!(
            api.call(Method::GET, &format!("/goods?{query}"), None, None)
                .await
                .0,
            422,
            "{query}"
        );
    }
    let (status, body) = api
        .call(Method::GET, "/goods?cursor=garbage", None, None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_cursor"))
    );
}
