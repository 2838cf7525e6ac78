//! Cart, orders and payments end to end: the happy path to delivery, cancellation and
//! expiry returning stock, races (overselling, duplicate webhooks, idempotent retries),
//! signatures, ownership, and bad input.

use std::collections::BTreeSet;

use e2e::contract::{Cart, Order, WebhookEvent};
use e2e::{address, unique, webhook_secret, Account, Api};
use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};
use shop::payments::signature::sign;

fn secret() -> String {
    webhook_secret()
}

async fn goods(api: &Api, merchant: &Account, price: i64, stock: i64, currency: &str) -> String {
    api.create_goods(merchant, price, stock, currency)
        .await
        .goods_id
}

async fn stock_of(api: &Api, goods_id: &str) -> i64 {
    api.goods(goods_id).await.stock
}

async fn order(api: &Api, buyer: &Account, lines: &[(&str, i64)]) -> (u16, Value) {
    api.order(buyer, lines).await
}

async fn webhook(api: &Api, event: &WebhookEvent, secret: &str, timestamp: i64) -> (u16, Value) {
    api.webhook(event, secret, timestamp).await
}

fn now() -> i64 {
    shop::clock::now().unix_timestamp()
}

async fn pay(api: &Api, buyer: &Account, order: &Order) -> WebhookEvent {
    api.payment_event(buyer, order).await
}

async fn status_of(api: &Api, buyer: &Account, order_id: &str) -> Order {
    api.order_of(buyer, order_id).await
}

#[tokio::test]
async fn a_cart_becomes_an_order_that_is_paid_shipped_and_delivered() {
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let (a, b) = (
        goods(&api, &merchant, 1250, 10, "CNY").await,
        goods(&api, &merchant, 300, 5, "CNY").await,
    );
    api.call(
        Method::PUT,
        &format!("/cart/items/{a}"),
        Some(&buyer.token),
        Some(json!({"quantity": 2})),
    )
    .await;
    let (status, cart) = api
        .call(
            Method::PUT,
            &format!("/cart/items/{b}"),
            Some(&buyer.token),
            Some(json!({"quantity": 3})),
        )
        .await;
    assert_eq!(status, 200, "{cart}");
    assert_eq!(
        (cart["total"].as_i64(), cart["currency"].as_str()),
        (Some(2 * 1250 + 3 * 300), Some("CNY"))
    );
    assert_eq!(cart["items"].as_array().unwrap().len(), 2);

    let body = json!({"shipping_address": address(), "payment_method": "wechat_pay"});
    let placed: Order = api
        .expect(201, Method::POST, "/orders", Some(&buyer.token), Some(body))
        .await;
    assert_eq!(placed.status, "pending_payment");
    assert_eq!(placed.total, 2 * 1250 + 3 * 300);
    let mut lines: Vec<(&str, i64, i64)> = placed
        .items
        .iter()
        .map(|line| (line.goods_id.as_str(), line.unit_price, line.quantity))
        .collect();
    lines.sort_unstable();
    let mut expected = [(a.as_str(), 1250, 2), (b.as_str(), 300, 3)];
    expected.sort_unstable();
    assert_eq!(lines, expected, "each line priced as the goods were");
    assert!(placed
        .items
        .iter()
        .all(|line| line.name.starts_with("goods ")));
    assert_eq!((stock_of(&api, &a).await, stock_of(&api, &b).await), (8, 2));
    let (_, cart) = api
        .call(Method::GET, "/cart", Some(&buyer.token), None)
        .await;
    assert!(
        cart["items"].as_array().unwrap().is_empty(),
        "ordered lines leave the cart"
    );

    let event = pay(&api, &buyer, &placed).await;
    assert_eq!(webhook(&api, &event, &secret(), now()).await.0, 200);
    let id = placed.order_id.as_str();
    let paid = status_of(&api, &buyer, id).await;
    assert_eq!(paid.status, "paid");
    assert_eq!(paid.history(), ["pending_payment", "paid"]);

    let (_, listed) = api
        .call(
            Method::GET,
            "/merchant/orders?status=paid",
            Some(&merchant.token),
            None,
        )
        .await;
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["order_id"] == id));
    let ship = json!({"carrier": "SF Express", "tracking_number": "SF123"});
    let (status, shipped) = api
        .call(
            Method::POST,
            &format!("/orders/{id}/ship"),
            Some(&merchant.token),
            Some(ship.clone()),
        )
        .await;
    assert_eq!(
        (status, shipped["status"].as_str()),
        (200, Some("shipped")),
        "{shipped}"
    );
    assert_eq!(shipped["shipment"]["carrier"], "SF Express");
    let again = api
        .call(
            Method::POST,
            &format!("/orders/{id}/ship"),
            Some(&merchant.token),
            Some(ship),
        )
        .await;
    assert_eq!(
        (again.0, again.1["error"]["code"].as_str()),
        (409, Some("invalid_transition"))
    );
    let (status, delivered) = api
        .call(
            Method::POST,
            &format!("/orders/{id}/confirm-delivery"),
            Some(&buyer.token),
            None,
        )
        .await;
    assert_eq!(
        (status, delivered["status"].as_str()),
        (200, Some("delivered"))
    );
    assert_eq!(delivered["status_history"].as_array().unwrap().len(), 4);
    let (_, mine) = api
        .call(Method::GET, "/orders", Some(&buyer.token), None)
        .await;
    assert_eq!(mine["items"][0]["order_id"], id);
}

#[tokio::test]
async fn cancelling_returns_stock_and_a_late_payment_is_never_applied() {
    // Its money goes through the provider (a refund, or the checkout page).
    let _turn = e2e::provider_turn().await;
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let g = goods(&api, &merchant, 500, 4, "CNY").await;
    let placed = api.place(&buyer, &[(&g, 3)]).await;
    let id = placed.order_id.clone();
    let late = pay(&api, &buyer, &placed).await;
    assert_eq!(stock_of(&api, &g).await, 1);

    let (status, cancelled) = api
        .call(
            Method::POST,
            &format!("/orders/{id}/cancel"),
            Some(&buyer.token),
            None,
        )
        .await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("cancelled"))
    );
    assert_eq!(stock_of(&api, &g).await, 4);
    let again = api
        .call(
            Method::POST,
            &format!("/orders/{id}/cancel"),
            Some(&buyer.token),
            None,
        )
        .await;
    assert_eq!(
        (again.0, again.1["error"]["code"].as_str()),
        (409, Some("not_cancellable"))
    );
    let pay_again = api
        .call(
            Method::POST,
            &format!("/orders/{id}/payments"),
            Some(&buyer.token),
            Some(json!({"method": "card"})),
        )
        .await;
    assert_eq!(
        (pay_again.0, pay_again.1["error"]["code"].as_str()),
        (409, Some("not_payable"))
    );

    assert_eq!(
        webhook(&api, &late, &secret(), now()).await.0,
        200,
        "recorded for refund, not retried"
    );
    assert_eq!(
        status_of(&api, &buyer, &id).await.status,
        "cancelled",
        "never moves backwards"
    );
    assert_eq!(stock_of(&api, &g).await, 4);
}

#[tokio::test]
async fn an_unpaid_order_expires_and_returns_its_stock() {
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let g = goods(&api, &merchant, 500, 2, "CNY").await;
    let placed = api.place(&buyer, &[(&g, 2)]).await;
    let id = placed.order_id.clone();
    assert_eq!(stock_of(&api, &g).await, 0);
    // The expiry the schedule runs, for this one order, first at its own time (a
    // control: not yet overdue, nothing changes), then with the clock moved 31 minutes
    // on: the clock moves, not the calendar, and no other test's order is touched.
    let orders = e2e::orders_service();
    let stored = orders
        .orders
        .get(&id)
        .await
        .unwrap()
        .expect("the order is stored");
    let expired = orders.expire(&stored, shop::clock::now()).await.unwrap();
    assert!(!expired, "an order within its 30 minutes does not expire");
    assert_eq!(status_of(&api, &buyer, &id).await.status, "pending_payment");
    assert_eq!(stock_of(&api, &g).await, 0);

    let later = shop::clock::now() + time::Duration::minutes(31);
    // The sweep's index finds it once overdue (whichever shard it is in), not before.
    let overdue = |at: time::OffsetDateTime| {
        let (orders, id) = (&orders, &id);
        async move {
            let found = orders
                .orders
                .overdue(at.unix_timestamp(), 1000)
                .await
                .unwrap();
            found.iter().any(|o| &o.order_id == id)
        }
    };
    assert!(!overdue(shop::clock::now()).await);
    assert!(overdue(later).await);
    assert!(orders.expire(&stored, later).await.unwrap());
    assert!(!overdue(later).await, "an expired order leaves the index");
    let after = status_of(&api, &buyer, &id).await;
    assert_eq!(after.history(), ["pending_payment", "cancelled"]);
    assert_eq!(stock_of(&api, &g).await, 2);
    // Expiring it again is refused by the state machine and returns nothing twice.
    assert!(orders.expire(&stored, later).await.is_err());
    assert_eq!(stock_of(&api, &g).await, 2);
}

#[tokio::test]
async fn two_hundred_concurrent_orders_never_oversell_fifty_units() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let buyers = join_all((0..10).map(|_| {
        let api = api.clone();
        async move { api.signed_up("customer").await }
    }))
    .await;
    let g = goods(&api, &merchant, 100, 50, "CNY").await;
    let attempts = (0..200).map(|i| {
        let (api, buyer, g) = (api.clone(), buyers[i % 10].clone(), g.clone());
        async move { order(&api, &buyer, &[(&g, 1)]).await }
    });
    let answers = join_all(attempts).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let sold_out = answers
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "out_of_stock")
        .count();
    assert_eq!(
        (created, sold_out),
        (50, 150),
        "{:?}",
        answers.iter().find(|(s, _)| *s != 201 && *s != 409)
    );
    assert!(answers
        .iter()
        .filter(|(s, _)| *s == 409)
        .all(|(_, b)| b["error"]["goods_ids"] == json!([g])));
    assert_eq!(stock_of(&api, &g).await, 0);
}

#[tokio::test]
async fn fifty_deliveries_of_one_webhook_make_one_transition_and_one_purchase_event_per_line() {
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let (a, b) = (
        goods(&api, &merchant, 700, 5, "CNY").await,
        goods(&api, &merchant, 900, 5, "CNY").await,
    );
    let placed = api.place(&buyer, &[(&a, 1), (&b, 2)]).await;
    let id = placed.order_id.clone();
    let event = pay(&api, &buyer, &placed).await;
    let answers = join_all((0..50).map(|_| {
        let (api, event) = (api.clone(), event.clone());
        async move { webhook(&api, &event, &secret(), now()).await }
    }))
    .await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    let paid = status_of(&api, &buyer, &id).await;
    assert_eq!(
        paid.history(),
        ["pending_payment", "paid"],
        "one transition"
    );

    // One purchase event per line reaches the recommendations consumer: each goods'
    // purchases are counted exactly once.
    let lines: Vec<String> = paid.items.into_iter().map(|line| line.goods_id).collect();
    assert_eq!(lines.len(), 2);
    e2e::eventually(20, "both purchases applied", || async {
        e2e::purchases_of(&lines)
            .await
            .iter()
            .all(|c| *c > 0)
            .then_some(())
    })
    .await;
    // A positive marker instead of a pause: a purchase sent to the queue after the
    // webhook's own has been applied, so anything the webhook sent has been too.
    let sentinel = [shop::ids::new_id()];
    let purchased = shop::events::Purchased {
        order_id: shop::ids::new_id(),
        quantity: 1,
        unit_price: 1,
        currency: "CNY".into(),
    };
    let marker = shop::events::Envelope::new(
        shop::events::Event::Purchase(purchased),
        Some(&shop::ids::new_id()),
        Some(&sentinel[0]),
    );
    e2e::send_batch("EventsQueue", &[serde_json::to_string(&marker).unwrap()]).await;
    e2e::eventually(20, "the marker purchase applied", || async {
        (e2e::purchases_of(&sentinel).await[0] > 0).then_some(())
    })
    .await;
    assert_eq!(
        e2e::purchases_of(&lines).await,
        [1, 1],
        "one purchase event per line"
    );
}

#[tokio::test]
async fn twenty_concurrent_orders_with_one_idempotency_key_create_one_order() {
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let g = goods(&api, &merchant, 100, 100, "CNY").await;
    let key = format!("key-{}", unique());
    let body = json!({"items": [{"goods_id": g, "quantity": 1}], "shipping_address": address(), "payment_method": "card"});
    let send = |api: Api, token: String, key: String, body: Value| async move {
        let response = api
            .request(Method::POST, "/orders")
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        e2e::status_and_json(response).await
    };
    let answers = join_all(
        (0..20).map(|_| send(api.clone(), buyer.token.clone(), key.clone(), body.clone())),
    )
    .await;
    let mut bodies = BTreeSet::new();
    for (status, answer) in &answers {
        match status {
            201 => {
                bodies.insert(answer.to_string());
            }
            409 => {
                assert_eq!(answer["error"]["code"], "idempotency_in_progress");
                let (status, retried) =
                    send(api.clone(), buyer.token.clone(), key.clone(), body.clone()).await;
                assert_eq!(status, 201);
                bodies.insert(retried.to_string());
            }
            other => panic!("{other}: {answer}"),
        }
    }
    assert_eq!(bodies.len(), 1, "every answer is the first one");
    assert_eq!(stock_of(&api, &g).await, 99);
    let (_, mine) = api
        .call(Method::GET, "/orders", Some(&buyer.token), None)
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);

    let mut other = body.clone();
    other["payment_method"] = json!("alipay");
    let (status, reused) = send(api.clone(), buyer.token.clone(), key, other).await;
    assert_eq!(
        (status, reused["error"]["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
}

#[tokio::test]
async fn bad_signatures_and_business_mismatches_change_nothing() {
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let g = goods(&api, &merchant, 1000, 5, "CNY").await;
    let placed = api.place(&buyer, &[(&g, 1)]).await;
    let id = placed.order_id.clone();
    let event = pay(&api, &buyer, &placed).await;

    for (label, secret, timestamp) in [
        ("wrong secret", "whsec_wrong".to_owned(), now()),
        ("stale", secret(), now() - 301),
        ("future", secret(), now() + 400),
    ] {
        let (status, body) = webhook(&api, &event, &secret, timestamp).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("invalid_signature")),
            "{label}"
        );
    }
    let signed_other = sign(&secret(), now(), b"{}");
    let response = api
        .request(Method::POST, "/payments/webhook")
        .header("payment-signature", signed_other)
        .body(serde_json::to_string(&event).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "a signature over another body");
    let unsigned = api
        .request(Method::POST, "/payments/webhook")
        .body(serde_json::to_string(&event).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 400);
    assert_eq!(status_of(&api, &buyer, &id).await.status, "pending_payment");

    let wrong = WebhookEvent {
        amount: 999,
        ..event.redone()
    };
    assert_eq!(
        webhook(&api, &wrong, &secret(), now()).await.0,
        200,
        "a business rejection isn't retried"
    );
    let currency = WebhookEvent {
        currency: "USD".to_owned(),
        ..event.redone()
    };
    assert_eq!(webhook(&api, &currency, &secret(), now()).await.0, 200);
    assert_eq!(
        status_of(&api, &buyer, &id).await.status,
        "pending_payment",
        "not marked paid"
    );

    assert_eq!(webhook(&api, &event, &secret(), now()).await.0, 200);
    assert_eq!(status_of(&api, &buyer, &id).await.status, "paid");
}

#[tokio::test]
async fn order_routes_refuse_other_users_and_roles() {
    let api = Api::new();
    let (merchant, rival, buyer, stranger) = (
        api.signed_up("merchant").await,
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
        api.signed_up("customer").await,
    );
    let g = goods(&api, &merchant, 100, 5, "CNY").await;
    let placed = api.place(&buyer, &[(&g, 1)]).await;
    let id = placed.order_id.clone();

    for (method, path, body) in [
        (Method::GET, format!("/orders/{id}"), None),
        (Method::POST, format!("/orders/{id}/cancel"), None),
        (
            Method::POST,
            format!("/orders/{id}/payments"),
            Some(json!({"method": "card"})),
        ),
        (Method::POST, format!("/orders/{id}/confirm-delivery"), None),
    ] {
        assert_eq!(
            api.call(method.clone(), &path, Some(&stranger.token), body.clone())
                .await
                .0,
            404,
            "stranger {path}"
        );
        assert_eq!(
            api.call(method.clone(), &path, Some(&merchant.token), body.clone())
                .await
                .0,
            403,
            "merchant {path}"
        );
        assert_eq!(
            api.call(method, &path, None, body).await.0,
            401,
            "nobody {path}"
        );
    }
    let ship = Some(json!({"carrier": "SF", "tracking_number": "1"}));
    assert_eq!(
        api.call(
            Method::POST,
            &format!("/orders/{id}/ship"),
            Some(&rival.token),
            ship.clone()
        )
        .await
        .0,
        404
    );
    assert_eq!(
        api.call(
            Method::POST,
            &format!("/orders/{id}/ship"),
            Some(&buyer.token),
            ship
        )
        .await
        .0,
        403
    );
    assert_eq!(
        api.call(Method::GET, "/merchant/orders", Some(&buyer.token), None)
            .await
            .0,
        403
    );
    let (_, rivals) = api
        .call(Method::GET, "/merchant/orders", Some(&rival.token), None)
        .await;
    assert!(rivals["items"].as_array().unwrap().is_empty());
    for path in ["/cart", "/orders"] {
        assert_eq!(
            api.call(Method::GET, path, Some(&merchant.token), None)
                .await
                .0,
            403,
            "{path}"
        );
    }
    assert_eq!(
        status_of(&api, &buyer, &id).await.status,
        "pending_payment",
        "unchanged"
    );
}

#[tokio::test]
async fn carts_of_several_shops_and_currencies_are_ordered_shop_by_shop() {
    let api = Api::new();
    let (m1, m2, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let (a, b) = (
        goods(&api, &m1, 100, 5, "CNY").await,
        goods(&api, &m2, 200, 5, "CNY").await,
    );
    let usd = goods(&api, &m1, 300, 5, "USD").await;
    let body = json!({"shipping_address": address(), "payment_method": "card"});
    let (status, empty) = api
        .call(
            Method::POST,
            "/orders",
            Some(&buyer.token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, empty["error"]["code"].as_str()),
        (422, Some("empty_cart"))
    );
    for g in [&a, &b] {
        api.call(
            Method::PUT,
            &format!("/cart/items/{g}"),
            Some(&buyer.token),
            Some(json!({"quantity": 1})),
        )
        .await;
    }
    let (status, mixed) = api
        .call(
            Method::POST,
            "/orders",
            Some(&buyer.token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, mixed["error"]["code"].as_str()),
        (422, Some("mixed_merchants"))
    );
    let mut one_shop = body.clone();
    one_shop["merchant_id"] = json!(m2.user_id);
    let placed: Order = api
        .expect(
            201,
            Method::POST,
            "/orders",
            Some(&buyer.token),
            Some(one_shop),
        )
        .await;
    let ordered: Vec<&str> = placed
        .items
        .iter()
        .map(|line| line.goods_id.as_str())
        .collect();
    assert_eq!(ordered, [b.as_str()]);
    let cart: Cart = api
        .expect(200, Method::GET, "/cart", Some(&buyer.token), None)
        .await;
    let left: Vec<&str> = cart
        .items
        .iter()
        .map(|line| line.goods_id.as_str())
        .collect();
    assert_eq!(left, [a.as_str()], "the other shop's line stays");

    let (status, currencies) = order(&api, &buyer, &[(&a, 1), (&usd, 1)]).await;
    assert_eq!(
        (status, currencies["error"]["code"].as_str()),
        (422, Some("mixed_currency"))
    );
    let (status, shops) = order(&api, &buyer, &[(&a, 1), (&b, 1)]).await;
    assert_eq!(
        (status, shops["error"]["code"].as_str()),
        (422, Some("mixed_merchants"))
    );
    assert_eq!(stock_of(&api, &a).await, 5, "nothing reserved");
}

#[tokio::test]
async fn bad_orders_and_cart_lines_are_refused_without_writing() {
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let g = goods(&api, &merchant, 100, 5, "CNY").await;
    for quantity in [json!(0), json!(100), json!(1.5), json!("2")] {
        let (status, body) = api
            .call(
                Method::PUT,
                &format!("/cart/items/{g}"),
                Some(&buyer.token),
                Some(json!({"quantity": quantity})),
            )
            .await;
        assert_eq!(status, 422, "{quantity}: {body}");
        assert!(body["error"]["fields"]["quantity"].is_string());
    }
    let missing = "01JDQ7X8Z3N2V5K6W9Y0A1B2C3";
    assert_eq!(
        api.call(
            Method::PUT,
            &format!("/cart/items/{missing}"),
            Some(&buyer.token),
            Some(json!({"quantity": 1}))
        )
        .await
        .0,
        404
    );
    let (_, cart) = api
        .call(Method::GET, "/cart", Some(&buyer.token), None)
        .await;
    assert!(cart["items"].as_array().unwrap().is_empty());

    let valid = json!({"items": [{"goods_id": g, "quantity": 1}], "shipping_address": address(), "payment_method": "alipay"});
    let with = |path: &[&str], value: Value| {
        let mut body = valid.clone();
        let mut target = &mut body;
        for key in &path[..path.len() - 1] {
            target = &mut target[*key];
        }
        target[path[path.len() - 1]] = value;
        body
    };
    let too_many: Vec<Value> = (0..41)
        .map(|_| json!({"goods_id": shop::ids::new_id(), "quantity": 1}))
        .collect();
    let cases = [
        (
            with(
                &["items"],
                json!([{"goods_id": g, "quantity": 1}, {"goods_id": g, "quantity": 2}]),
            ),
            "items[1].goods_id",
        ),
        (with(&["items"], json!(too_many)), "items"),
        (with(&["items"], json!([])), "items"),
        (with(&["payment_method"], json!("cash")), "payment_method"),
        (
            with(&["shipping_address", "country"], json!("China")),
            "shipping_address.country",
        ),
        (
            with(&["shipping_address", "phone"], json!("x")),
            "shipping_address.phone",
        ),
        (with(&["price"], json!(1)), "price"),
    ];
    for (body, field) in cases {
        let (status, answer) = api
            .call(Method::POST, "/orders", Some(&buyer.token), Some(body))
            .await;
        assert_eq!(status, 422, "{field}: {answer}");
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field} in {answer}"
        );
    }
    let (status, body) = order(&api, &buyer, &[(&g, 6)]).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("out_of_stock"))
    );
    assert_eq!(stock_of(&api, &g).await, 5);
    let (_, mine) = api
        .call(Method::GET, "/orders", Some(&buyer.token), None)
        .await;
    assert!(
        mine["items"].as_array().unwrap().is_empty(),
        "nothing written"
    );
}

/// The idempotency claim protocol against the stack's own table: a claim whose request
/// died can be taken over only by the same body, and only its current owner completes
/// or releases it (the clock is moved by passing `now`, not by waiting).
#[tokio::test]
async fn a_stale_claim_is_taken_over_only_by_the_same_body_and_only_its_owner_finishes_it() {
    use shop::idempotency::{Claim, IdempotencyRepo, IN_PROGRESS_SECS};
    let repo = IdempotencyRepo::new(
        shop::aws::Aws::from_env().unwrap().dynamodb(),
        "IdempotencyTable",
    );
    let key = format!("test-user#{}", e2e::unique());
    let now = shop::clock::now().unix_timestamp();
    let Claim::Proceed(first) = repo.claim(&key, "hash-a", now).await.unwrap() else {
        panic!("a fresh key is claimed");
    };
    assert_eq!(
        repo.claim(&key, "hash-a", now + 1).await.unwrap(),
        Claim::InProgress
    );
    let stale = now + IN_PROGRESS_SECS + 1;
    assert_eq!(
        repo.claim(&key, "hash-b", stale).await.unwrap(),
        Claim::Mismatch
    );
    let Claim::Proceed(second) = repo.claim(&key, "hash-a", stale).await.unwrap() else {
        panic!("a stale claim with the same body is taken over");
    };
    assert_ne!(first, second);
    // The first owner's late release and completion change nothing.
    repo.release(&first).await.unwrap();
    let dynamodb = shop::aws::Aws::from_env().unwrap().dynamodb();
    let complete = |claimed| {
        let item = repo.complete(claimed, 201, "{\"n\":1}").unwrap();
        dynamodb.transact_write_items().transact_items(item).send()
    };
    assert!(complete(&first).await.is_err(), "only the owner completes");
    assert_eq!(
        repo.claim(&key, "hash-a", stale + 1).await.unwrap(),
        Claim::InProgress
    );
    complete(&second).await.unwrap();
    assert_eq!(
        repo.claim(&key, "hash-a", stale + 2).await.unwrap(),
        Claim::Replay {
            status: 201,
            body: "{\"n\":1}".into()
        }
    );
}
