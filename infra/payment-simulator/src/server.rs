//! The provider as a server, on loopback:
//!
//! | route | what it does |
//! |---|---|
//! | `GET /checkout?…&sig=…` | the hosted checkout page of a payment's `checkout_url` (its parameters signed with the shop's API key): the amount, a Pay and a Decline button |
//! | `POST /checkout/pay`, `/checkout/decline` | what the buttons send: the signed `payment.succeeded` (refused once the payment's `expires_at` has passed: no money is taken late) or `payment.failed` webhook |
//! | `POST /refunds` | the refunds API: `Authorization: Bearer <api key>`, an `Idempotency-Key` (the same key answers the same refund), `{payment_id, amount, currency, order_id}` → 201 `{refund_id, status}`; `payment.refunded` follows after `refund_delay_ms` |
//! | `GET /refunds` | what it recorded: `{items: [...], calls}` (every call, refused ones too) |
//! | `GET`/`POST /control` | the switches: `fail_refunds` (the next N refund calls answer 503), `fail_refunds_forever`, `duplicate_webhooks` (every webhook delivered twice), `webhook_delay_ms` (late), `stale_failure` (a `payment.failed` follows every success: out of order), `refund_delay_ms` |
//!
//! Webhooks are delivered until the shop answers 2xx (five tries, a second apart), as
//! providers retry.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shop::payments::provider::{verify, CheckoutParameters};
use shop::payments::signature::sign;
use subtle::ConstantTimeEq;

/// The switches that make the provider misbehave.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Control {
    /// The next this many refund calls answer 503.
    pub fail_refunds: u32,
    /// Every refund call answers 503.
    pub fail_refunds_forever: bool,
    /// Every webhook is delivered twice.
    pub duplicate_webhooks: bool,
    /// Every webhook waits this long before it is sent.
    pub webhook_delay_ms: u64,
    /// A stale `payment.failed` follows every success.
    pub stale_failure: bool,
    /// How long after accepting a refund `payment.refunded` is sent (default 300).
    pub refund_delay_ms: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
struct RecordedRefund {
    refund_id: String,
    payment_id: String,
    order_id: String,
    amount: i64,
    currency: String,
    idempotency_key: String,
    status: &'static str,
}

#[derive(Default)]
struct Book {
    control: Control,
    refunds: Vec<RecordedRefund>,
    calls: u64,
}

struct Provider {
    shop: String,
    secret: String,
    api_key: String,
    http: reqwest::Client,
    book: Mutex<Book>,
}

type Shared = Arc<Provider>;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// Serves the provider until the process ends.
///
/// # Errors
/// The address can't be bound.
pub async fn serve(args: &[String]) -> Result<(), String> {
    let addr = arg(args, "--addr").unwrap_or_else(|| "127.0.0.1:3080".to_owned());
    let shop = arg(args, "--shop")
        .or_else(|| std::env::var("SHOP_API_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
    let provider = Arc::new(Provider {
        shop: shop.trim_end_matches('/').to_owned(),
        secret: crate::webhook_secret(),
        api_key: crate::api_key(),
        http: reqwest::Client::new(),
        book: Mutex::new(Book::default()),
    });
    if args.iter().any(|a| a == "--exit-with-stdin") {
        // Started by the local stack: end with it (its end of the pipe closes).
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
    }
    let app = Router::new()
        .route("/checkout", get(checkout_page))
        .route("/checkout/pay", post(pay))
        .route("/checkout/decline", post(decline))
        .route("/refunds", post(refund).get(refunds))
        .route("/control", get(control).post(set_control))
        .with_state(provider);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("{addr}: {e}"))?;
    println!("payment provider (simulator) on http://{addr}, webhooks to {shop}");
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

/// A checkout link's (or form's) fields.
#[derive(Debug, Deserialize)]
struct Checkout {
    payment_id: String,
    order_id: String,
    amount: i64,
    currency: String,
    expires_at: String,
    sig: String,
}

impl Checkout {
    fn parameters(&self) -> CheckoutParameters<'_> {
        CheckoutParameters {
            payment_id: &self.payment_id,
            order_id: &self.order_id,
            amount: self.amount,
            currency: &self.currency,
            expires_at: &self.expires_at,
        }
    }

    fn genuine(&self, api_key: &str) -> bool {
        verify(api_key, &self.parameters().query(), &self.sig)
    }

    fn expired(&self) -> bool {
        shop::clock::parse_rfc3339(&self.expires_at).is_none_or(|at| at <= shop::clock::now())
    }

    /// The page that refuses this payment, if it is forged, or expired while `live`
    /// (money may be taken, or the page shown, only until `expires_at`).
    fn refusal(&self, api_key: &str, live: bool) -> Option<Response> {
        if !self.genuine(api_key) {
            return Some(page(
                StatusCode::BAD_REQUEST,
                "Invalid payment",
                "<p>This payment was not issued by the shop.</p>",
            ));
        }
        (live && self.expired()).then(|| {
            page(
                StatusCode::GONE,
                "Payment expired",
                "<p>This payment can no longer be made; no money was taken.</p>",
            )
        })
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto}}\
         button{{font-size:1.1rem;padding:.5rem 1.5rem;margin-right:1rem}}</style></head>\
         <body><h1>{title}</h1>{body}</body></html>",
        title = escape(title)
    );
    (status, Html(html)).into_response()
}

async fn checkout_page(State(p): State<Shared>, Query(c): Query<Checkout>) -> Response {
    if let Some(refused) = c.refusal(&p.api_key, true) {
        return refused;
    }
    let hidden: String = [
        ("payment_id", c.payment_id.clone()),
        ("order_id", c.order_id.clone()),
        ("amount", c.amount.to_string()),
        ("currency", c.currency.clone()),
        ("expires_at", c.expires_at.clone()),
        ("sig", c.sig.clone()),
    ]
    .iter()
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    })
    .collect();
    let amount = format!(
        "{}.{:02} {}",
        c.amount / 100,
        c.amount % 100,
        escape(&c.currency)
    );
    let body = format!(
        "<p>Order <code>{order}</code></p><p id=\"amount\">Amount: <strong>{amount}</strong></p>\
         <p>Pay before {expires}</p>\
         <form method=\"post\" action=\"/checkout/pay\" style=\"display:inline\">{hidden}<button id=\"pay\">Pay</button></form>\
         <form method=\"post\" action=\"/checkout/decline\" style=\"display:inline\">{hidden}<button id=\"decline\">Decline</button></form>",
        order = escape(&c.order_id),
        expires = escape(&c.expires_at),
    );
    page(StatusCode::OK, "Checkout", &body)
}

async fn pay(State(p): State<Shared>, Form(c): Form<Checkout>) -> Response {
    if let Some(refused) = c.refusal(&p.api_key, true) {
        return refused;
    }
    let stale_failure = p.lock().control.stale_failure;
    let answer = deliver(
        &p,
        "payment.succeeded",
        &c.payment_id,
        &c.order_id,
        c.amount,
        &c.currency,
    )
    .await;
    if stale_failure {
        deliver(
            &p,
            "payment.failed",
            &c.payment_id,
            &c.order_id,
            c.amount,
            &c.currency,
        )
        .await;
    }
    page(
        StatusCode::OK,
        "Payment received",
        &format!("<p id=\"result\">Paid. The shop answered {answer}.</p>"),
    )
}

async fn decline(State(p): State<Shared>, Form(c): Form<Checkout>) -> Response {
    if let Some(refused) = c.refusal(&p.api_key, false) {
        return refused;
    }
    let answer = deliver(
        &p,
        "payment.failed",
        &c.payment_id,
        &c.order_id,
        c.amount,
        &c.currency,
    )
    .await;
    page(
        StatusCode::OK,
        "Payment declined",
        &format!("<p id=\"result\">Declined. The shop answered {answer}.</p>"),
    )
}

#[derive(Debug, Deserialize)]
struct RefundRequest {
    payment_id: String,
    amount: i64,
    currency: String,
    #[serde(default)]
    order_id: String,
}

async fn refund(State(p): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let key_ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|k| bool::from(k.as_bytes().ct_eq(p.api_key.as_bytes())));
    let error = |status: StatusCode, message: &str| {
        (status, Json(json!({"error": {"message": message}}))).into_response()
    };
    let (accepted, delay) = {
        let mut book = p.lock();
        book.calls += 1;
        if !key_ok {
            return error(StatusCode::UNAUTHORIZED, "invalid API key");
        }
        let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) else {
            return error(StatusCode::BAD_REQUEST, "an Idempotency-Key is required");
        };
        let Ok(request) = serde_json::from_str::<RefundRequest>(&body) else {
            return error(
                StatusCode::BAD_REQUEST,
                "a refund is {payment_id, amount, currency}",
            );
        };
        if request.amount <= 0 {
            return error(StatusCode::BAD_REQUEST, "the amount must be positive");
        }
        if book.control.fail_refunds_forever || book.control.fail_refunds > 0 {
            book.control.fail_refunds = book.control.fail_refunds.saturating_sub(1);
            return error(StatusCode::SERVICE_UNAVAILABLE, "refunds are unavailable");
        }
        if let Some(seen) = book.refunds.iter().find(|r| r.idempotency_key == key) {
            return (
                StatusCode::OK,
                Json(json!({"refund_id": seen.refund_id, "status": seen.status})),
            )
                .into_response();
        }
        let recorded = RecordedRefund {
            refund_id: format!("re_{}", ulid::Ulid::new()),
            payment_id: request.payment_id,
            order_id: request.order_id,
            amount: request.amount,
            currency: request.currency,
            idempotency_key: key.to_owned(),
            status: "pending",
        };
        book.refunds.push(recorded.clone());
        (recorded, book.control.refund_delay_ms.unwrap_or(300))
    };
    let answer = json!({"refund_id": accepted.refund_id, "status": accepted.status});
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let r = &accepted;
        deliver(
            &p,
            "payment.refunded",
            &r.payment_id,
            &r.order_id,
            r.amount,
            &r.currency,
        )
        .await;
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

async fn refunds(State(p): State<Shared>) -> Json<Value> {
    let book = p.lock();
    Json(json!({"items": book.refunds, "calls": book.calls}))
}

async fn control(State(p): State<Shared>) -> Json<Control> {
    Json(p.lock().control.clone())
}

async fn set_control(State(p): State<Shared>, Json(control): Json<Control>) -> Json<Control> {
    p.lock().control = control.clone();
    Json(control)
}

impl Provider {
    fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Sends a signed webhook until the shop answers 2xx (twice when duplicating); answers
/// the last status.
async fn deliver(
    p: &Provider,
    kind: &str,
    payment_id: &str,
    order_id: &str,
    amount: i64,
    currency: &str,
) -> String {
    let (delay, copies) = {
        let book = p.lock();
        (
            book.control.webhook_delay_ms,
            if book.control.duplicate_webhooks {
                2
            } else {
                1
            },
        )
    };
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let body = json!({
        "event_id": format!("evt_{}", ulid::Ulid::new()),
        "type": kind,
        "payment_id": payment_id,
        "order_id": order_id,
        "amount": amount,
        "currency": currency,
        "created_at": shop::clock::rfc3339(shop::clock::now()),
    })
    .to_string();
    let mut last = String::from("nothing");
    for _ in 0..copies {
        for attempt in 0..5 {
            let signature = sign(
                &p.secret,
                shop::clock::now().unix_timestamp(),
                body.as_bytes(),
            );
            let sent = p
                .http
                .post(format!("{}/payments/webhook", p.shop))
                .header("content-type", "application/json")
                .header("payment-signature", signature)
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => {
                    last = response.status().to_string();
                    break;
                }
                Ok(response) => last = response.status().to_string(),
                Err(e) => last = e.to_string(),
            }
            eprintln!("[payment-simulator] {kind} for {payment_id} not taken: {last}");
            if attempt < 4 {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    last
}
