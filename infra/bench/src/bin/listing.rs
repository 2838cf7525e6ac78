//! What write sharding costs a listing page, in one run: the first page of `GET /goods`
//! as the repository reads it (one Query per `by_all` shard, at once, merged) against the
//! page the index served before it was sharded (one Query of `limit + 1` items on one
//! partition), and a category page, interleaved so that the machine's drift hits all
//! alike. In-process, straight against DynamoDB (the functions' own code and SDK), so
//! what is timed is the reads, not the gateway.
//!
//! Usage: `listing [--requests N]` with the local stack's `AWS_ENDPOINT_URL_DYNAMODB` and
//! a loaded catalogue (`demo-catalogue`). Prints Markdown.

use std::time::{Duration, Instant};

use bench::{ms, parsed_arg, quantile};
use shop::catalogue::listing::{ListFilter, SHARDS};
use shop::catalogue::repo::GoodsRepo;
use shop::store::string_value;

/// The page size the API defaults to.
const LIMIT: usize = 20;

/// One Query of `limit` items on shard 0 of `by_all`: the unsharded page's shape.
async fn one_query(client: &aws_sdk_dynamodb::Client, table: &str, limit: usize) -> usize {
    let out = client
        .query()
        .table_name(table)
        .index_name("by_all")
        .key_condition_expression("gsi_all = :pk")
        .expression_attribute_values(":pk", string_value("GOODS#0"))
        .scan_index_forward(false)
        .limit(limit as i32)
        .send()
        .await
        .expect("query");
    out.items.map_or(0, |items| items.len())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    if std::env::var("GOODS_TABLE").is_err() {
        std::env::set_var("GOODS_TABLE", "GoodsTable");
    }
    let requests: usize = parsed_arg("--requests", 500)?;
    let client = shop::aws::Aws::from_env()
        .map_err(|e| e.to_string())?
        .dynamodb();
    let table = std::env::var("GOODS_TABLE").map_err(|e| e.to_string())?;
    let repo = GoodsRepo::new(client.clone(), table.clone());
    let all = ListFilter::default();
    let kitchen = ListFilter {
        category: Some("Kitchen".into()),
        ..Default::default()
    };
    let (mut sharded, mut single, mut category) = (Vec::new(), Vec::new(), Vec::new());
    let (mut sharded_items, mut category_items) = (0, 0);
    for i in 0..requests + 10 {
        let started = Instant::now();
        let page = repo
            .list(&all, LIMIT, None)
            .await
            .map_err(|e| e.to_string())?;
        let a = started.elapsed();
        let started = Instant::now();
        let found = one_query(&client, &table, LIMIT + 1).await;
        let b = started.elapsed();
        let started = Instant::now();
        let page_c = repo
            .list(&kitchen, LIMIT, None)
            .await
            .map_err(|e| e.to_string())?;
        let c = started.elapsed();
        assert_eq!(page.items.len(), LIMIT, "the catalogue is loaded");
        assert!(found > 0 && !page_c.items.is_empty());
        if i >= 10 {
            sharded.push(a);
            single.push(b);
            category.push(c);
            sharded_items += page.items.len();
            category_items += page_c.items.len();
        }
    }
    let row = |label: &str, samples: &[Duration], base: &[Duration]| {
        let (p50, p99) = (quantile(samples, 0.5), quantile(samples, 0.99));
        format!(
            "| {label} | {} ms | {} ms | {:.2}× | {:.2}× |",
            ms(p50),
            ms(p99),
            p50.as_secs_f64() / quantile(base, 0.5).as_secs_f64(),
            p99.as_secs_f64() / quantile(base, 0.99).as_secs_f64(),
        )
    };
    println!("| page of {LIMIT} | p50 | p99 | p50 ÷ unsharded | p99 ÷ unsharded |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "{}",
        row(
            "unsharded shape: 1 Query of 21 on one partition",
            &single,
            &single
        )
    );
    println!(
        "{}",
        row(
            &format!("first page: {SHARDS} shard Queries at once, merged"),
            &sharded,
            &single
        )
    );
    println!(
        "{}",
        row("category page: 1 Query on by_category", &category, &single)
    );
    println!(
        "\n{requests} pages each, interleaved ({} and {} goods listed on average).",
        sharded_items / requests,
        category_items / requests
    );
    Ok(())
}
