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
//! - **Cost** on the local stack (with `--stack`): consumer throughput (a backlog of
//!   behaviour events that become visible in the queue together, drained: events/s; and
//!   events sent by four senders at once, from the first sent to the last applied),
//!   DynamoDB requests per event (applying events in-process, counted by the SDK
//!   interceptor), and `GET /recommendations` latency.
//!
//! Prints Markdown.

use shop::events::{AddedToCart, Envelope, Event, Purchased, Viewed};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::time::{Duration, Instant};

use bench::{ms, quantile};
use shop::recs::model::{Kind, MemoryModel, Neighbours, Strategy, MAX_SEEDS, TOP_K, WINDOW};

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

/// The evaluation protocol: held-out invoices and what each customer bought before.
struct Protocol {
    all: Vec<Invoice>,
    held_out: Vec<usize>,
}

impl Protocol {
    fn load() -> Self {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/online_retail/online_retail.csv.gz");
        let all = invoices(&data);
        let mut last: HashMap<&str, usize> = HashMap::new();
        let mut count: HashMap<&str, usize> = HashMap::new();
        for (i, invoice) in all.iter().enumerate() {
            last.insert(&invoice.customer, i);
            *count.entry(&invoice.customer).or_default() += 1;
        }
        let mut held_out: Vec<usize> = last
            .iter()
            .filter(|(c, _)| count[*c] >= 2)
            .map(|(_, i)| *i)
            .collect();
        held_out.sort_unstable();
        Self { all, held_out }
    }

    /// The replayed invoices (all but the held-out ones), in time order.
    fn replayed(&self) -> impl Iterator<Item = &Invoice> {
        let held: HashSet<usize> = self.held_out.iter().copied().collect();
        self.all
            .iter()
            .enumerate()
            .filter(move |(i, _)| !held.contains(i))
            .map(|(_, invoice)| invoice)
    }
}

/// A recommender under test: the customer, the time of their held-out invoice, what they
/// bought before → ten goods.
type Ranker<'a> = dyn Fn(&str, i64, &HashSet<String>) -> Vec<String> + 'a;

/// HR@10 and NDCG@10 of `rank` over the protocol's held-out invoices, and how many
/// customers were evaluated.
fn evaluate(
    protocol: &Protocol,
    bought: &HashMap<String, HashSet<String>>,
    rank: &Ranker<'_>,
) -> (f64, f64, usize) {
    let (mut users, mut hits, mut ndcg) = (0usize, 0usize, 0.0);
    let nobody = HashSet::new();
    for &i in &protocol.held_out {
        let invoice = &protocol.all[i];
        let before = bought.get(&invoice.customer).unwrap_or(&nobody);
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
        let ranked = rank(&invoice.customer, invoice.at, before);
        hits += usize::from(ranked.iter().any(|g| relevant.contains(g)));
        ndcg += dcg(&ranked, &relevant) / dcg(&ideal, &relevant);
    }
    let n = users.max(1) as f64;
    (hits as f64 / n, ndcg / n, users)
}

/// The model replayed with windows of `window` goods, and each customer's purchases.
fn replay(
    protocol: &Protocol,
    window: usize,
) -> (MemoryModel, HashMap<String, HashSet<String>>, usize) {
    let mut model = MemoryModel::with_window(window);
    let mut bought: HashMap<String, HashSet<String>> = HashMap::new();
    let mut events = 0;
    for invoice in protocol.replayed() {
        for g in &invoice.goods {
            model.apply(&invoice.customer, g, Kind::Bought, invoice.at);
            bought
                .entry(invoice.customer.clone())
                .or_default()
                .insert(g.clone());
            events += 1;
        }
    }
    (model, bought, events)
}

/// Recommendations from `lists`, seeded as the API seeds them (the window, halved every
/// `half_life` seconds, the heaviest `max_seeds`).
fn served<'a>(
    model: &'a MemoryModel,
    lists: &'a HashMap<String, Neighbours>,
    half_life: f64,
    max_seeds: usize,
) -> impl Fn(&str, i64, &HashSet<String>) -> Vec<String> + 'a {
    move |customer, at, before| {
        let window = model.windows.get(customer).cloned().unwrap_or_default();
        let mut seeds =
            shop::recs::model::seeds_with(Strategy::Behavior, &window, &[], at, half_life);
        seeds.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        seeds.truncate(max_seeds);
        shop::recs::model::recommend(&seeds, lists, before, 10)
            .into_iter()
            .map(|r| r.goods)
            .collect()
    }
}

/// Fits EASE on the model's windows as `fit-similarity` does: the lists, the time, and the
/// process's peak resident memory during the fit (the peak is reset first, through
/// `/proc/self/clear_refs`) and its resident memory before, in KiB.
fn fit(model: &MemoryModel, lambda: f32) -> (HashMap<String, Neighbours>, Duration, (u64, u64)) {
    let status = std::path::Path::new("/proc/self");
    let mut baskets = fit_similarity::Baskets::default();
    for window in model.windows.values() {
        baskets.add(window.items.iter().map(|e| e.g.as_str()));
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = bench::status_kb(status, "VmRSS").unwrap_or(0);
    let started = Instant::now();
    let lists = baskets.fit(lambda, TOP_K, fit_similarity::MAX_ITEMS);
    let took = started.elapsed();
    let peak = bench::status_kb(status, "VmHWM").unwrap_or(0);
    (lists, took, (peak, before))
}

fn quality() -> String {
    let protocol = Protocol::load();
    let served_half_life = shop::recs::model::HALF_LIFE_SECS;
    let mut rows = String::new();

    // Popularity: the goods most bought in the replayed data, excluding the customer's.
    let (model, bought, events) = replay(&protocol, WINDOW);
    let mut popular: Vec<(&String, usize)> =
        model.purchases.iter().map(|(g, t)| (g, t.len())).collect();
    popular.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let popularity = |_: &str, _: i64, before: &HashSet<String>| -> Vec<String> {
        popular
            .iter()
            .filter(|(g, _)| !before.contains(*g))
            .take(10)
            .map(|(g, _)| (*g).clone())
            .collect()
    };
    let (pop_hr, pop_ndcg, users) = evaluate(&protocol, &bought, &popularity);
    rows.push_str(&format!(
        "| popularity: most bought, excluding what the customer bought | {pop_hr:.3} | {pop_ndcg:.3} | 1.00× / 1.00× |\n"
    ));
    let ratio = |hr: f64, ndcg: f64| format!("{:.2}× / {:.2}×", hr / pop_hr, ndcg / pop_ndcg);
    let mut row = |label: String, (hr, ndcg, _): (f64, f64, usize)| {
        rows.push_str(&format!(
            "| {label} | {hr:.3} | {ndcg:.3} | {} |\n",
            ratio(hr, ndcg)
        ));
    };

    // The model before EASE: cosine over co-occurrence counts in windows of 20.
    let (narrow, _, _) = replay(&protocol, 20);
    let cosine = narrow.cosine_lists(TOP_K);
    row(
        format!("cosine item-kNN (the model before EASE): windows of 20, top {TOP_K}, {MAX_SEEDS} seeds"),
        evaluate(&protocol, &bought, &served(&narrow, &cosine, served_half_life, MAX_SEEDS)),
    );

    let (lists, took, peak) = fit(&model, fit_similarity::LAMBDA);
    row(
        format!(
            "**EASE as served**: windows of {WINDOW}, λ = {}, top {TOP_K}, {MAX_SEEDS} seeds halved every 30 days",
            fit_similarity::LAMBDA
        ),
        evaluate(&protocol, &bought, &served(&model, &lists, served_half_life, MAX_SEEDS)),
    );
    let fits = format!(
        "The fit ({} goods in {} windows): {:.2} s; the process's peak resident memory during it \
         {:.0} MiB, from {:.0} MiB before it.\n",
        model.n.len(),
        model.windows.len(),
        took.as_secs_f64(),
        peak.0 as f64 / 1024.0,
        peak.1 as f64 / 1024.0
    );
    for (label, half_life) in [
        ("a day", 86_400.0),
        ("a week", 7.0 * 86_400.0),
        ("never (no recency)", f64::INFINITY),
    ] {
        row(
            format!("… seeds halved every {label}"),
            evaluate(
                &protocol,
                &bought,
                &served(&model, &lists, half_life, MAX_SEEDS),
            ),
        );
    }
    for seeds in [20, WINDOW] {
        row(
            format!("… {seeds} seeds"),
            evaluate(
                &protocol,
                &bought,
                &served(&model, &lists, served_half_life, seeds),
            ),
        );
    }
    for lambda in [100.0, 500.0, 1000.0] {
        let (lists, _, _) = fit(&model, lambda);
        row(
            format!("… λ = {lambda}"),
            evaluate(
                &protocol,
                &bought,
                &served(&model, &lists, served_half_life, MAX_SEEDS),
            ),
        );
    }
    for window in [20usize, 50, 200] {
        let (other, _, _) = replay(&protocol, window);
        let (lists, _, _) = fit(&other, fit_similarity::LAMBDA);
        row(
            format!("… windows of {window}"),
            evaluate(
                &protocol,
                &bought,
                &served(&other, &lists, served_half_life, MAX_SEEDS),
            ),
        );
    }
    format!(
        "{events} purchase events replayed through the model; {users} customers evaluated.\n\n\
         | recommender | HR@10 | NDCG@10 | against popularity |\n|---|---:|---:|---:|\n{rows}\n{fits}"
    )
}

/// The fit at the size the template's 2,048 MB holds (`fit_similarity::max_goods`), on
/// synthetic counts: its time and the process's peak resident memory.
fn capacity() -> String {
    let n = 11_000u32;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // 100,000 users, 20 goods each.
    let mut gram = fit_similarity::ease::Gram::new(n as usize);
    let mut basket: Vec<u32> = Vec::new();
    for _ in 0..100_000 {
        basket.clear();
        while basket.len() < 20 {
            let g = (next() % u64::from(n)) as u32;
            if !basket.contains(&g) {
                basket.push(g);
            }
        }
        gram.add_basket(&basket);
    }
    let status = std::path::Path::new("/proc/self");
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = bench::status_kb(status, "VmRSS").unwrap_or(0);
    let started = Instant::now();
    let rows = gram.fit(fit_similarity::LAMBDA, TOP_K);
    let took = started.elapsed();
    let peak = bench::status_kb(status, "VmHWM").unwrap_or(0);
    assert_eq!(rows.len(), n as usize);
    format!(
        "The fit at {n} goods (synthetic: 100,000 users of 20 goods each; what the template's 2,048 MB \
         holds): {:.1} s on this machine's {} cores; peak resident memory {:.0} MiB, from {:.0} MiB before it.\n",
        took.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |p| p.get()),
        peak as f64 / 1024.0,
        before as f64 / 1024.0,
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

/// Sends events to the queue, ten to a SendMessageBatch, four batches at a time (as
/// functions publish, many at once). With `visible_at`, each message is delayed
/// (`DelaySeconds`, whole seconds) to become visible then, or within the second after.
async fn send_events(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    events: &[shop::events::Envelope],
    visible_at: Option<Instant>,
) {
    use futures::StreamExt;
    futures::stream::iter(events.chunks(10))
        .map(|chunk| async move {
            let delay = visible_at.map_or(0, |at| {
                at.saturating_duration_since(Instant::now())
                    .as_secs_f64()
                    .ceil() as i32
            });
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                        .id(format!("e{i}"))
                        .message_body(serde_json::to_string(e).unwrap())
                        .delay_seconds(delay)
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
        })
        .buffer_unordered(4)
        .collect::<Vec<()>>()
        .await;
}

/// Waits until the queue has no message left, visible, in flight or delayed.
async fn drain(sqs: &aws_sdk_sqs::Client, url: &str) {
    loop {
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(
                aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            )
            .attribute_names(
                aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed,
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
    let store = shop::recs::store::RecsStore::with_client(aws.dynamodb()).expect("tables");
    let catalogue: Vec<String> = (0..2000).map(|i| format!("01JDR{i:021}")).collect();
    let mut sample = synthetic_events(50, &catalogue[..300], 10, 1);
    // Shuffled, as many shoppers' events meet in a queue: batches mix users. Batches of
    // ten, as the template's `BatchSize` for learn-similarity.
    sample.sort_by_key(|e| e.event_id.chars().rev().collect::<String>());
    shop::metrics::reset();
    let in_process = Instant::now();
    for batch in sample.chunks(10) {
        let interactions: Vec<_> = batch
            .iter()
            .map(|event| shop::recs::store::Interaction {
                at: shop::clock::now().unix_timestamp(),
                ..shop::recs::store::Interaction::from_envelope(event).expect("a behaviour event")
            })
            .collect();
        for outcome in store.apply(&interactions).await {
            assert!(
                matches!(outcome, shop::recs::learn::Outcome::Applied),
                "{outcome:?}"
            );
        }
    }
    let per_event = shop::metrics::counts().dynamodb as f64 / sample.len() as f64;
    let in_process = sample.len() as f64 / in_process.elapsed().as_secs_f64();
    eprintln!("in-process: {in_process:.0} events/s, in batches of ten");

    // Throughput through the queue and the consumer on the local stack.
    let url = sqs
        .get_queue_url()
        .queue_name("EventsQueue")
        .send()
        .await
        .expect("queue")
        .queue_url
        .unwrap();
    // Events sent by four senders while the consumer applies them; also what warms
    // DynamoDB Local's JIT (measured: its CPU per event halves over the first 10,000).
    let events = synthetic_events(1000, &catalogue, 10, 4);
    let started = Instant::now();
    send_events(&sqs, &url, &events, None).await;
    drain(&sqs, &url).await;
    let streamed = started.elapsed();
    // A backlog (as after a burst, or a consumer that was down): the events become visible
    // together, so the time to drain them is the consumer's alone, not the senders'.
    let backlog = synthetic_events(200, &catalogue, 10, 2);
    let visible_at = Instant::now() + Duration::from_secs(10);
    send_events(&sqs, &url, &backlog, Some(visible_at)).await;
    assert!(
        Instant::now() < visible_at,
        "sending the backlog took more than its delay"
    );
    tokio::time::sleep_until(visible_at.into()).await;
    drain(&sqs, &url).await;
    let drained = visible_at.elapsed();
    let fitter = fit_similarity::Context::from_env().expect("tables");
    let fitted = fitter.run().await.expect("fitted");

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
    send_events(&sqs, &url, &mine, None).await;
    drain(&sqs, &url).await;
    fitter.run().await.expect("fitted");
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
         | consumer throughput: a backlog of {} events in `EventsQueue`, visible together, drained by `learn-similarity` (batches of 10, 5 pollers) | {:.0} events/s |\n\
         | {} events sent by four senders at once while it consumes, from the first sent to the last applied | {:.0} events/s |\n\
         | the same in-process, one batch at a time ({} events in batches of ten, users mixed) | {:.0} events/s |\n\
         | DynamoDB requests per event (in-process, as above) | {:.2} |\n\
         | `GET /recommendations?strategy=auto&limit=20` p50 / p99 (200 calls, {} items each) | {} / {} ms |\n\
         | the fit on the stack's windows ({} goods, {} windows): Scan / fit / writing {} of {} lists | {} / {} / {} ms |\n",
        backlog.len(),
        backlog.len() as f64 / drained.as_secs_f64(),
        events.len(),
        events.len() as f64 / streamed.as_secs_f64(),
        sample.len(),
        in_process,
        per_event,
        returned,
        ms(quantile(&latencies, 0.5)),
        ms(quantile(&latencies, 0.99)),
        fitted["goods"],
        fitted["users"],
        fitted["rewritten"],
        fitted["lists"],
        fitted["read_ms"],
        fitted["fit_ms"],
        fitted["write_ms"],
    )
}

#[tokio::main]
async fn main() {
    for (name, table) in [
        ("RECOMMENDATIONS_TABLE", "RecommendationsTable"),
        ("BEHAVIOUR_TABLE", "BehaviourTable"),
    ] {
        if std::env::var(name).is_err() {
            std::env::set_var(name, table);
        }
    }
    println!("{}", quality());
    println!("{}", capacity());
    if std::env::args().any(|a| a == "--stack") {
        println!("{}", cost().await);
    }
}
