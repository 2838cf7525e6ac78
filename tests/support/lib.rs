//! What the end-to-end tests share: the API's address, an HTTP client, unique names,
//! the emails the emulated SES "sent", and account set-up.
//!
//! The tests expect a running local stack (`infra/test.sh` starts one) at
//! `SHOP_API_URL`, with moto at `AWS_ENDPOINT_URL` (and its SES at `AWS_ENDPOINT_URL_SES`).

pub mod contract;

use std::time::Duration;

use contract::{Goods, Order, OrderView, Payment, Session, User, WebhookEvent};
use reqwest::{Method, Response};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Where the local stack serves the API.
pub fn api_url() -> String {
    std::env::var("SHOP_API_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".to_owned())
}

/// Where moto serves SES (and its `/moto-api`): its own instance when
/// `AWS_ENDPOINT_URL_SES` says so, as `infra/emulators.sh` starts it.
pub fn ses_url() -> String {
    std::env::var("AWS_ENDPOINT_URL_SES")
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|_| "http://127.0.0.1:5000".to_owned())
}

/// A fresh suffix, unique across tests and runs.
pub fn unique() -> String {
    ulid::Ulid::new().to_string().to_lowercase()[10..].to_owned()
}

/// A fresh lowercase word of letters only, unique across tests and runs: a search term
/// no other goods contain.
pub fn unique_word() -> String {
    unique()
        .chars()
        .map(|c| match c {
            '0'..='9' => char::from(b'q' + (c as u8 - b'0') % 10),
            c => c,
        })
        .collect::<String>()
        .replace(|c: char| !c.is_ascii_lowercase(), "x")
}

/// Polls `check` every 200 ms until it returns `Some`, for up to `seconds`.
///
/// # Panics
/// With `what` when time runs out.
pub async fn eventually<T, F, Fut>(seconds: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A test's view of the API.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Default for Api {
    fn default() -> Self {
        Self::new()
    }
}

impl Api {
    /// A client for [`api_url`].
    pub fn new() -> Self {
        Self::from_address(None)
    }

    /// A client whose requests come from `address` (another loopback address, such as
    /// `127.0.0.2`, is another client to the API), or from the default one.
    pub fn from_address(address: Option<std::net::IpAddr>) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .local_address(address)
                .build()
                .expect("client"),
            base: api_url(),
        }
    }

    /// Sends a request; `token` becomes a bearer token.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("the local stack answers")
    }

    /// Sends raw bytes as a JSON body.
    pub async fn send_raw(&self, method: Method, path: &str, body: Vec<u8>) -> Response {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the local stack answers")
    }

    /// A request with a custom header set.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    /// Sends and returns the status and JSON body (`null` when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        status_and_json(self.send(method, path, token, body.as_ref()).await).await
    }

    /// Sends, asserts the answer has status `expected`, and parses its body as the
    /// contract's `T`.
    pub async fn expect<T: DeserializeOwned>(
        &self,
        expected: u16,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> T {
        let (status, answer) = self.call(method.clone(), path, token, body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
        serde_json::from_value(answer.clone())
            .unwrap_or_else(|e| panic!("{method} {path}: not the contract's body ({e}): {answer}"))
    }

    /// `POST /auth/register`.
    pub async fn register(
        &self,
        username: &str,
        email: &str,
        password: &str,
        role: &str,
    ) -> (u16, Value) {
        let body =
            json!({"username": username, "email": email, "password": password, "role": role});
        self.call(Method::POST, "/auth/register", None, Some(body))
            .await
    }

    /// `POST /auth/login`.
    pub async fn login(&self, username: &str, password: &str) -> (u16, Value) {
        let body = json!({"username": username, "password": password});
        self.call(Method::POST, "/auth/login", None, Some(body))
            .await
    }

    /// Follows the activation link of the newest email sent to `email`.
    pub async fn activate(&self, email: &str) -> (u16, Value) {
        let link = activation_link(email).await;
        let path = link
            .strip_prefix(&self.base)
            .expect("the link points at this API");
        self.call(Method::GET, path, None, None).await
    }

    /// Registers, activates and logs in a new account; returns it with its token.
    pub async fn signed_up(&self, role: &str) -> Account {
        let suffix = unique();
        let account = Account {
            username: format!("{role}_{suffix}"),
            email: format!("{role}.{suffix}@example.com"),
            password: "correct horse battery staple".to_owned(),
            token: String::new(),
            user_id: String::new(),
        };
        let (status, user) = self
            .register(&account.username, &account.email, &account.password, role)
            .await;
        assert_eq!(status, 201, "register: {user}");
        let user: User = serde_json::from_value(user).expect("register answers a user");
        let (status, body) = self.activate(&account.email).await;
        assert_eq!(status, 200, "activate: {body}");
        let (status, session) = self.login(&account.username, &account.password).await;
        assert_eq!(status, 200, "login: {session}");
        let session: Session = serde_json::from_value(session).expect("login answers a session");
        assert_eq!(session.user.user_id, user.user_id);
        Account {
            token: session.token,
            user_id: user.user_id,
            ..account
        }
    }
}

/// An activated, logged-in account.
#[derive(Debug, Clone)]
pub struct Account {
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Session token.
    pub token: String,
    /// User id.
    pub user_id: String,
}

/// Asserts that an answer is the refusal `status` with the error `code`.
///
/// # Panics
/// When it is anything else.
#[track_caller]
pub fn assert_refused(answer: &(u16, Value), status: u16, code: &str) {
    let (got, body) = answer;
    assert_eq!(
        (*got, body["error"]["code"].as_str()),
        (status, Some(code)),
        "{body}"
    );
}

/// The status and JSON body of a response (`null` when empty).
pub async fn status_and_json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("a JSON body, got {text:?}"))
    };
    (status, body)
}

/// The SES moto's whole state as JSON (its own instance, at `AWS_ENDPOINT_URL_SES`, so
/// this is the sent mail, not every queue's messages). moto serialises every live model
/// for this, while other requests change them, so an answer can now and then be a 500:
/// ask again.
async fn moto_data() -> Value {
    let url = format!("{}/moto-api/data.json", ses_url());
    let mut last = String::new();
    for _ in 0..20 {
        let response = reqwest::get(&url).await.expect("moto answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        match serde_json::from_str(&text) {
            Ok(data) if status.is_success() => return data,
            _ => last = format!("{status}: {}", text.chars().take(300).collect::<String>()),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto's data is not JSON after 20 tries; last answer {last}");
}

/// Every email the emulated SES sent to `address`, oldest first (bodies).
pub async fn emails_to(address: &str) -> Vec<String> {
    let data = moto_data().await;
    data["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|t| t == address))
        })
        .filter_map(|m| m["body"].as_str().map(str::to_owned))
        .collect()
}

/// Waits until `address` has received `count` emails; returns them all.
pub async fn wait_for_emails(address: &str, count: usize) -> Vec<String> {
    for _ in 0..100 {
        let emails = emails_to(address).await;
        if emails.len() >= count {
            return emails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{address} did not receive {count} emails");
}

/// The link in an email body.
pub fn link_in(body: &str) -> String {
    body.split_whitespace()
        .find(|w| w.contains("/auth/activate?token="))
        .expect("the email carries an activation link")
        .to_owned()
}

/// The activation link of the newest email sent to `address`.
pub async fn activation_link(address: &str) -> String {
    let emails = wait_for_emails(address, 1).await;
    link_in(emails.last().expect("one email"))
}

/// The token an email carries on its `Token: ` line (reset, email change).
pub fn token_in(body: &str) -> String {
    body.lines()
        .find_map(|line| line.strip_prefix("Token: "))
        .expect("the email carries a token")
        .trim()
        .to_owned()
}

/// The token in an activation link.
pub fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("a token").to_owned()
}

/// The payment webhook's local signing secret (the first, if several).
pub fn webhook_secret() -> String {
    std::env::var("LOCAL_PAYMENT_WEBHOOK_SECRETS")
        .unwrap_or_else(|_| "whsec_local_development_secret".into())
        .split(',')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A valid shipping address.
pub fn address() -> Value {
    json!({"recipient": "李雷", "phone": "+86 138 0000 0000", "line1": "建国路 1 号", "city": "北京", "country": "CN"})
}

/// The body of an order for these lines.
pub fn order_body(lines: &[(&str, i64)]) -> Value {
    let items: Vec<Value> = lines
        .iter()
        .map(|(g, q)| json!({"goods_id": g, "quantity": q}))
        .collect();
    json!({"items": items, "shipping_address": address(), "payment_method": "alipay"})
}

impl Api {
    /// Creates goods for `merchant`.
    pub async fn create_goods(
        &self,
        merchant: &Account,
        price: i64,
        stock: i64,
        currency: &str,
    ) -> Goods {
        let body = json!({"name": format!("goods {}", unique()), "description": "d", "price": price,
                          "currency": currency, "category": "Orders", "stock": stock});
        self.expect(
            201,
            Method::POST,
            "/goods",
            Some(&merchant.token),
            Some(body),
        )
        .await
    }

    /// `GET /goods/{goods_id}`.
    pub async fn goods(&self, goods_id: &str) -> Goods {
        self.expect(200, Method::GET, &format!("/goods/{goods_id}"), None, None)
            .await
    }

    /// `POST /orders` for these lines, for a test of what it refuses.
    pub async fn order(&self, buyer: &Account, lines: &[(&str, i64)]) -> (u16, Value) {
        self.call(
            Method::POST,
            "/orders",
            Some(&buyer.token),
            Some(order_body(lines)),
        )
        .await
    }

    /// `POST /orders` for these lines, which must be placed.
    pub async fn place(&self, buyer: &Account, lines: &[(&str, i64)]) -> Order {
        let body = order_body(lines);
        self.expect(201, Method::POST, "/orders", Some(&buyer.token), Some(body))
            .await
    }

    /// `GET /orders/{order_id}` as `buyer`.
    pub async fn order_of(&self, buyer: &Account, order_id: &str) -> Order {
        let path = format!("/orders/{order_id}");
        self.expect(200, Method::GET, &path, Some(&buyer.token), None)
            .await
    }

    /// `GET /orders/{order_id}` as `buyer`: the order with its payments and refund.
    pub async fn order_view(&self, buyer: &Account, order_id: &str) -> OrderView {
        let path = format!("/orders/{order_id}");
        self.expect(200, Method::GET, &path, Some(&buyer.token), None)
            .await
    }

    /// Creates a payment for the order (a new one: 201).
    pub async fn new_payment(&self, buyer: &Account, order: &Order) -> Payment {
        let path = format!("/orders/{}/payments", order.order_id);
        let body = json!({"method": "alipay"});
        let payment: Payment = self
            .expect(201, Method::POST, &path, Some(&buyer.token), Some(body))
            .await;
        assert_eq!(
            (payment.order_id.as_str(), payment.status.as_str()),
            (order.order_id.as_str(), "pending")
        );
        payment
    }

    /// Creates a payment for the order; returns the provider's success event for it.
    pub async fn payment_event(&self, buyer: &Account, order: &Order) -> WebhookEvent {
        let payment = self.new_payment(buyer, order).await;
        WebhookEvent {
            event_id: format!("evt_{}", unique()),
            event_type: "payment.succeeded".to_owned(),
            payment_id: payment.payment_id,
            order_id: payment.order_id,
            amount: payment.amount,
            currency: payment.currency,
            created_at: "2026-11-25T12:00:00Z".to_owned(),
        }
    }

    /// Delivers a webhook event signed with `secret` at `timestamp`.
    pub async fn webhook(
        &self,
        event: &WebhookEvent,
        secret: &str,
        timestamp: i64,
    ) -> (u16, Value) {
        let body = serde_json::to_string(event).expect("an event serializes");
        let response = self
            .request(Method::POST, "/payments/webhook")
            .header("content-type", "application/json")
            .header(
                "payment-signature",
                shop::payments::signature::sign(secret, timestamp, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .expect("the local stack answers");
        status_and_json(response).await
    }

    /// Orders one unit of the goods and pays for it through the signed webhook.
    pub async fn buy(&self, buyer: &Account, goods_id: &str) -> Order {
        let order = self.place(buyer, &[(goods_id, 1)]).await;
        let event = self.payment_event(buyer, &order).await;
        let (status, body) = self
            .webhook(
                &event,
                &webhook_secret(),
                shop::clock::now().unix_timestamp(),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        order
    }
}

/// The payment provider the local stack started (the simulator).
pub fn provider_url() -> String {
    std::env::var("SHOP_PROVIDER_URL").unwrap_or_else(|_| "http://127.0.0.1:3080".to_owned())
}

/// The refunds the provider recorded for `payment_id`, and every call its refunds API took.
pub async fn provider_refunds(payment_id: &str) -> (Vec<Value>, u64) {
    let all: Value = reqwest::get(format!("{}/refunds", provider_url()))
        .await
        .expect("the provider answers")
        .json()
        .await
        .expect("a JSON answer");
    let refunds = all["items"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|r| r["payment_id"] == payment_id)
        .cloned()
        .collect();
    (refunds, all["calls"].as_u64().unwrap_or_default())
}

/// One test's turn with the payment provider, behaving (whatever a test before it left
/// set): some tests switch it into misbehaving (refusing refunds, late or duplicate
/// webhooks), which would reach every payment and refund of the tests beside them, so
/// every test whose money goes through the provider holds its turn.
pub async fn provider_turn() -> tokio::sync::MutexGuard<'static, ()> {
    static PROVIDER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let turn = PROVIDER.lock().await;
    provider_control(serde_json::json!({})).await;
    turn
}

/// Sets the provider's misbehaviour switches (`{}` for none); hold a [`provider_turn`].
pub async fn provider_control(control: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/control", provider_url()))
        .json(&control)
        .send()
        .await
        .expect("the provider answers");
    assert!(response.status().is_success(), "{}", response.status());
}

/// The order functions' service on the local stack's tables, for what a schedule does
/// (expiring an order with the clock moved on).
pub fn orders_service() -> shop::orders::Orders {
    let dynamodb = shop::aws::Aws::from_env()
        .expect("the AWS environment")
        .dynamodb();
    shop::orders::Orders::new(
        shop::accounts::sessions::SessionsRepo::new(dynamodb.clone(), "SessionsTable"),
        shop::orders::repo::OrdersRepo::new(dynamodb.clone(), "OrdersTable"),
        shop::catalogue::repo::GoodsRepo::new(dynamodb.clone(), "GoodsTable"),
        Some(shop::payments::repo::PaymentsRepo::new(
            dynamodb,
            "PaymentsTable",
        )),
    )
}

/// A queue's URL on the local SQS.
pub async fn queue_url(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    sqs.get_queue_url()
        .queue_name(name)
        .send()
        .await
        .expect("the queue exists")
        .queue_url
        .expect("a queue URL")
}

/// Sends these bodies to `queue` in one SendMessageBatch.
pub async fn send_batch(queue: &str, bodies: &[String]) {
    let sqs = shop::aws::Aws::from_env().expect("AWS configuration").sqs();
    let url = queue_url(&sqs, queue).await;
    let entries = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                .id(format!("m{i}"))
                .message_body(body)
                .build()
                .expect("a valid entry")
        })
        .collect();
    sqs.send_message_batch()
        .queue_url(&url)
        .set_entries(Some(entries))
        .send()
        .await
        .expect("sent");
}

/// Waits (up to a minute) for a message with exactly `body` on the dead-letter queue.
pub async fn await_dead_letter(queue: &str, body: &str) {
    let sqs = shop::aws::Aws::from_env().expect("AWS configuration").sqs();
    let url = queue_url(&sqs, queue).await;
    eventually(60, "the message in the dead-letter queue", || async {
        let out = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .expect("received");
        out.messages
            .unwrap_or_default()
            .iter()
            .any(|m| m.body() == Some(body))
            .then_some(())
    })
    .await;
}

/// How many purchases of each goods item the recommendations consumer has counted.
pub async fn purchases_of(goods: &[String]) -> Vec<u64> {
    let store = shop::recs::store::RecsStore::new(
        shop::aws::Aws::from_env()
            .expect("AWS configuration")
            .dynamodb(),
        "RecommendationsTable",
        "BehaviourTable",
    );
    let mut counts = Vec::with_capacity(goods.len());
    for g in goods {
        counts.push(store.purchases(g).await.expect("read"));
    }
    counts
}
