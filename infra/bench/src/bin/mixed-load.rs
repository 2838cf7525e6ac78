//! A realistic mixed load through the local stack: `--users` signed-in customers at once,
//! each looping for `--seconds` over what shoppers do — browse and filter the listing,
//! open goods (recording views), search, look at similar goods and recommendations, fill
//! the cart, order, pay (payment order, then the provider's signed webhook), review what
//! they bought, read their orders. Every request is timed; any answer that isn't 2xx is
//! an error.
//!
//! Each user pauses `--think-ms` between actions (0: back to back, which measures what
//! the stack can take rather than what a shopper waits).
//!
//! Before the load, waits for the queues to empty (what loading the catalogue queued
//! for the consumers), so the load meets a shop at rest. While it runs, samples every
//! queue's depth and the memory of the local stack, moto and DynamoDB Local
//! ([`bench::watch`]).
//!
//! Then, from the local stack's log (`--log`), each function's AWS requests per
//! invocation under this load (the `request done` lines; a consumer's per message, from
//! its `batch done` lines), and from `/proc`, each function's peak resident memory
//! (`VmHWM`) over its live instances (`--bin-dir`).
//!
//! Usage: `mixed-load [--users N] [--seconds N] [--think-ms N] [--log PATH] [--bin-dir DIR]`
//! with `SHOP_API_URL` and `AWS_ENDPOINT_URL` set and a catalogue loaded
//! (`demo-catalogue`). Prints Markdown.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bench::{arg, ms, parsed_arg, peak_rss_kb, quantile};
use e2e::{order_body, webhook_secret, Account, Api};
use local_stack::template::{self, LocalValues};
use reqwest::Method;
use serde_json::{json, Value};
use shop::payments::signature::sign;

/// What one user does, with how often (weights out of 100).
const MIX: [(Action, u32); 10] = [
    (Action::Browse, 20),
    (Action::View, 20),
    (Action::Search, 15),
    (Action::Similar, 5),
    (Action::Recommend, 5),
    (Action::Cart, 10),
    (Action::Buy, 10),
    (Action::Review, 5),
    (Action::Reviews, 5),
    (Action::Orders, 5),
];

#[derive(Clone, Copy)]
enum Action {
    Browse,
    View,
    Search,
    Similar,
    Recommend,
    Cart,
    Buy,
    Review,
    Reviews,
    Orders,
}

/// What every user shares: the catalogue to pick from and the samples.
struct World {
    api: Api,
    /// Demo catalogue goods (browsed, viewed, searched).
    goods: Vec<String>,
    categories: Vec<String>,
    words: Vec<String>,
    /// Goods with ample stock that users buy.
    for_sale: Vec<String>,
    samples: Mutex<BTreeMap<&'static str, Vec<(Duration, bool)>>>,
}

/// A user's own state.
struct User {
    account: Account,
    rng: u64,
    bought: Vec<String>,
    reviewed: HashSet<String>,
}

impl User {
    fn next(&mut self) -> u64 {
        // xorshift64*: enough to spread choices; reproducible per user.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, from: &'a [String]) -> &'a str {
        &from[(self.next() % from.len() as u64) as usize]
    }

    fn action(&mut self) -> Action {
        let total: u32 = MIX.iter().map(|(_, w)| w).sum();
        let mut roll = (self.next() % u64::from(total)) as u32;
        for (action, weight) in MIX {
            if roll < weight {
                return action;
            }
            roll -= weight;
        }
        Action::Browse
    }
}

impl World {
    /// Sends one request, records it under `kind`, returns its JSON (if 2xx).
    async fn call(
        &self,
        kind: &'static str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, String)],
    ) -> Option<Value> {
        let mut request = self.api.request(method, path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = &body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let ok = response.status().is_success();
                let body = response.bytes().await.ok();
                ok.then(|| {
                    body.and_then(|b| serde_json::from_slice(&b).ok())
                        .unwrap_or(Value::Null)
                })
            }
            Err(_) => None,
        };
        let took = started.elapsed();
        self.samples
            .lock()
            .unwrap()
            .entry(kind)
            .or_default()
            .push((took, answer.is_some()));
        answer
    }

    async fn act(&self, user: &mut User, action: Action) {
        let token = user.account.token.clone();
        let token = Some(token.as_str());
        match action {
            Action::Browse => {
                let path = if user.next() % 2 == 0 {
                    "/goods?limit=20".to_owned()
                } else {
                    let category = user.pick(&self.categories).to_owned();
                    format!(
                        "/goods?limit=20&category={}&max_price=1000",
                        urlencode(&category)
                    )
                };
                self.call("GET /goods", Method::GET, &path, None, None, &[])
                    .await;
            }
            Action::View => {
                let id = user.pick(&self.goods).to_owned();
                let path = format!("/goods/{id}");
                self.call("GET /goods/{id}", Method::GET, &path, token, None, &[])
                    .await;
            }
            Action::Search => {
                let q = user.pick(&self.words).to_owned();
                let path = format!("/search?q={}", urlencode(&q));
                self.call("GET /search", Method::GET, &path, None, None, &[])
                    .await;
            }
            Action::Similar => {
                let id = user.pick(&self.goods).to_owned();
                let path = format!("/goods/{id}/similar");
                self.call(
                    "GET /goods/{id}/similar",
                    Method::GET,
                    &path,
                    None,
                    None,
                    &[],
                )
                .await;
            }
            Action::Recommend => {
                self.call(
                    "GET /recommendations",
                    Method::GET,
                    "/recommendations?strategy=auto",
                    token,
                    None,
                    &[],
                )
                .await;
            }
            Action::Cart => {
                let id = user.pick(&self.for_sale).to_owned();
                let path = format!("/cart/items/{id}");
                let body = json!({"quantity": 1 + user.next() % 3});
                self.call(
                    "PUT /cart/items/{id}",
                    Method::PUT,
                    &path,
                    token,
                    Some(body),
                    &[],
                )
                .await;
                self.call("GET /cart", Method::GET, "/cart", token, None, &[])
                    .await;
            }
            Action::Buy => {
                let id = user.pick(&self.for_sale).to_owned();
                let Some(order) = self
                    .call(
                        "POST /orders",
                        Method::POST,
                        "/orders",
                        token,
                        Some(order_body(&[(&id, 1)])),
                        &[],
                    )
                    .await
                else {
                    return;
                };
                let order_id = order["order_id"].as_str().unwrap_or_default().to_owned();
                let Some(payment) = self
                    .call(
                        "POST /orders/{id}/payments",
                        Method::POST,
                        &format!("/orders/{order_id}/payments"),
                        token,
                        Some(json!({"method": "alipay"})),
                        &[],
                    )
                    .await
                else {
                    return;
                };
                let event = json!({
                    "event_id": format!("evt_{}", e2e::unique()),
                    "type": "payment.succeeded",
                    "payment_id": payment["payment_id"],
                    "order_id": order_id,
                    "amount": payment["amount"],
                    "currency": payment["currency"],
                    "created_at": "2026-11-25T12:00:00Z",
                });
                let signature = sign(
                    &webhook_secret(),
                    shop::clock::now().unix_timestamp(),
                    event.to_string().as_bytes(),
                );
                if self
                    .call(
                        "POST /payments/webhook",
                        Method::POST,
                        "/payments/webhook",
                        None,
                        Some(event),
                        &[("payment-signature", signature)],
                    )
                    .await
                    .is_some()
                {
                    user.bought.push(id);
                }
            }
            Action::Review => {
                let Some(id) = user
                    .bought
                    .iter()
                    .find(|g| !user.reviewed.contains(*g))
                    .cloned()
                else {
                    return Box::pin(self.act(user, Action::Buy)).await;
                };
                let rating = 1 + user.next() % 5;
                let body =
                    json!({"rating": rating, "comment": "Bought it in the mixed load; fine."});
                let path = format!("/goods/{id}/reviews");
                self.call(
                    "POST /goods/{id}/reviews",
                    Method::POST,
                    &path,
                    token,
                    Some(body),
                    &[],
                )
                .await;
                user.reviewed.insert(id);
            }
            Action::Reviews => {
                let id = user.pick(&self.for_sale).to_owned();
                let path = format!("/goods/{id}/reviews");
                self.call(
                    "GET /goods/{id}/reviews",
                    Method::GET,
                    &path,
                    None,
                    None,
                    &[],
                )
                .await;
            }
            Action::Orders => {
                self.call("GET /orders", Method::GET, "/orders", token, None, &[])
                    .await;
            }
        }
    }
}

fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The `request done` and `batch done` lines of the log, by function, as JSON fields.
fn done_lines(log: &Path) -> Vec<(String, Value)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("\"request done\"") || l.contains("\"batch done\""))
        .filter_map(|l| {
            let (name, json) = l.strip_prefix('[')?.split_once("] ")?;
            let fields = serde_json::from_str::<Value>(json).ok()?["fields"].clone();
            Some((name.to_owned(), fields))
        })
        .collect()
}

/// Peak resident memory (kB) and instance count of every live process whose executable
/// is in `bin_dir`, by binary name.
fn peak_rss(bin_dir: &Path) -> BTreeMap<String, (u64, usize)> {
    let bin_dir = std::fs::canonicalize(bin_dir).unwrap_or_else(|_| bin_dir.to_owned());
    let mut peaks: BTreeMap<String, (u64, usize)> = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(exe) = std::fs::read_link(entry.path().join("exe")) else {
            continue;
        };
        if exe.parent() != Some(bin_dir.as_path()) {
            continue;
        }
        let Some(name) = exe.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(hwm) = entry
            .file_name()
            .to_str()
            .and_then(|pid| pid.parse().ok())
            .and_then(peak_rss_kb)
        else {
            continue;
        };
        let peak = peaks.entry(name.to_owned()).or_default();
        peak.0 = peak.0.max(hwm);
        peak.1 += 1;
    }
    peaks
}

async fn catalogue(api: &Api) -> Result<(Vec<String>, Vec<String>, Vec<String>), String> {
    let (status, page) = api.call(Method::GET, "/goods?limit=100", None, None).await;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    if status != 200 || items.is_empty() {
        return Err("no goods: load a catalogue first (demo-catalogue)".to_owned());
    }
    let ids = items
        .iter()
        .filter_map(|g| g["goods_id"].as_str().map(str::to_owned))
        .collect();
    let mut categories: Vec<String> = items
        .iter()
        .filter_map(|g| g["category"].as_str().map(str::to_owned))
        .collect();
    categories.sort();
    categories.dedup();
    let mut words: Vec<String> = items
        .iter()
        .filter_map(|g| g["name"].as_str())
        .flat_map(|name| name.split_whitespace().map(str::to_lowercase))
        .filter(|w| w.len() >= 4 && w.chars().all(char::is_alphabetic))
        .collect();
    words.sort();
    words.dedup();
    Ok((ids, categories, words))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let users: usize = parsed_arg("--users", 8)?;
    let seconds: u64 = parsed_arg("--seconds", 60)?;
    let think = Duration::from_millis(parsed_arg("--think-ms", 0)?);
    let log = arg("--log").map(PathBuf::from);
    let bin_dir = PathBuf::from(arg("--bin-dir").unwrap_or_else(|| "target/release".into()));

    let api = Api::new();
    let (goods, categories, words) = catalogue(&api).await?;
    let merchant = api.signed_up("merchant").await;
    let mut for_sale = Vec::new();
    for _ in 0..20 {
        for_sale.push(
            api.create_goods(&merchant, 1999, 1_000_000, "GBP")
                .await
                .goods_id,
        );
    }
    let mut accounts = Vec::new();
    for _ in 0..users {
        accounts.push(api.signed_up("customer").await);
    }
    let world = Arc::new(World {
        api,
        goods,
        categories,
        words,
        for_sale,
        samples: Mutex::default(),
    });

    let sqs = shop::aws::Aws::from_env().map_err(|e| e.to_string())?.sqs();
    let drained = bench::watch::drain(&sqs, Duration::from_secs(600)).await?;
    let watch = bench::watch::Watch::start(sqs, Duration::from_secs((seconds / 12).max(5)));
    let before = log.as_deref().map_or(0, |l| done_lines(l).len());
    let (cpu_before, machine_before) = (bench::watch::cpu_times(), bench::watch::all_cpu());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers = accounts.into_iter().enumerate().map(|(i, account)| {
        let world = world.clone();
        tokio::spawn(async move {
            let mut user = User {
                account,
                rng: 0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1).wrapping_mul(0x1234_5678_9abc_def1),
                bought: Vec::new(),
                reviewed: HashSet::new(),
            };
            while Instant::now() < deadline {
                let action = user.action();
                world.act(&mut user, action).await;
                tokio::time::sleep(think).await;
            }
        })
    });
    for worker in futures::future::join_all(workers).await {
        worker.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let watched = watch.stop().await;
    let machine = bench::watch::all_cpu().saturating_sub(machine_before);
    let cpu: Vec<String> = bench::watch::cpu_times()
        .into_iter()
        .map(|(name, after)| {
            let used = after.saturating_sub(cpu_before.get(name).copied().unwrap_or_default());
            format!(
                "{name} {:.1} s ({:.0} %)",
                used.as_secs_f64(),
                100.0 * used.as_secs_f64() / machine.as_secs_f64().max(0.001)
            )
        })
        .collect();

    let samples = world.samples.lock().unwrap();
    let total: usize = samples.values().map(Vec::len).sum();
    let errors: usize = samples.values().flatten().filter(|(_, ok)| !ok).count();
    println!(
        "{users} users{} for {:.0} s: **{total} requests, {:.0} requests/s, {errors} errors** \
         (the queues had drained {:.0} s after the catalogue's load).",
        if think.is_zero() {
            ", back to back,".to_owned()
        } else {
            format!(", {} ms between actions,", think.as_millis())
        },
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        drained.as_secs_f64(),
    );
    println!();
    println!("| request | count | share | p50 | p99 | max | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (kind, list) in samples.iter() {
        let times: Vec<Duration> = list.iter().map(|(t, _)| *t).collect();
        println!(
            "| `{kind}` | {} | {:.1} % | {} ms | {} ms | {} ms | {} |",
            list.len(),
            100.0 * list.len() as f64 / total.max(1) as f64,
            ms(quantile(&times, 0.5)),
            ms(quantile(&times, 0.99)),
            ms(quantile(&times, 1.0)),
            list.iter().filter(|(_, ok)| !ok).count(),
        );
    }
    let all: Vec<Duration> = samples.values().flatten().map(|(t, _)| *t).collect();
    println!(
        "| all | {total} | 100 % | {} ms | {} ms | {} ms | {errors} |",
        ms(quantile(&all, 0.5)),
        ms(quantile(&all, 0.99)),
        ms(quantile(&all, 1.0)),
    );

    println!();
    println!(
        "CPU time the machine spent during the load: {:.1} s, of which {}.",
        machine.as_secs_f64(),
        cpu.join(", ")
    );
    println!();
    println!("Queues (visible + in flight) and resident memory while the load ran:");
    println!();
    print!("{}", bench::watch::table(&watched));
    for queue in watched
        .first()
        .map(|s| s.depths.keys())
        .into_iter()
        .flatten()
    {
        let deepest = watched.iter().filter_map(|s| s.depths.get(queue)).max();
        println!(
            "- `{queue}`: at most {} deep",
            deepest.copied().unwrap_or_default()
        );
    }

    // AWS requests per invocation, by function, and peak memory of its instances.
    let lines: Vec<(String, Value)> = log
        .as_deref()
        .map(|l| done_lines(l).split_off(before))
        .unwrap_or_default();
    let binaries = binaries()?;
    let mut by_binary: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (name, fields) in lines {
        let binary = binaries.get(&name).cloned().unwrap_or(name);
        by_binary.entry(binary).or_default().push(fields);
    }
    let rss = peak_rss(&bin_dir);
    // The template's functions only (the local stack and this tool share the directory).
    let mut names: Vec<&String> = by_binary
        .keys()
        .chain(rss.keys())
        .filter(|name| binaries.values().any(|b| b == *name))
        .collect();
    names.sort();
    names.dedup();
    println!();
    println!("| function | invocations | DynamoDB / call | SQS / call | SES / call | the fewest it could make, and why | instances | peak RSS, max over instances |");
    println!("|---|---:|---:|---:|---:|---|---:|---:|");
    for name in names {
        let calls = by_binary.get(name).map(Vec::as_slice).unwrap_or_default();
        // A consumer's lines are batches: its requests are per message.
        let messages: u64 = calls.iter().filter_map(|c| c["messages"].as_u64()).sum();
        let per = |service: &str| {
            if calls.is_empty() {
                return "-".to_owned();
            }
            let sum: u64 = calls.iter().filter_map(|c| c[service].as_u64()).sum();
            if messages > 0 {
                format!("{:.2} / message", sum as f64 / messages as f64)
            } else {
                format!("{:.2}", sum as f64 / calls.len() as f64)
            }
        };
        let (peak, instances) = rss.get(name).copied().unwrap_or_default();
        println!(
            "| {name} | {} | {} | {} | {} | {} | {instances} | {} |",
            if messages > 0 {
                format!("{} batches, {messages} messages", calls.len())
            } else {
                calls.len().to_string()
            },
            per("dynamodb"),
            per("sqs"),
            per("ses"),
            minimum(name),
            if peak == 0 {
                "-".to_owned()
            } else {
                format!("{:.1} MiB", peak as f64 / 1024.0)
            },
        );
    }
    Ok(())
}

/// The fewest AWS requests a call of this function could make, and why it makes what it
/// does (a consumer's are per batch, not per HTTP call).
fn minimum(binary: &str) -> &'static str {
    match binary {
        "list-goods" => "1 Query on the index that serves the filter; 4 at once on the sharded by_all, by_price and by_merchant (one per shard)",
        "get-goods" => "2 + 1 SQS signed in: item and session (concurrently), the view event; 1 anonymous",
        "search" => "terms + 3 (+ 1 probe for several words): counters, one page per term, candidates' documents, the goods",
        "similar-goods" => "2: the neighbour list, then its goods and the goods' own (one BatchGetItem)",
        "get-cart" => "3: session, lines, the goods (BatchGetItem)",
        "put-cart-item" => "5 + 1 SQS: session, goods ∥ lines, the line, the goods of the cart; 4 if the goods check rode on the cart's BatchGetItem, which is eventually consistent: kept consistent so goods just put on sale can be added at once",
        "place-order" => "3: session, goods (BatchGetItem), one TransactWriteItems",
        "create-payment" => "3: session, order, the payment",
        "payment-webhook" => "3 + 1 SQS per line: payment, order, one TransactWriteItems",
        "create-review" => "4: session, purchase ∥ username, one TransactWriteItems (review + rating); 3 if the session carried the username",
        "list-reviews" => "2: goods (404 for unknown goods), one Query",
        "list-orders" => "2: session, one Query",
        "recommend" => "6 with a history: session, window ∥ cart, neighbour lists, bought ∥ goods; each step needs the last",
        "index-goods" => "per message: see the search section",
        "learn-similarity" => "per message: see the recommendations section",
        _ => "-",
    }
}

/// The binary of each function of the template, by logical id.
fn binaries() -> Result<BTreeMap<String, String>, String> {
    let local = LocalValues {
        parameters: [(
            "PublicBaseUrl".to_owned(),
            "http://127.0.0.1:3000".to_owned(),
        )]
        .into(),
        region: std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into()),
        account: local_stack::ACCOUNT.into(),
        sqs_endpoint: std::env::var("AWS_ENDPOINT_URL").unwrap_or_default(),
    };
    let template = template::load(Path::new("template.yaml"), &local)?;
    Ok(template
        .functions
        .into_iter()
        .map(|f| (f.name, f.binary))
        .collect())
}
