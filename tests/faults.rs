//! Faults injected while the shop works, and what must hold after them:
//!
//! - **moto paused** (SQS, Secrets Manager and S3 stop answering, as when the queue
//!   service is down) while 200 goods are created and 50 orders are placed and paid:
//!   every write is answered as a success, and once moto answers again every goods item
//!   is found by search and every purchase has reached recommendations, each exactly
//!   once. Goods reach search through the goods table's stream, which needs no queue;
//!   purchases through the payments table's stream, whose relay retries until the queue
//!   takes them.
//! - **a consumer killed mid-batch** (its instance's process, `kill -9`, again and again
//!   while goods are written): the batches it held are redone and the index is exact
//!   (every document at its goods' current version, no update left half applied).
//!
//! The figures of each run (written, answered, delivered, duplicates absorbed, lost)
//! are printed (`cargo test --test faults -- --nocapture`) and kept in BENCHMARKS.md.
//! The tests take turns: pausing moto reaches everything running at the time.

use std::collections::BTreeSet;
use std::time::Instant;

use e2e::{eventually, purchases_of, unique_word, Account, Api};
use futures::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};

static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// moto, stopped with SIGSTOP until dropped (then SIGCONT): its sockets stay open and
/// every call waits, as when a service stops answering.
struct Paused(String);

impl Paused {
    fn moto() -> Self {
        let pid = std::env::var("LOCAL_MOTO_PID")
            .expect("LOCAL_MOTO_PID: moto's pid (infra/emulators.sh exports it)");
        signal("-STOP", &pid);
        Self(pid)
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        signal("-CONT", &self.0);
    }
}

fn signal(which: &str, pid: &str) {
    let status = std::process::Command::new("kill")
        .args([which, pid])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {which} {pid}");
}

async fn search_ids(api: &Api, word: &str) -> Vec<String> {
    let (status, page) = api
        .call(
            Method::GET,
            &format!("/search?q={word}&limit=10"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["goods"]["goods_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Creates goods named `<word> gizmo` for each word (a noun no other test searches
/// for), `at_once` at a time; answers each one's status and id.
async fn create_all(
    api: &Api,
    merchant: &Account,
    words: &[String],
    at_once: usize,
) -> Vec<(u16, Value)> {
    stream::iter(words)
        .map(|word| {
            let body = json!({"name": format!("{word} gizmo"), "description": "sprocketed",
                "price": 900, "category": "Gadgets", "stock": 5});
            api.call(Method::POST, "/goods", Some(&merchant.token), Some(body))
        })
        .buffered(at_once)
        .collect()
        .await
}

/// Waits until each goods item is the one result of a search for its own word.
async fn all_found(api: &Api, words: &[String], ids: &[String], seconds: u64) -> Duration {
    let started = Instant::now();
    for (word, id) in words.iter().zip(ids) {
        eventually(seconds, &format!("{word} in search"), || async {
            (search_ids(api, word).await == [id.clone()]).then_some(())
        })
        .await;
    }
    started.elapsed()
}

use std::time::Duration;

#[tokio::test]
async fn with_the_queues_down_every_write_succeeds_and_nothing_is_lost_or_doubled() {
    let _turn = TURN.lock().await;
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let buyer = api.signed_up("customer").await;
    // Warm the payment functions: their cold start reads a secret from moto.
    let warm = api.create_goods(&merchant, 100, 1, "CNY").await.goods_id;
    api.buy(&buyer, &warm).await;
    let words: Vec<String> = (0..200).map(|_| unique_word()).collect();

    let started = Instant::now();
    let (created, paid) = {
        let _paused = Paused::moto();
        let created = create_all(&api, &merchant, &words, 4).await;
        let ids: Vec<String> = created
            .iter()
            .map(|(_, body)| body["goods_id"].as_str().unwrap_or_default().to_owned())
            .collect();
        // 50 orders, each of one of them, placed and paid one after another.
        let mut paid = Vec::new();
        for id in &ids[..50] {
            let order = api.place(&buyer, &[(id, 1)]).await;
            let event = api.payment_event(&buyer, &order).await;
            let now = shop::clock::now().unix_timestamp();
            let (status, body) = api.webhook(&event, &e2e::webhook_secret(), now).await;
            assert_eq!(status, 200, "{body}");
            paid.push(order.order_id);
        }
        (created, paid)
    };
    let paused_for = started.elapsed();
    let answered = created.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(
        answered, 200,
        "every write answered as a success: {created:?}"
    );
    let ids: Vec<String> = created
        .iter()
        .map(|(_, body)| body["goods_id"].as_str().unwrap().to_owned())
        .collect();

    let found_in = all_found(&api, &words, &ids, 60).await;
    let bought: Vec<String> = ids[..50].to_vec();
    eventually(60, "every purchase in recommendations", || async {
        purchases_of(&bought)
            .await
            .iter()
            .all(|c| *c > 0)
            .then_some(())
    })
    .await;
    let counts = purchases_of(&bought).await;
    assert!(
        counts.iter().all(|c| *c == 1),
        "each purchase counted once: {counts:?}"
    );
    let listed: Value = api
        .expect(
            200,
            Method::GET,
            &format!("/goods?merchant_id={}&limit=100", merchant.user_id),
            None,
            None,
        )
        .await;
    let mut listed_ids: BTreeSet<String> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["goods_id"].as_str().unwrap().to_owned())
        .collect();
    let mut cursor = listed["next_cursor"].as_str().map(str::to_owned);
    while let Some(next) = cursor {
        let page: Value = api
            .expect(
                200,
                Method::GET,
                &format!(
                    "/goods?merchant_id={}&limit=100&cursor={next}",
                    merchant.user_id
                ),
                None,
                None,
            )
            .await;
        listed_ids.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["goods_id"].as_str().unwrap().to_owned()),
        );
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(listed_ids.len(), 201, "nothing created twice");
    let (orders, _) = api
        .call(Method::GET, "/orders?limit=100", Some(&buyer.token), None)
        .await;
    assert_eq!(orders, 200);
    println!(
        "moto paused {paused_for:.1?}: goods written 200, answered 201: {answered}, found in search: 200 \
         ({found_in:.1?} after moto resumed); orders paid: {}, purchases counted: {} (each once); lost: 0",
        paid.len(),
        counts.len()
    );
}

#[tokio::test]
async fn a_consumer_killed_mid_batch_redoes_it_and_the_index_is_exact() {
    let _turn = TURN.lock().await;
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let words: Vec<String> = (0..100).map(|_| unique_word()).collect();
    // While the goods are written, index-goods' instances are killed every 400 ms.
    let killing = tokio::spawn(async {
        let mut kills = 0;
        for _ in 0..12 {
            tokio::time::sleep(Duration::from_millis(400)).await;
            let killed = std::process::Command::new("pkill")
                .args(["-9", "-f", "target/debug/index-goods"])
                .status()
                .expect("pkill runs");
            kills += u32::from(killed.success());
        }
        kills
    });
    let created = create_all(&api, &merchant, &words, 4).await;
    let kills = killing.await.unwrap();
    assert!(kills > 0, "an instance was killed");
    let ids: Vec<String> = created
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 201, "{body}");
            body["goods_id"].as_str().unwrap().to_owned()
        })
        .collect();
    let found_in = all_found(&api, &words, &ids, 90).await;

    // Exact: every document is the goods' current version, with no update left half
    // applied (an item killed mid-update would leave its plan pending).
    let dynamodb = shop::aws::Aws::from_env().unwrap().dynamodb();
    let goods = shop::catalogue::repo::GoodsRepo::new(dynamodb.clone(), "GoodsTable");
    let table = shop::search::index::SearchTable::new(dynamodb, "SearchTable");
    let indexer = shop::search::index::Indexer::new(table, goods, Default::default());
    for id in &ids {
        let outcome = indexer.sync(id).await.unwrap();
        assert_eq!(outcome, shop::search::index::Outcome::UpToDate, "{id}");
    }
    println!(
        "index-goods killed {kills} times while 100 goods were written: all 100 found \
         ({found_in:.1?} after the last write), every document up to date"
    );
}
