//! `demo-catalogue`: loads the UCI Online Retail products into a running shop as the
//! goods of a demo merchant, through the public API, so a newcomer sees a real shop.
//!
//! Idempotent: the demo merchant is registered (and activated from its email in the
//! emulated SES) only once, and products whose name the merchant already sells are
//! skipped, so a second run creates nothing.
//!
//! **Two ways in.** By default every product is a `POST /goods`, so it works against any
//! shop, deployed or local. With `--direct ENV_FILE` (the functions' environment the local
//! stack writes to `LOCAL_LAMBDA_ENV_FILE`, as `infra/up.sh --demo` runs it) the merchant
//! still signs up and is checked through the API, but the goods are written as an import
//! ([`shop::catalogue::GoodsChanges::import`]): 25 to a BatchWriteItem into the template's
//! goods table, whose stream carries them to search as it carries any write. On 2 cores, debug binaries, that takes
//! the demo's 3,740 goods in seconds instead of two minutes of `POST /goods` (README).
//!
//! Usage: `demo-catalogue [--api URL] [--data PATH] [--concurrency N] [--direct ENV_FILE]
//! [--progress-lines]`
//! (`--progress-lines`: a line of progress every 2 s instead of a redrawn bar, for a
//! console the local stack writes to as well, as `infra/up.sh --demo` runs it; defaults:
//! `SHOP_API_URL` or http://127.0.0.1:3000, the repository's `data/online_retail/online_retail.csv.gz`,
//! 8). The activation email is read from moto's SES at `AWS_ENDPOINT_URL_SES` (or
//! `AWS_ENDPOINT_URL`).

use demo_catalogue::products::{self, Product};
use shop::catalogue::{GoodsChanges, GoodsInput};

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const USERNAME: &str = "demo_shop";
const EMAIL: &str = "demo-shop@example.com";
const PASSWORD: &str = "demo shop password";

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

async fn post(
    http: &Client,
    url: String,
    token: Option<&str>,
    body: &Value,
) -> Result<(StatusCode, Value), String> {
    let mut request = http.post(url).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// The latest activation link moto holds for the demo merchant. `None` also when moto's
/// answer is not JSON: it serialises its live models for this and can fail now and then
/// while other requests change them, so the caller asks again.
async fn activation_link(http: &Client, moto: &str) -> Result<Option<String>, String> {
    let response = http
        .get(format!("{moto}/moto-api/data.json"))
        .send()
        .await
        .map_err(|e| format!("moto at {moto}: {e}"))?;
    if !response.status().is_success() {
        return Ok(None);
    }
    let Ok(data) = response.json::<Value>().await else {
        return Ok(None);
    };
    Ok(data["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|t| t == EMAIL))
        })
        .filter_map(|m| m["body"].as_str())
        .flat_map(str::split_whitespace)
        .rfind(|w| w.contains("/auth/activate?token="))
        .map(str::to_owned))
}

/// Logs the demo merchant in, registering and activating it first if needed.
async fn demo_merchant(http: &Client, api: &str, moto: &str) -> Result<(String, String), String> {
    let login = json!({"username": USERNAME, "password": PASSWORD});
    for _ in 0..50 {
        let (status, body) = post(http, format!("{api}/auth/login"), None, &login).await?;
        match status.as_u16() {
            200 => {
                let token = body["token"].as_str().unwrap_or_default().to_owned();
                let id = body["user"]["user_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                return Ok((token, id));
            }
            401 => {
                let register = json!({"username": USERNAME, "email": EMAIL, "password": PASSWORD, "role": "merchant"});
                let (status, body) =
                    post(http, format!("{api}/auth/register"), None, &register).await?;
                if status != StatusCode::CREATED && status != StatusCode::CONFLICT {
                    return Err(format!("registering the demo merchant: {status} {body}"));
                }
            }
            403 => {
                if let Some(link) = activation_link(http, moto).await? {
                    http.get(&link).send().await.map_err(|e| e.to_string())?;
                }
            }
            _ => return Err(format!("logging in the demo merchant: {status} {body}")),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err("the demo merchant could not log in".to_owned())
}

/// The body of `POST /goods` for a product.
fn goods_body(product: &Product) -> Value {
    json!({
        "name": product.name,
        "description": product.description(),
        "price": product.price_pence,
        "currency": "GBP",
        "category": product.category,
        "stock": product.stock,
    })
}

/// Creates the products through the API, `concurrency` requests at a time.
async fn create_through_api(
    http: &Client,
    api: &str,
    token: &str,
    products: &[&Product],
    concurrency: usize,
    bar: &ProgressBar,
) -> Vec<Result<(), String>> {
    stream::iter(products.iter().map(|product| async move {
        let (status, answer) = post(
            http,
            format!("{api}/goods"),
            Some(token),
            &goods_body(product),
        )
        .await?;
        bar.inc(1);
        if status == StatusCode::CREATED {
            Ok(())
        } else {
            Err(format!("{}: {status} {answer}", product.name))
        }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await
}

/// Reads `NAME=value` lines into the environment, leaving what is set already.
fn load_env_file(path: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    for line in text.lines() {
        if let Some((name, value)) = line.split_once('=') {
            if std::env::var_os(name).is_none() {
                std::env::set_var(name, value);
            }
        }
    }
    Ok(())
}

/// Imports the products into the local stack's tables (named by `env_file`, loaded into
/// the environment by `main`), 100 to an import, a few at a time.
async fn create_directly(
    env_file: &str,
    merchant_id: &str,
    products: &[&Product],
    concurrency: usize,
    bar: &ProgressBar,
) -> Result<Vec<Result<(), String>>, String> {
    let changes = GoodsChanges::from_env().map_err(|e| format!("{env_file}: {e}"))?;
    let chunks: Vec<Result<Vec<Result<(), String>>, String>> =
        stream::iter(products.chunks(100).map(|chunk| {
            let changes = &changes;
            async move {
                let inputs = chunk
                    .iter()
                    .map(|p| serde_json::from_value::<GoodsInput>(goods_body(p)))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| e.to_string())?;
                let answers = changes
                    .import(merchant_id, inputs)
                    .await
                    .map_err(|e| format!("importing: {e:?}"))?;
                bar.inc(chunk.len() as u64);
                Ok(chunk
                    .iter()
                    .zip(answers)
                    .map(|(p, a)| a.map(|_| ()).map_err(|e| format!("{}: {e:?}", p.name)))
                    .collect())
            }
        }))
        .buffer_unordered(concurrency.clamp(1, 4))
        .collect()
        .await;
    let mut results = Vec::with_capacity(products.len());
    for chunk in chunks {
        results.extend(chunk?);
    }
    Ok(results)
}

/// Names of the goods the merchant already sells.
async fn existing_names(
    http: &Client,
    api: &str,
    merchant_id: &str,
) -> Result<HashSet<String>, String> {
    let mut names = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{api}/goods?merchant_id={merchant_id}&limit=100");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = http
            .get(url)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        for item in page["items"].as_array().into_iter().flatten() {
            names.insert(item["name"].as_str().unwrap_or_default().to_lowercase());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(names),
        }
    }
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    // The environment is set before any other thread exists.
    if let Some(env_file) = arg(&args, "--direct") {
        load_env_file(&env_file)?;
    }
    tokio::runtime::Runtime::new()
        .map_err(|e| e.to_string())?
        .block_on(run(args))
}

async fn run(args: Vec<String>) -> Result<(), String> {
    let api = arg(&args, "--api")
        .or_else(|| std::env::var("SHOP_API_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
    let moto = std::env::var("AWS_ENDPOINT_URL_SES")
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|_| "http://127.0.0.1:5000".to_owned());
    let data = arg(&args, "--data").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../data/online_retail/online_retail.csv.gz")
        },
        PathBuf::from,
    );
    let concurrency: usize = arg(&args, "--concurrency")
        .and_then(|c| c.parse().ok())
        .unwrap_or(8);
    let started = Instant::now();

    let products = products::load(&data)?;
    let http = Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let (token, merchant_id) = demo_merchant(&http, &api, &moto).await?;
    let existing = existing_names(&http, &api, &merchant_id).await?;
    let missing: Vec<_> = products
        .iter()
        .filter(|p| !existing.contains(&p.name.to_lowercase()))
        .collect();

    let bar = ProgressBar::new(missing.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} goods  {per_sec}  eta {eta}")
            .map_err(|e| e.to_string())?,
    );
    let lines = args.iter().any(|a| a == "--progress-lines").then(|| {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        let bar = bar.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(2)).await;
                println!(
                    "▶ demo catalogue: {}/{} goods, {:.0}/s, {} s to go",
                    bar.position(),
                    bar.length().unwrap_or_default(),
                    bar.per_sec(),
                    bar.eta().as_secs()
                );
            }
        })
    });
    let results = match arg(&args, "--direct") {
        Some(env_file) => {
            create_directly(&env_file, &merchant_id, &missing, concurrency, &bar).await?
        }
        None => create_through_api(&http, &api, &token, &missing, concurrency, &bar).await,
    };
    bar.finish_and_clear();
    if let Some(lines) = lines {
        lines.abort();
    }

    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    println!(
        "demo catalogue: {} products in the data set, {} already in the shop, {} created, {} failed, in {:.1} s (merchant {USERNAME}, id {merchant_id})",
        products.len(),
        products.len() - missing.len(),
        missing.len() - failures.len(),
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    for failure in failures.iter().take(5) {
        eprintln!("  failed: {failure}");
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} goods could not be created", failures.len()))
    }
}
