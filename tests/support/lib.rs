//! What the end-to-end tests share: the API's address, an HTTP client, unique names,
//! the emails the emulated SES "sent", and account set-up.
//!
//! The tests expect a running local stack (`infra/test.sh` starts one) at
//! `SHOP_API_URL`, with moto at `AWS_ENDPOINT_URL`.

use std::time::Duration;

use reqwest::{Method, Response};
use serde_json::{json, Value};

/// Where the local stack serves the API.
pub fn api_url() -> String {
    std::env::var("SHOP_API_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".to_owned())
}

/// Where moto serves SES (and its `/moto-api`).
pub fn moto_url() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "http://127.0.0.1:5000".to_owned())
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
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
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
        let (status, body) = self.activate(&account.email).await;
        assert_eq!(status, 200, "activate: {body}");
        let (status, session) = self.login(&account.username, &account.password).await;
        assert_eq!(status, 200, "login: {session}");
        Account {
            token: session["token"].as_str().expect("token").to_owned(),
            user_id: user["user_id"].as_str().expect("user_id").to_owned(),
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

/// moto's whole state as JSON. moto serialises every live model for this, while other
/// requests change them, so an answer can now and then be a 500: ask again.
async fn moto_data() -> Value {
    let url = format!("{}/moto-api/data.json", moto_url());
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

/// The token in an activation link.
pub fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("a token").to_owned()
}

/// The payment webhook's local signing secret (the first, if several).
pub fn webhook_secret() -> String {
    std::env::var("LOCAL_ENV_PAYMENT_WEBHOOK_SECRETS")
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
    /// Creates goods for `merchant`; returns the id.
    pub async fn create_goods(
        &self,
        merchant: &Account,
        price: i64,
        stock: i64,
        currency: &str,
    ) -> String {
        let body = json!({"name": format!("goods {}", unique()), "description": "d", "price": price,
                          "currency": currency, "category": "Orders", "stock": stock});
        let (status, item) = self
            .call(Method::POST, "/goods", Some(&merchant.token), Some(body))
            .await;
        assert_eq!(status, 201, "{item}");
        item["goods_id"].as_str().expect("goods_id").to_owned()
    }

    /// `POST /orders` for these lines.
    pub async fn order(&self, buyer: &Account, lines: &[(&str, i64)]) -> (u16, Value) {
        self.call(
            Method::POST,
            "/orders",
            Some(&buyer.token),
            Some(order_body(lines)),
        )
        .await
    }

    /// Creates a payment for the order; returns the provider's success event for it.
    pub async fn payment_event(&self, buyer: &Account, order: &Value) -> Value {
        let id = order["order_id"].as_str().expect("order_id");
        let (status, payment) = self
            .call(
                Method::POST,
                &format!("/orders/{id}/payments"),
                Some(&buyer.token),
                Some(json!({"method": "alipay"})),
            )
            .await;
        assert_eq!(status, 201, "{payment}");
        json!({"event_id": format!("evt_{}", unique()), "type": "payment.succeeded", "payment_id": payment["payment_id"],
               "order_id": id, "amount": payment["amount"], "currency": payment["currency"], "created_at": "2026-11-25T12:00:00Z"})
    }

    /// Delivers a webhook event signed with `secret` at `timestamp`.
    pub async fn webhook(&self, event: &Value, secret: &str, timestamp: i64) -> (u16, Value) {
        let body = event.to_string();
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
    pub async fn buy(&self, buyer: &Account, goods_id: &str) -> Value {
        let (status, order) = self.order(buyer, &[(goods_id, 1)]).await;
        assert_eq!(status, 201, "{order}");
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

/// How often each goods item appears among the recent purchases the recommendations
/// consumer keeps.
pub async fn recent_purchases_of(goods: &[String]) -> Vec<usize> {
    let store = shop::recs::store::RecsStore::new(
        shop::aws::Aws::from_env()
            .expect("AWS configuration")
            .dynamodb(),
        "RecommendationsTable",
    );
    let recent = store.recent_purchases().await.expect("read");
    goods
        .iter()
        .map(|g| recent.iter().filter(|r| *r == g).count())
        .collect()
}
