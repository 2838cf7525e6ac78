//! Payments and refunds end to end, over HTTP against the local stack and the payment
//! provider it starts (the simulator): one pending payment per order with the provider's
//! checkout page; paying and declining there; buyer cancels and merchant refunds of paid
//! orders, each refunded once through the provider's refunds API and completed by its
//! `payment.refunded` webhook; money taken for an order that can't take it (expired, or
//! paid already) refunded automatically; a provider that refuses refunds three times, or
//! for good; duplicate and late webhooks.
//!
//! The tests take turns (`e2e::provider_turn`): some switch the provider into misbehaving, which
//! would reach every refund asked for meanwhile.

use e2e::contract::{Order, OrderView, Payment, WebhookEvent};
use e2e::{
    eventually, provider_control, provider_refunds, provider_turn, webhook_secret, Account, Api,
};
use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

struct Shop {
    api: Api,
    merchant: Account,
    buyer: Account,
    goods_id: String,
}

impl Shop {
    /// A merchant with one goods item (price 500, `stock` units) and a buyer.
    async fn open(stock: i64) -> Self {
        let api = Api::new();
        let (merchant, buyer) = (
            api.signed_up("merchant").await,
            api.signed_up("customer").await,
        );
        let goods_id = api
            .create_goods(&merchant, 500, stock, "CNY")
            .await
            .goods_id;
        Self {
            api,
            merchant,
            buyer,
            goods_id,
        }
    }

    async fn stock(&self) -> i64 {
        self.api.goods(&self.goods_id).await.stock
    }

    async fn view(&self, order_id: &str) -> OrderView {
        self.api.order_view(&self.buyer, order_id).await
    }

    /// Delivers `event` signed now; asserts the provider is told 200.
    async fn deliver(&self, event: &WebhookEvent) {
        let now = shop::clock::now().unix_timestamp();
        let (status, body) = self.api.webhook(event, &webhook_secret(), now).await;
        assert_eq!(status, 200, "{body}");
    }

    /// Places an order for `quantity` units and pays it through the webhook.
    async fn paid_order(&self, quantity: i64) -> (Order, String) {
        let order = self
            .api
            .place(&self.buyer, &[(&self.goods_id, quantity)])
            .await;
        let event = self.api.payment_event(&self.buyer, &order).await;
        self.deliver(&event).await;
        assert_eq!(self.view(&order.order_id).await.order.status, "paid");
        (order, event.payment_id)
    }

    /// Waits until the order's payment `payment_id` has `status`.
    async fn payment_becomes(&self, order_id: &str, payment_id: &str, status: &str) -> OrderView {
        eventually(30, &format!("payment {payment_id} {status}"), || async {
            let view = self.view(order_id).await;
            (view.payment_status(payment_id) == Some(status)).then_some(view)
        })
        .await
    }
}

/// The payment ids `watch-refunds` would report stuck at `now`.
async fn stuck_at(now: time::OffsetDateTime) -> Vec<String> {
    let dynamodb = shop::aws::Aws::from_env().unwrap().dynamodb();
    let payments = shop::payments::repo::PaymentsRepo::new(dynamodb, "PaymentsTable");
    shop::payments::refunds::RefundWatch::new(payments)
        .stuck(now)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.payment_id)
        .collect()
}

fn event(kind: &str, payment: &Payment) -> WebhookEvent {
    WebhookEvent {
        event_id: format!("evt_{}", e2e::unique()),
        event_type: kind.to_owned(),
        payment_id: payment.payment_id.clone(),
        order_id: payment.order_id.clone(),
        amount: payment.amount,
        currency: payment.currency.clone(),
        created_at: shop::clock::rfc3339(shop::clock::now()),
    }
}

/// What the checkout page's buttons post: the link's own signed fields, as a form.
async fn press(payment: &Payment, button: &str) -> (u16, String) {
    let (_, query) = payment.checkout_url.split_once('?').expect("a query");
    let response = reqwest::Client::new()
        .post(format!("{}/checkout/{button}", e2e::provider_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(query.to_owned())
        .send()
        .await
        .expect("the provider answers");
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

async fn pay_again(shop: &Shop, order_id: &str) -> (u16, Value) {
    shop.api
        .call(
            Method::POST,
            &format!("/orders/{order_id}/payments"),
            Some(&shop.buyer.token),
            Some(json!({"method": "card"})),
        )
        .await
}

#[tokio::test]
async fn a_buyer_pays_on_the_providers_page_and_a_declined_payment_frees_the_order() {
    let _turn = provider_turn().await;
    let shop = Shop::open(3).await;
    let order = shop.api.place(&shop.buyer, &[(&shop.goods_id, 1)]).await;
    let first = shop.api.new_payment(&shop.buyer, &order).await;
    let deadline = shop::clock::parse_rfc3339(&order.expires_at).unwrap();
    assert_eq!(
        shop::clock::parse_rfc3339(&first.expires_at).unwrap(),
        deadline - time::Duration::minutes(1),
        "the provider must stop taking money a minute before the order expires"
    );
    assert!(first
        .checkout_url
        .starts_with(&format!("{}/checkout?", e2e::provider_url())));
    let (status, again) = pay_again(&shop, &order.order_id).await;
    assert_eq!(
        (status, again["payment_id"].as_str()),
        (200, Some(first.payment_id.as_str()))
    );

    let page = reqwest::get(&first.checkout_url).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("5.00 CNY") && html.contains("id=\"pay\"") && html.contains("id=\"decline\""),
        "{html}"
    );
    let tampered = first.checkout_url.replace("amount=500", "amount=1");
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 400);

    assert_eq!(press(&first, "decline").await.0, 200);
    let view = shop
        .payment_becomes(&order.order_id, &first.payment_id, "failed")
        .await;
    assert_eq!(view.order.status, "pending_payment");

    let second = shop.api.new_payment(&shop.buyer, &order).await;
    assert_ne!(
        second.payment_id, first.payment_id,
        "a declined payment frees the order"
    );
    let (status, page) = press(&second, "pay").await;
    assert_eq!(status, 200, "{page}");
    let view = shop
        .payment_becomes(&order.order_id, &second.payment_id, "succeeded")
        .await;
    assert_eq!(view.order.history(), ["pending_payment", "paid"]);
    assert_eq!(view.payment_status(&first.payment_id), Some("failed"));
    let (status, refused) = pay_again(&shop, &order.order_id).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (409, Some("not_payable"))
    );

    // A failure delivered after the success (out of order) changes nothing.
    shop.deliver(&event("payment.failed", &second)).await;
    let view = shop.view(&order.order_id).await;
    assert_eq!(view.order.status, "paid");
    assert_eq!(view.payment_status(&second.payment_id), Some("succeeded"));
}

#[tokio::test]
async fn concurrent_payment_requests_make_one_pending_payment() {
    let _turn = provider_turn().await;
    let shop = Shop::open(3).await;
    let order = shop.api.place(&shop.buyer, &[(&shop.goods_id, 1)]).await;
    let answers = join_all((0..10).map(|_| pay_again(&shop, &order.order_id))).await;
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    let ids: std::collections::BTreeSet<&str> = answers
        .iter()
        .map(|(status, body)| {
            assert!(*status == 200 || *status == 201, "{status} {body}");
            body["payment_id"].as_str().unwrap()
        })
        .collect();
    assert_eq!((created, ids.len()), (1, 1), "{answers:?}");
    assert_eq!(shop.view(&order.order_id).await.payments.len(), 1);
}

#[tokio::test]
async fn a_buyer_cancels_a_paid_order_and_gets_the_money_back_once() {
    let _turn = provider_turn().await;
    let shop = Shop::open(5).await;
    let (order, payment_id) = shop.paid_order(2).await;
    assert_eq!(shop.stock().await, 3);

    let path = format!("/orders/{}/cancel", order.order_id);
    let (status, cancelled) = shop
        .api
        .call(Method::POST, &path, Some(&shop.buyer.token), None)
        .await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("refund_pending")),
        "{cancelled}"
    );
    assert_eq!(cancelled["refund"]["status"], "pending");
    assert_eq!(cancelled["refund"]["amount"], 1000);
    assert_eq!(shop.stock().await, 5, "the sold units are back");
    let (status, again) = shop
        .api
        .call(Method::POST, &path, Some(&shop.buyer.token), None)
        .await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("not_cancellable"))
    );

    let view = shop
        .payment_becomes(&order.order_id, &payment_id, "refunded")
        .await;
    assert_eq!(
        view.order.history(),
        ["pending_payment", "paid", "refund_pending", "refunded"]
    );
    let refund = view.refund.expect("the order shows its refund");
    assert_eq!((refund.status.as_str(), refund.amount), ("refunded", 1000));
    assert!(refund.completed_at.is_some());
    let (refunds, _) = provider_refunds(&payment_id).await;
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(
        (
            refunds[0]["amount"].as_i64(),
            refunds[0]["currency"].as_str()
        ),
        (Some(1000), Some("CNY"))
    );
    assert_eq!(shop.stock().await, 5, "stock came back once");
}

#[tokio::test]
async fn a_merchant_refunds_a_paid_order_it_cant_fulfil() {
    let _turn = provider_turn().await;
    let shop = Shop::open(5).await;
    let unpaid = shop.api.place(&shop.buyer, &[(&shop.goods_id, 1)]).await;
    let (order, payment_id) = shop.paid_order(1).await;
    let refund = |who: &Account, order_id: &str, body: Value| {
        let (api, token) = (shop.api.clone(), who.token.clone());
        let path = format!("/orders/{order_id}/refund");
        async move {
            api.call(Method::POST, &path, Some(&token), Some(body))
                .await
        }
    };
    let reason = json!({"reason": "the last one broke in the warehouse"});
    assert_eq!(
        refund(&shop.buyer, &order.order_id, reason.clone()).await.0,
        403
    );
    let rival = shop.api.signed_up("merchant").await;
    assert_eq!(refund(&rival, &order.order_id, reason.clone()).await.0, 404);
    let (status, body) = refund(&shop.merchant, &unpaid.order_id, reason.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("invalid_transition"))
    );
    let (status, body) = refund(&shop.merchant, &order.order_id, json!({"reason": " "})).await;
    assert_eq!(
        (status, body["error"]["fields"]["reason"].is_string()),
        (422, true),
        "{body}"
    );
    assert_eq!(
        shop.view(&order.order_id).await.order.status,
        "paid",
        "nothing moved"
    );

    let (status, body) = refund(&shop.merchant, &order.order_id, reason.clone()).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("refund_pending")),
        "{body}"
    );
    assert_eq!(
        shop.stock().await,
        4,
        "the sold unit is back; the unpaid order holds one"
    );
    let view = shop
        .payment_becomes(&order.order_id, &payment_id, "refunded")
        .await;
    assert_eq!(view.order.status, "refunded");
    assert_eq!(provider_refunds(&payment_id).await.0.len(), 1);
    let ship = shop
        .api
        .call(
            Method::POST,
            &format!("/orders/{}/ship", order.order_id),
            Some(&shop.merchant.token),
            Some(json!({"carrier": "SF", "tracking_number": "SF1"})),
        )
        .await;
    assert_eq!(ship.0, 409);
}

#[tokio::test]
async fn money_taken_after_expiry_is_refunded_and_the_stock_sold_since_stays_sold() {
    let _turn = provider_turn().await;
    let shop = Shop::open(1).await;
    let late = shop.api.place(&shop.buyer, &[(&shop.goods_id, 1)]).await;
    let payment = shop.api.new_payment(&shop.buyer, &late).await;
    // The expiry job, with the clock 31 minutes on.
    let orders = e2e::orders_service();
    let stored = orders.orders.get(&late.order_id).await.unwrap().unwrap();
    let later = shop::clock::now() + time::Duration::minutes(31);
    assert!(orders.expire(&stored, later).await.unwrap());
    let view = shop.view(&late.order_id).await;
    assert_eq!(view.order.status, "cancelled");
    assert_eq!(
        view.payment_status(&payment.payment_id),
        Some("expired"),
        "expired with its order"
    );
    assert_eq!(shop.stock().await, 1);

    let other = shop.api.signed_up("customer").await;
    let sold = shop.api.buy(&other, &shop.goods_id).await;
    assert_eq!(shop.stock().await, 0);

    // The provider took the money anyway, at the last moment.
    shop.deliver(&event("payment.succeeded", &payment)).await;
    let view = shop
        .payment_becomes(&late.order_id, &payment.payment_id, "refunded")
        .await;
    assert_eq!(
        view.order.history(),
        ["pending_payment", "cancelled"],
        "the order doesn't change"
    );
    assert!(view.refund.is_none());
    assert_eq!(provider_refunds(&payment.payment_id).await.0.len(), 1);
    assert_eq!(
        shop.api.order_of(&other, &sold.order_id).await.status,
        "paid"
    );
    assert_eq!(shop.stock().await, 0, "what was sold since stays sold");
}

#[tokio::test]
async fn a_second_success_for_a_paid_order_is_refunded() {
    let _turn = provider_turn().await;
    let shop = Shop::open(2).await;
    let order = shop.api.place(&shop.buyer, &[(&shop.goods_id, 1)]).await;
    let first = shop.api.new_payment(&shop.buyer, &order).await;
    shop.deliver(&event("payment.failed", &first)).await;
    let second = shop.api.new_payment(&shop.buyer, &order).await;
    shop.deliver(&event("payment.succeeded", &second)).await;
    // The provider captured the first after all.
    shop.deliver(&event("payment.succeeded", &first)).await;

    let view = shop
        .payment_becomes(&order.order_id, &first.payment_id, "refunded")
        .await;
    assert_eq!(
        view.order.history(),
        ["pending_payment", "paid"],
        "one paid order"
    );
    assert_eq!(view.payment_status(&second.payment_id), Some("succeeded"));
    assert_eq!(provider_refunds(&first.payment_id).await.0.len(), 1);
    assert!(provider_refunds(&second.payment_id).await.0.is_empty());
    assert_eq!(shop.stock().await, 1);
}

#[tokio::test]
async fn a_provider_that_refuses_three_times_then_accepts_makes_one_refund() {
    let _turn = provider_turn().await;
    let shop = Shop::open(3).await;
    let (order, payment_id) = shop.paid_order(1).await;
    let (_, calls_before) = provider_refunds(&payment_id).await;
    provider_control(json!({"fail_refunds": 3})).await;
    let path = format!("/orders/{}/cancel", order.order_id);
    let (status, _) = shop
        .api
        .call(Method::POST, &path, Some(&shop.buyer.token), None)
        .await;
    assert_eq!(status, 200);
    let view = shop
        .payment_becomes(&order.order_id, &payment_id, "refunded")
        .await;
    provider_control(json!({})).await;
    assert_eq!(view.order.status, "refunded");
    let (refunds, calls_after) = provider_refunds(&payment_id).await;
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert!(
        calls_after - calls_before >= 4,
        "three refused calls and the one accepted"
    );
}

#[tokio::test]
async fn a_refund_the_provider_keeps_refusing_reaches_the_dead_letter_queue_and_nothing_else_changes(
) {
    let _turn = provider_turn().await;
    let shop = Shop::open(3).await;
    let (order, payment_id) = shop.paid_order(1).await;
    let sqs = shop::aws::Aws::from_env().unwrap().sqs();
    let dlq = e2e::queue_url(&sqs, "RefundsDeadLetterQueue").await;
    let since = shop::clock::rfc3339(shop::clock::now());
    provider_control(json!({"fail_refunds_forever": true})).await;
    let path = format!("/orders/{}/cancel", order.order_id);
    let (status, _) = shop
        .api
        .call(Method::POST, &path, Some(&shop.buyer.token), None)
        .await;
    assert_eq!(status, 200);

    let described = eventually(60, "the refund in the dead-letter queue", || async {
        let out = sqs
            .receive_message()
            .queue_url(&dlq)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
        out.messages.unwrap_or_default().iter().find_map(|m| {
            let body: Value = serde_json::from_str(m.body()?).ok()?;
            (body["timestamp"].as_str()? >= since.as_str()).then_some(body)
        })
    })
    .await;
    provider_control(json!({})).await;
    assert_eq!(
        described["requestContext"]["condition"],
        "RetryAttemptsExhausted"
    );
    assert!(described["DDBStreamBatchInfo"]["streamArn"]
        .as_str()
        .unwrap()
        .contains("PaymentsTable"));
    let view = shop.view(&order.order_id).await;
    assert_eq!(view.order.status, "refund_pending", "nothing else changed");
    assert_eq!(view.payment_status(&payment_id), Some("refund_pending"));
    assert_eq!(view.refund.unwrap().status, "pending");
    assert!(provider_refunds(&payment_id).await.0.is_empty());
    // An hour on, the watch reports it stuck (its alarm's metric); not before.
    assert!(!stuck_at(shop::clock::now()).await.contains(&payment_id));
    let later = shop::clock::now() + time::Duration::minutes(61);
    assert!(stuck_at(later).await.contains(&payment_id));
}

#[tokio::test]
async fn fifty_deliveries_of_a_refund_confirmation_make_one_transition() {
    let _turn = provider_turn().await;
    let shop = Shop::open(3).await;
    let (order, payment_id) = shop.paid_order(1).await;
    // The provider accepts the refund but confirms it only much later: we confirm it.
    provider_control(json!({"refund_delay_ms": 600_000})).await;
    let path = format!("/orders/{}/cancel", order.order_id);
    shop.api
        .call(Method::POST, &path, Some(&shop.buyer.token), None)
        .await;
    eventually(30, "the provider's refund", || async {
        (provider_refunds(&payment_id).await.0.len() == 1).then_some(())
    })
    .await;
    provider_control(json!({})).await;
    let refunded = WebhookEvent {
        event_id: format!("evt_{}", e2e::unique()),
        event_type: "payment.refunded".to_owned(),
        payment_id: payment_id.clone(),
        order_id: order.order_id.clone(),
        amount: 500,
        currency: "CNY".to_owned(),
        created_at: shop::clock::rfc3339(shop::clock::now()),
    };
    let mut deliveries: Vec<WebhookEvent> = vec![refunded.clone(); 50];
    deliveries.extend((0..5).map(|_| refunded.redone()));
    join_all(deliveries.iter().map(|e| shop.deliver(e))).await;

    let view = shop.view(&order.order_id).await;
    assert_eq!(
        view.order.history(),
        ["pending_payment", "paid", "refund_pending", "refunded"]
    );
    assert_eq!(view.payment_status(&payment_id), Some("refunded"));
    assert_eq!(shop.stock().await, 3);
    let later = shop::clock::now() + time::Duration::minutes(61);
    assert!(
        !stuck_at(later).await.contains(&payment_id),
        "a completed refund is not stuck"
    );
}
