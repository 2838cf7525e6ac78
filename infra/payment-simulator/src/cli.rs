//! The command line: sends one webhook, as the provider would, for scripts and by hand.
//!
//! ```text
//! payment-simulator --order ID --token BUYER_TOKEN [--method alipay]   # pays: creates the payment, then webhooks success
//! payment-simulator --order ID --payment ID --amount N --currency CNY  # webhooks an existing payment
//! options: --failed          send payment.failed instead of payment.succeeded
//!          --bad-signature   sign with the wrong secret        (expect 400)
//!          --stale           sign with a timestamp 10 min old  (expect 400)
//!          --duplicate       deliver the same event twice      (expect 200, one effect)
//!          --wrong-amount    report one unit less than the order (expect 200, not paid)
//!          --api URL         default SHOP_API_URL or http://127.0.0.1:3000
//! ```
//! The secret is the first of `PAYMENT_WEBHOOK_SECRETS` (default: the local stack's,
//! `LOCAL_PAYMENT_WEBHOOK_SECRETS`).

use serde_json::{json, Value};
use shop::payments::signature::sign;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// Runs the command line with `args` (the program's, whole).
///
/// # Errors
/// A missing flag, or the shop unreachable.
pub async fn run(args: Vec<String>) -> Result<(), String> {
    let flag = |name: &str| args.iter().any(|a| a == name);
    let api = arg(&args, "--api")
        .or_else(|| std::env::var("SHOP_API_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
    let secret = crate::webhook_secret();
    let order = arg(&args, "--order").ok_or("--order is required")?;
    let http = reqwest::Client::new();

    let (payment, amount, currency) = match arg(&args, "--token") {
        Some(token) => {
            let method = arg(&args, "--method").unwrap_or_else(|| "alipay".to_owned());
            let response = http
                .post(format!("{api}/orders/{order}/payments"))
                .bearer_auth(token)
                .json(&json!({ "method": method }))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let body: Value = response.json().await.map_err(|e| e.to_string())?;
            if !status.is_success() {
                return Err(format!("creating the payment: {status} {body}"));
            }
            println!("payment created: {body}");
            (
                body["payment_id"].as_str().unwrap_or_default().to_owned(),
                body["amount"].as_i64().unwrap_or_default(),
                body["currency"].as_str().unwrap_or_default().to_owned(),
            )
        }
        None => (
            arg(&args, "--payment").ok_or("--payment (or --token) is required")?,
            arg(&args, "--amount")
                .ok_or("--amount is required with --payment")?
                .parse()
                .map_err(|e| format!("--amount: {e}"))?,
            arg(&args, "--currency").unwrap_or_else(|| "CNY".to_owned()),
        ),
    };
    let amount = if flag("--wrong-amount") {
        amount - 1
    } else {
        amount
    };
    let event = json!({
        "event_id": format!("evt_{}", ulid::Ulid::new()),
        "type": if flag("--failed") { "payment.failed" } else { "payment.succeeded" },
        "payment_id": payment,
        "order_id": order,
        "amount": amount,
        "currency": currency,
        "created_at": shop::clock::rfc3339(shop::clock::now()),
    });
    let body = event.to_string();
    let now = shop::clock::now().unix_timestamp();
    let timestamp = if flag("--stale") { now - 600 } else { now };
    let key = if flag("--bad-signature") {
        "whsec_not_the_right_one"
    } else {
        secret.as_str()
    };
    let signature = sign(key, timestamp, body.as_bytes());
    let deliveries = if flag("--duplicate") { 2 } else { 1 };
    for _ in 0..deliveries {
        let response = http
            .post(format!("{api}/payments/webhook"))
            .header("content-type", "application/json")
            .header("payment-signature", &signature)
            .body(body.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        println!(
            "webhook {} → {status} {}",
            event["type"],
            response.text().await.unwrap_or_default()
        );
    }
    Ok(())
}
