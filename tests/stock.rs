//! Stock in two numbers and safe concurrent edits, end to end: `ETag` / `If-Match` on
//! goods, `stock` / `stock_on_hand` / `stock_adjustment` against reservations, and a
//! race of orders, merchant adjustments, payments and expiries that must neither lose
//! nor double-count a unit.

use e2e::contract::{Goods, Order};
use e2e::{assert_refused, status_and_json, unique, webhook_secret, Account, Api};
use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

/// Sends `body` (if any) as `account` with `If-Match: if_match` (if any); the status,
/// the `ETag` and the JSON body.
async fn conditional(
    api: &Api,
    method: Method,
    path: &str,
    account: &Account,
    if_match: Option<&str>,
    body: Option<Value>,
) -> (u16, Option<String>, Value) {
    let mut request = api.request(method, path).bearer_auth(&account.token);
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the local stack answers");
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().expect("an ASCII ETag").to_owned());
    let (status, body) = status_and_json(response).await;
    (status, etag, body)
}

/// The owning merchant's view of the goods and its `ETag`.
async fn owner_view(api: &Api, merchant: &Account, goods_id: &str) -> (Goods, String) {
    let path = format!("/goods/{goods_id}");
    let (status, etag, body) = conditional(api, Method::GET, &path, merchant, None, None).await;
    assert_eq!(status, 200, "{body}");
    let goods = serde_json::from_value(body).expect("the contract's goods");
    (goods, etag.expect("GET /goods/{id} answers an ETag"))
}

/// `(stock, stock_reserved, stock_on_hand)` as the owner sees them.
async fn stock_numbers(api: &Api, merchant: &Account, goods_id: &str) -> (i64, i64, i64) {
    let (goods, _) = owner_view(api, merchant, goods_id).await;
    (
        goods.stock,
        goods.stock_reserved.expect("the owner sees stock_reserved"),
        goods.stock_on_hand.expect("the owner sees stock_on_hand"),
    )
}

async fn patch(api: &Api, merchant: &Account, goods_id: &str, body: Value) -> (u16, Value) {
    let path = format!("/goods/{goods_id}");
    let (status, _, body) =
        conditional(api, Method::PATCH, &path, merchant, None, Some(body)).await;
    (status, body)
}

/// Pays `order` through the signed webhook.
async fn pay(api: &Api, buyer: &Account, order: &Order) {
    let event = api.payment_event(buyer, order).await;
    let now = shop::clock::now().unix_timestamp();
    let (status, body) = api.webhook(&event, &webhook_secret(), now).await;
    assert_eq!(status, 200, "{body}");
}

/// Expires `order_id` as the schedule would 31 minutes on.
async fn expire(orders: &shop::orders::Orders, order_id: &str) {
    let stored = orders.orders.get(order_id).await.unwrap().expect("stored");
    let later = shop::clock::now() + time::Duration::minutes(31);
    assert!(
        orders.expire(&stored, later).await.unwrap(),
        "{order_id} expires"
    );
}

#[tokio::test]
async fn etags_guard_edits_and_deletes_and_a_stale_one_writes_nothing() {
    let api = Api::new();
    let (merchant, other) = (
        api.signed_up("merchant").await,
        api.signed_up("merchant").await,
    );
    let body = json!({"name": format!("teapot {}", unique()), "description": "d", "price": 900,
                      "category": "Kitchen", "stock": 10});
    let (status, created_tag, created) =
        conditional(&api, Method::POST, "/goods", &merchant, None, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (
            created["stock_reserved"].clone(),
            created["stock_on_hand"].clone()
        ),
        (json!(0), json!(10)),
        "the owner's view: {created}"
    );
    let id = created["goods_id"].as_str().unwrap().to_owned();
    let path = format!("/goods/{id}");

    // Anyone reads the same ETag, without the owner's stock numbers.
    let anonymous = api.request(Method::GET, &path).send().await.unwrap();
    let public_tag = anonymous.headers().get("etag").cloned();
    let (_, public) = status_and_json(anonymous).await;
    assert!(public.get("stock_reserved").is_none() && public.get("stock_on_hand").is_none());
    let (first, tag) = owner_view(&api, &merchant, &id).await;
    assert_eq!(created_tag.as_deref(), Some(tag.as_str()));
    assert_eq!(public_tag.unwrap().to_str().unwrap(), tag);
    let seen_by_other = conditional(&api, Method::GET, &path, &other, None, None)
        .await
        .2;
    assert!(
        seen_by_other.get("stock_reserved").is_none(),
        "{seen_by_other}"
    );

    // A change at the current version succeeds and moves the ETag on.
    let renamed = json!({"name": "teapot, renamed"});
    let (status, new_tag, _) = conditional(
        &api,
        Method::PATCH,
        &path,
        &merchant,
        Some(&tag),
        Some(renamed),
    )
    .await;
    assert_eq!(status, 200);
    let new_tag = new_tag.expect("PATCH answers an ETag");
    assert_ne!(new_tag, tag);

    // The old ETag is refused and writes nothing, for PATCH and DELETE alike; so are a
    // weak tag and garbage.
    for stale in [tag.as_str(), &format!("W/{new_tag}"), "not-a-tag"] {
        let (status, _, body) = conditional(
            &api,
            Method::PATCH,
            &path,
            &merchant,
            Some(stale),
            Some(json!({"name": "lost update", "stock_adjustment": 5})),
        )
        .await;
        assert_refused(&(status, body), 412, "precondition_failed");
        let (status, _, body) =
            conditional(&api, Method::DELETE, &path, &merchant, Some(stale), None).await;
        assert_refused(&(status, body), 412, "precondition_failed");
    }
    let (now, now_tag) = owner_view(&api, &merchant, &id).await;
    assert_eq!(now_tag, new_tag, "nothing written");
    assert_eq!(
        (now.name.as_str(), now.stock),
        ("teapot, renamed", first.stock)
    );

    // Someone else's goods stay 403/404 whatever If-Match says.
    let (status, _, _) = conditional(
        &api,
        Method::PATCH,
        &path,
        &other,
        Some(&new_tag),
        Some(json!({"name": "x"})),
    )
    .await;
    assert!(status == 403 || status == 404, "{status}");

    // A list of tags matches any of them; `*` matches any version; no If-Match, too.
    let list = format!("\"999\", {new_tag}");
    let (status, star_tag, _) = conditional(
        &api,
        Method::PATCH,
        &path,
        &merchant,
        Some(&list),
        Some(json!({"price": 950})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = conditional(
        &api,
        Method::PATCH,
        &path,
        &merchant,
        Some("*"),
        Some(json!({"price": 990})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        patch(&api, &merchant, &id, json!({"price": 1000})).await.0,
        200
    );

    // DELETE at the current version succeeds; the goods are gone.
    let (_, current) = owner_view(&api, &merchant, &id).await;
    assert_ne!(Some(current.as_str()), star_tag.as_deref());
    let (status, _, _) =
        conditional(&api, Method::DELETE, &path, &merchant, Some(&current), None).await;
    assert_eq!(status, 204);
    assert_eq!(api.call(Method::GET, &path, None, None).await.0, 404);
    let (status, _, _) = conditional(
        &api,
        Method::PATCH,
        &path,
        &merchant,
        Some("*"),
        Some(json!({"price": 1})),
    )
    .await;
    assert_eq!(status, 404, "If-Match: * needs the goods to exist");
}

#[tokio::test]
async fn every_stock_change_keeps_the_reserved_units_apart() {
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let id = api.create_goods(&merchant, 500, 10, "CNY").await.goods_id;
    let order = api.place(&buyer, &[(&id, 3)]).await;
    assert_eq!(stock_numbers(&api, &merchant, &id).await, (7, 3, 10));
    assert_eq!(api.goods(&id).await.stock, 7, "what anyone can order");

    // The physical count: what can be ordered is the count less the reserved units, at
    // least 0.
    assert_eq!(
        patch(&api, &merchant, &id, json!({"stock_on_hand": 5}))
            .await
            .0,
        200
    );
    assert_eq!(stock_numbers(&api, &merchant, &id).await, (2, 3, 5));
    let (status, body) = patch(&api, &merchant, &id, json!({"stock_on_hand": 1})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["stock"].clone(), body["stock_reserved"].clone()),
        (json!(0), json!(3))
    );

    // An adjustment below 0 is refused and changes nothing (not even the version).
    let before = owner_view(&api, &merchant, &id).await;
    let refused = patch(&api, &merchant, &id, json!({"stock_adjustment": -1})).await;
    assert_refused(&refused, 409, "insufficient_stock");
    let after = owner_view(&api, &merchant, &id).await;
    assert_eq!(after, before);
    assert_eq!(
        patch(&api, &merchant, &id, json!({"stock_adjustment": 4}))
            .await
            .0,
        200
    );
    assert_eq!(stock_numbers(&api, &merchant, &id).await, (4, 3, 7));
    assert_eq!(
        patch(&api, &merchant, &id, json!({"stock": 6})).await.0,
        200
    );
    assert_eq!(stock_numbers(&api, &merchant, &id).await, (6, 3, 9));

    // One stock field at a time, each in range; nothing written when refused.
    for body in [
        json!({"stock": 1, "stock_adjustment": 1}),
        json!({"stock_on_hand": 1, "stock": 1}),
    ] {
        let (status, answer) = patch(&api, &merchant, &id, body.clone()).await;
        assert_eq!(status, 422, "{answer}");
        for field in body.as_object().unwrap().keys() {
            assert!(answer["error"]["fields"].get(field).is_some(), "{answer}");
        }
    }
    for body in [
        json!({"stock_adjustment": 0}),
        json!({"stock_adjustment": 1_000_000_001_i64}),
        json!({"stock_on_hand": -1}),
        json!({"stock_adjustment": "1"}),
    ] {
        assert_eq!(patch(&api, &merchant, &id, body).await.0, 422);
    }
    let past_max = patch(
        &api,
        &merchant,
        &id,
        json!({"stock_adjustment": 999_999_999}),
    )
    .await;
    assert_eq!(past_max.0, 422, "{}", past_max.1);
    assert_eq!(stock_numbers(&api, &merchant, &id).await, (6, 3, 9));

    // Paid: the reserved units leave the count. Cancelled: they return to what can be
    // ordered.
    pay(&api, &buyer, &order).await;
    assert_eq!(stock_numbers(&api, &merchant, &id).await, (6, 0, 6));
    let second = api.place(&buyer, &[(&id, 2)]).await;
    assert_eq!(stock_numbers(&api, &merchant, &id).await, (4, 2, 6));
    let cancel = format!("/orders/{}/cancel", second.order_id);
    let (status, body) = api
        .call(Method::POST, &cancel, Some(&buyer.token), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(stock_numbers(&api, &merchant, &id).await, (6, 0, 6));
}

#[tokio::test]
async fn orders_adjustments_payments_and_expiries_racing_never_lose_a_unit() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let buyers = join_all((0..10).map(|_| {
        let api = api.clone();
        async move { api.signed_up("customer").await }
    }))
    .await;
    let id = api.create_goods(&merchant, 100, 50, "CNY").await.goods_id;

    // 100 orders of one unit on 50, while the merchant adds 10 units ten times.
    let orders = (0..100).map(|i| {
        let (api, buyer, id) = (api.clone(), buyers[i % 10].clone(), id.clone());
        async move {
            let (status, body) = api.order(&buyer, &[(&id, 1)]).await;
            (i % 10, status, body)
        }
    });
    let adjustments = (0..10).map(|_| {
        let (api, merchant, id) = (api.clone(), merchant.clone(), id.clone());
        async move { patch(&api, &merchant, &id, json!({"stock_adjustment": 10})).await }
    });
    let (placed, adjusted) = tokio::join!(join_all(orders), join_all(adjustments));
    assert!(adjusted.iter().all(|(s, _)| *s == 200), "{adjusted:?}");
    let placed: Vec<(usize, Order)> = placed
        .into_iter()
        .filter_map(|(buyer, status, body)| match status {
            201 => Some((buyer, serde_json::from_value(body).unwrap())),
            409 => {
                assert_eq!(body["error"]["code"], "out_of_stock", "{body}");
                None
            }
            other => panic!("{other}: {body}"),
        })
        .collect();
    assert!(
        (50..=100).contains(&placed.len()),
        "{} placed",
        placed.len()
    );
    let (stock, reserved, _) = stock_numbers(&api, &merchant, &id).await;
    assert_eq!((reserved, stock + reserved), (placed.len() as i64, 150));

    // Then, all at once: half the orders paid, the other half expired, ten more orders
    // placed and the merchant taking 5 units out twice.
    let service = e2e::orders_service();
    let (to_pay, to_expire) = placed.split_at(placed.len() / 2);
    let payments = to_pay
        .iter()
        .map(|(buyer, order)| pay(&api, &buyers[*buyer], order));
    let expiries = to_expire
        .iter()
        .map(|(_, order)| expire(&service, &order.order_id));
    let more = (0..10).map(|i| {
        let (api, buyer, id) = (api.clone(), buyers[i].clone(), id.clone());
        async move { api.order(&buyer, &[(&id, 1)]).await }
    });
    let removals = (0..2).map(|_| patch(&api, &merchant, &id, json!({"stock_adjustment": -5})));
    let (_, _, more, removed) = tokio::join!(
        join_all(payments),
        join_all(expiries),
        join_all(more),
        join_all(removals)
    );
    assert!(removed.iter().all(|(s, _)| *s == 200), "{removed:?}");
    let pending = more.iter().filter(|(s, _)| *s == 201).count() as i64;
    assert!(more.iter().all(|(s, _)| *s == 201 || *s == 409), "{more:?}");

    let (stock, reserved, on_hand) = stock_numbers(&api, &merchant, &id).await;
    let paid = to_pay.len() as i64;
    assert!(stock >= 0 && reserved >= 0);
    assert_eq!(
        reserved, pending,
        "reserved: exactly the unpaid orders' units"
    );
    assert_eq!(on_hand, stock + reserved);
    assert_eq!(
        paid + stock + reserved,
        150 - 10,
        "sold + orderable + reserved: 50 + 100 added - 10 taken out"
    );
}
