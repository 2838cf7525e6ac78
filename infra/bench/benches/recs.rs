//! Recommendation quality and cost (`cargo bench -p bench --bench recs`; `infra/bench.sh`
//! runs it against its local stack).
//!
//! - **Quality** on the UCI Online Retail invoices: for each customer with two or more
//!   invoices, the last one is held out; every other invoice line is replayed, in time
//!   order, as a purchase event through the model the consumer applies
//!   (`shop::recs::model`, here on maps in memory instead of DynamoDB). Each such customer
//!   then gets 10 `behavior` recommendations as of their held-out invoice, excluding what
//!   they bought before (as the API does); the relevant goods are the held-out invoice's
//!   goods they hadn't bought before. HR@10 and NDCG@10 (binary gains), next to the goods
//!   most bought in the replayed data (excluding what the customer bought), in the same
//!   run.
//! - **Cost** on the local stack (with `--stack`): consumer throughput (behaviour events
//!   sent to the queue → all applied, events/s), DynamoDB requests per event (applying
//!   events in-process, counted by the SDK interceptor), and `GET /recommendations`
//!   latency.
//!
//! Prints Markdown.

use shop::events::{AddedToCart, Envelope, Event, Purchased, Viewed};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::time::{Duration, Instant};

use bench::{ms, quantile};
use shop::recs::model::{Kind, MemoryModel, Strategy};

/// One invoice: customer, time, goods.
struct Invoice {
    customer: String,
    at: i64,
    number: String,
    goods: Vec<String>,
}

fn unix(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(date, &format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

fn invoices(path: &std::path::Path) -> Vec<Invoice> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("the data set"))
        .read_to_string(&mut text)
        .expect("gzip");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut by_number: BTreeMap<String, Invoice> = BTreeMap::new();
    for record in reader.records().map_while(Result::ok) {
        let (number, code, quantity, date, customer) =
            (&record[0], &record[1], &record[3], &record[4], &record[6]);
        if number.starts_with('C')
            || customer.is_empty()
            || quantity.parse::<i64>().unwrap_or(0) <= 0
        {
            continue;
        }
        let Some(at) = unix(date) else { continue };
        let invoice = by_number
            .entry(number.to_owned())
            .or_insert_with(|| Invoice {
                customer: customer.trim_end_matches(".0").to_owned(),
                at,
                number: number.to_owned(),
                goods: Vec::new(),
            });
        if !invoice.goods.iter().any(|g| g == code) {
            invoice.goods.push(code.to_owned());
        }
    }
    let mut all: Vec<Invoice> = by_number.into_values().collect();
    all.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.number.cmp(&b.number)));
    all
}

fn dcg(ranked: &[String], relevant: &HashSet<String>) -> f64 {
    ranked
        .iter()
        .enumerate()
        .filter(|(_, g)| relevant.contains(*g))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .sum()
}

fn quality() -> String {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/online_retail/online_retail.csv.gz");
    let all = invoices(&data);
    let mut last: HashMap<&str, usize> = HashMap::new();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for (i, invoice) in all.iter().enumerate() {
        last.insert(&invoice.customer, i);
        *count.entry(&invoice.customer).or_default() += 1;
    }
    let held_out: HashSet<usize> = last
        .iter()
        .filter(|(c, _)| count[*c] >= 2)
        .map(|(_, i)| *i)
        .collect();
    let started = Instant::now();
    let mut model = MemoryModel::default();
    let mut bought: HashMap<&str, HashSet<String>> = HashMap::new();
    let mut events = 0usize;
    for (i, invoice) in all.iter().enumerate() {
        if held_out.contains(&i) {
            continue;
        }
        for g in &invoice.goods {
            model.apply(&invoice.customer, g, Kind::Bought, invoice.at);
            bought
                .entry(&invoice.customer)
                .or_default()
                .insert(g.clone());
            events += 1;
        }
    }
    let replay = started.elapsed();
    let mut popular: Vec<(&String, &u64)> = model.purchases.iter().collect();
    popular.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));

    let (mut users, mut hits, mut ndcg, mut pop_hits, mut pop_ndcg, mut filled) =
        (0usize, 0usize, 0.0, 0usize, 0.0, 0usize);
    let nobody = HashSet::new();
    for &i in &held_out {
        let invoice = &all[i];
        let before = bought.get(invoice.customer.as_str()).unwrap_or(&nobody);
        let relevant: HashSet<String> = invoice
            .goods
            .iter()
            .filter(|g| !before.contains(*g))
            .cloned()
            .collect();
        if relevant.is_empty() {
            continue;
        }
        users += 1;
        let ideal: Vec<String> = relevant.iter().take(10).cloned().collect();
        let idcg = dcg(&ideal, &relevant);
        let ours: Vec<String> = model
            .recommend(
                &invoice.customer,
                Strategy::Behavior,
                invoice.at,
                before,
                10,
            )
            .into_iter()
            .map(|r| r.goods)
            .collect();
        filled += usize::from(ours.len() == 10);
        hits += usize::from(ours.iter().any(|g| relevant.contains(g)));
        ndcg += dcg(&ours, &relevant) / idcg;
        let theirs: Vec<String> = popular
            .iter()
            .filter(|(g, _)| !before.contains(*g))
            .take(10)
            .map(|(g, _)| (*g).clone())
            .collect();
        pop_hits += usize::from(theirs.iter().any(|g| relevant.contains(g)));
        pop_ndcg += dcg(&theirs, &relevant) / idcg;
    }
    let n = users as f64;
    format!(
        "{events} purchase events replayed through the model in {:.1} s; {users} customers evaluated \
         ({} had a full page of 10 from similarity alone).\n\n\
         | recommender | HR@10 | NDCG@10 |\n|---|---:|---:|\n\
         | ours: `behavior` (item-to-item cosine, window {}, top {} neighbours) | {:.3} | {:.3} |\n\
         | popularity: most bought, excluding what the customer bought | {:.3} | {:.3} |\n",
        replay.as_secs_f64(),
        filled,
        shop::recs::model::WINDOW,
        shop::recs::model::TOP_K,
        hits as f64 / n,
        ndcg / n,
        pop_hits as f64 / n,
        pop_ndcg / n,
    )
}

/// Behaviour events for `users` users over `goods`, `per_user` each.
fn synthetic_events(
    users: usize,
    goods: &[String],
    per_user: usize,
    seed: u64,
) -> Vec<shop::events::Envelope> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut events = Vec::new();
    for u in 0..users {
        let user = format!("01JDV{seed:05}{u:016}");
        for _ in 0..per_user {
            // Skewed towards a few popular goods, as real traffic is.
            let g = &goods[(next() % goods.len() as u64) as usize
                % (1 + (next() % goods.len() as u64) as usize)];
            let event = match next() % 10 {
                0 => Event::Purchase(Purchased {
                    order_id: format!("01JDW{seed:05}{u:016}"),
                    quantity: 1,
                    unit_price: 100,
                    currency: "GBP".into(),
                }),
                1 | 2 => Event::Cart(AddedToCart { quantity: 1 }),
                _ => Event::View(Viewed {}),
            };
            events.push(Envelope::new(event, Some(&user), Some(g)));
        }
    }
    events
}

/// Sends events to the queue, ten to a SendMessageBatch.
async fn send_events(sqs: &aws_sdk_sqs::Client, url: &str, events: &[shop::events::Envelope]) {
    for chunk in events.chunks(10) {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(i, e)| {
                aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(format!("e{i}"))
                    .message_body(serde_json::to_string(e).unwrap())
                    .build()
                    .unwrap()
            })
            .collect();
        sqs.send_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .expect("sent");
    }
}

/// Waits until the queue has no message left, visible or in flight.
async fn drain(sqs: &aws_sdk_sqs::Client, url: &str) {
    loop {
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(
                aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            )
            .send()
            .await
            .expect("attributes")
            .attributes
            .unwrap_or_default();
        let left: u64 = attributes
            .values()
            .filter_map(|v| v.parse::<u64>().ok())
            .sum();
        if left == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn cost() -> String {
    let aws = shop::aws::Aws::from_env().expect("AWS configuration");
    let sqs = aws.sqs();

    // Requests per event, applying events in-process.
    let store = shop::recs::store::RecsStore::with_client(aws.dynamodb()).expect("store");
    let catalogue: Vec<String> = (0..2000).map(|i| format!("01JDR{i:021}")).collect();
    let sample = synthetic_events(50, &catalogue[..300], 10, 1);
    shop::metrics::reset();
    let in_process = Instant::now();
    for event in &sample {
        let interaction = shop::recs::store::Interaction {
            at: shop::clock::now().unix_timestamp(),
            ..shop::recs::store::Interaction::from_envelope(event).expect("a behaviour event")
        };
        store.apply(&interaction).await.expect("applied");
    }
    let per_event = shop::metrics::counts().dynamodb as f64 / sample.len() as f64;
    let in_process = sample.len() as f64 / in_process.elapsed().as_secs_f64();
    eprintln!("in-process: {in_process:.0} events/s, one at a time");

    // Throughput through the queue and the consumer on the local stack.
    let url = sqs
        .get_queue_url()
        .queue_name("EventsQueue")
        .send()
        .await
        .expect("queue")
        .queue_url
        .unwrap();
    let events = synthetic_events(200, &catalogue, 10, 2);
    let started = Instant::now();
    send_events(&sqs, &url, &events).await;
    drain(&sqs, &url).await;
    let drained = started.elapsed();

    // Latency of GET /recommendations for a user with a history, over real goods.
    let api = e2e::Api::new();
    let merchant = api.signed_up("merchant").await;
    let mut goods = Vec::new();
    for _ in 0..40 {
        goods.push(api.create_goods(&merchant, 990, 1000, "CNY").await.goods_id);
    }
    let user = api.signed_up("customer").await;
    let mut mine = synthetic_events(40, &goods, 10, 3);
    for e in mine.iter_mut().take(10) {
        e.user_id = Some(user.user_id.clone());
    }
    send_events(&sqs, &url, &mine).await;
    drain(&sqs, &url).await;
    let mut latencies = Vec::new();
    let mut returned = 0;
    for i in 0..205 {
        let started = Instant::now();
        let (status, body) = api
            .call(
                reqwest::Method::GET,
                "/recommendations?strategy=auto&limit=20",
                Some(&user.token),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        if i >= 5 {
            latencies.push(started.elapsed());
        }
        returned = body["items"].as_array().map_or(0, Vec::len);
    }
    format!(
        "| measure | value |\n|---|---:|\n\
         | consumer throughput: {} events through `EventsQueue` → `learn-similarity` (batches of 10, 5 pollers) | {:.0} events/s |\n\
         | DynamoDB requests per event (in-process, {} events) | {:.2} |\n\
         | `GET /recommendations?strategy=auto&limit=20` p50 / p99 (200 calls, {} items each) | {} / {} ms |\n",
        events.len(),
        events.len() as f64 / drained.as_secs_f64(),
        sample.len(),
        per_event,
        returned,
        ms(quantile(&latencies, 0.5)),
        ms(quantile(&latencies, 0.99)),
    )
}

#[tokio::main]
async fn main() {
    if std::env::var("RECOMMENDATIONS_TABLE").is_err() {
        std::env::set_var("RECOMMENDATIONS_TABLE", "RecommendationsTable");
    }
    println!("{}", quality());
    if std::env::args().any(|a| a == "--stack") {
        println!("{}", cost().await);
    }
}
