//! The provider's checkout page in a real browser: headless Chromium (driven by
//! `infra/browser/checkout-check.cjs`) opens a payment's `checkout_url`, shows its
//! amount, and a click on Pay makes the order `paid` within seconds; a click on Decline
//! leaves it `pending_payment` with the payment `failed`.

use std::path::Path;

use e2e::contract::Payment;
use e2e::{eventually, Account, Api};
use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Clicks `button` on the payment's checkout page; answers the browser's report.
async fn click(payment: &Payment, button: &str) -> Value {
    let screenshot = repo().join(format!(".local/logs/checkout-{button}.png"));
    let out = tokio::process::Command::new("node")
        .arg(repo().join("infra/browser/checkout-check.cjs"))
        .env("CHECKOUT_URL", &payment.checkout_url)
        .env("CHECKOUT_BUTTON", button)
        .env("CHECKOUT_SCREENSHOT", &screenshot)
        .output()
        .await
        .expect("node runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser failed: {stderr}");
    let png = std::fs::read(&screenshot).expect("the screenshot is saved");
    assert!(
        png.len() > 5_000,
        "a rendered page, not a blank one: {} bytes",
        png.len()
    );
    serde_json::from_slice(&out.stdout).expect("one JSON line")
}

async fn order_with_payment(api: &Api, buyer: &Account, goods_id: &str) -> (String, Payment) {
    let order = api.place(buyer, &[(goods_id, 2)]).await;
    let payment = api.new_payment(buyer, &order).await;
    (order.order_id, payment)
}

#[tokio::test]
async fn a_buyer_pays_in_a_browser_and_the_order_is_paid_or_declines_and_it_waits() {
    // Its money goes through the provider (a refund, or the checkout page).
    let _turn = e2e::provider_turn().await;
    let api = Api::new();
    let (merchant, buyer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let goods_id = api.create_goods(&merchant, 1250, 5, "CNY").await.goods_id;

    let (paid, payment) = order_with_payment(&api, &buyer, &goods_id).await;
    let report = click(&payment, "pay").await;
    assert_eq!(report["amount"], "Amount: 25.00 CNY", "{report}");
    assert!(
        report["result"].as_str().unwrap().starts_with("Paid."),
        "{report}"
    );
    eventually(10, "the order paid", || async {
        (api.order_of(&buyer, &paid).await.status == "paid").then_some(())
    })
    .await;

    let (waiting, payment) = order_with_payment(&api, &buyer, &goods_id).await;
    let report = click(&payment, "decline").await;
    assert!(
        report["result"].as_str().unwrap().starts_with("Declined."),
        "{report}"
    );
    let view = eventually(10, "the payment failed", || async {
        let view = api.order_view(&buyer, &waiting).await;
        (view.payment_status(&payment.payment_id) == Some("failed")).then_some(view)
    })
    .await;
    assert_eq!(view.order.status, "pending_payment");
}
