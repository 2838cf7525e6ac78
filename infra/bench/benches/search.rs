//! Search quality and cost, measured in one run (`cargo bench -p bench --bench search`;
//! `infra/bench.sh` runs it against its local stack).
//!
//! Goods are written straight to the goods table and indexed by the indexer's own code
//! (`shop::search::index::Indexer::sync`, what the `index-goods` function runs), so that
//! 100,000 goods load without 100,000 API calls (43 minutes on 2 cores); queries go both
//! through the search code in-process (to count requests and items read) and through
//! `GET /search` on the local stack (for latency).
//!
//! - **Quality**, on the demo catalogue (the UCI Online Retail products, as
//!   `demo-catalogue` writes them): known-item queries, two words drawn from a product's
//!   name; MRR and hit@10 of the product among the results; and the top-10 overlap with
//!   tantivy's BM25 over the same documents (fields name, description, category with the
//!   same weights 3, 1, 2; English stemming), computed in the same run.
//! - **Typos**: the same known items with one typo injected in a word of 5 letters or
//!   more (a letter deleted, swapped, replaced or doubled): ours against tantivy, plain and
//!   with every word a `FuzzyTermQuery`.
//! - **Retrieval against exhaustive BM25**, at each size: the top 10 of our fixed posting
//!   budget (corrections off) against every posting of every term read and scored the
//!   same way, from the same index.
//! - **Suggestions**: `GET /search/suggest` latency for the first 1–6 letters of the
//!   queries' words, at each size.
//! - **Cost**, at 1k, 10k and 100k goods (the products, then perturbed copies: an extra
//!   variant word, another stock code, a price moved by up to ±10 %): DynamoDB requests
//!   and items read per query, and p50/p99 latency, next to the naive Scan of the goods
//!   table with a `contains` filter.
//!
//! Environment: the local stack's (`AWS_ENDPOINT_URL_DYNAMODB` …, `SHOP_API_URL`), with
//! `GOODS_TABLE`/`SEARCH_TABLE` defaulting to the local stack's table names. Options:
//! `--sizes 1000,10000,100000`, `--queries N` (per size), `--scan-queries N`,
//! `--csv PATH` (the cost rows, for the report's chart). Prints Markdown.
//!
//! `--tune` needs no stack: the quality table's known items scored exhaustively in memory
//! under several ranking formulas and a grid of `k1`, `b` and field weights ([`tune`]),
//! by MRR and by a graded NDCG@10 (the product sought 2, its variants under the same
//! stock-code digits 1: [`families`]); and again with a sentence of boilerplate under
//! every description ([`boilerplate`]).

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use bench::{arg, ms, quantile};
use demo_catalogue::products::{self, Product};
use futures::stream::{self, StreamExt};
use shop::catalogue::repo::GoodsRecord;
use shop::catalogue::GoodsInput;
use shop::search::analysis::{Analyzer, Mode};
use shop::search::index::{Counts, Indexer, SearchTable, Stats};
use shop::search::query::SearchQuery;
use shop::search::{Bm25, FIELD_WEIGHTS, IMPACT_SCALE};

#[path = "search/budget.rs"]
mod budget;
#[path = "search/tune.rs"]
mod tune;

const MERCHANT: &str = "01JDQ0000000000000BENCHSHP";
const VARIANTS: [&str; 24] = [
    "Large", "Small", "Mini", "Jumbo", "Vintage", "Retro", "Deluxe", "Classic", "Blue", "Red",
    "Green", "Pink", "Ivory", "Black", "Gold", "Silver", "Striped", "Spotty", "Floral", "Nordic",
    "Rustic", "Pastel", "Glitter", "Wooden",
];

/// A small deterministic generator (xorshift), so every run asks the same queries.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A goods document: id, name, description, category, price.
#[derive(Clone)]
struct Doc {
    id: String,
    name: String,
    description: String,
    category: String,
    price: i64,
}

/// The `i`-th document of the benchmark catalogue: the products first, then copies.
fn doc(products: &[Product], i: usize) -> Doc {
    let p = &products[i % products.len()];
    let copy = i / products.len();
    let id = format!("01JDQ{:021}", i);
    if copy == 0 {
        return Doc {
            id,
            name: p.name.clone(),
            description: p.description(),
            category: p.category.to_owned(),
            price: p.price_pence,
        };
    }
    let variant = VARIANTS[(copy + i) % VARIANTS.len()];
    let name = format!("{} {variant}", p.name);
    let price = p.price_pence * (90 + ((copy * 7 + i) % 21) as i64) / 100;
    Doc {
        id,
        description: Product::describe(&name, &format!("{}-{copy}", p.stock_code)),
        name,
        category: p.category.to_owned(),
        price,
    }
}

fn record(d: &Doc) -> GoodsRecord {
    let fields = GoodsInput {
        name: Some(d.name.clone()),
        description: Some(d.description.clone()),
        price: Some(d.price),
        currency: Some("GBP".into()),
        category: Some(d.category.clone()),
        stock: Some(100),
        images: None,
    }
    .validate(&[])
    .expect("valid goods");
    GoodsRecord::new(
        d.id.clone(),
        MERCHANT.to_owned(),
        fields,
        "2026-11-25T12:00:00Z",
    )
}

/// Writes docs `from..to` to the goods table and indexes them, 8 at a time.
async fn load(
    dynamodb: &aws_sdk_dynamodb::Client,
    indexer: &Indexer,
    goods_table: &str,
    docs: &[Doc],
) {
    for chunk in docs.chunks(25) {
        let writes = chunk
            .iter()
            .map(|d| {
                WriteRequest::builder()
                    .put_request(
                        PutRequest::builder()
                            .set_item(Some(serde_dynamo::to_item(record(d)).unwrap()))
                            .build()
                            .unwrap(),
                    )
                    .build()
            })
            .collect();
        shop::store::batch_write(dynamodb, goods_table, writes)
            .await
            .expect("goods written");
    }
    stream::iter(docs)
        .for_each_concurrent(8, |d| async move {
            for attempt in 0.. {
                match indexer.sync(&d.id).await {
                    Ok(_) => break,
                    Err(e) if attempt < 20 => {
                        eprintln!("retrying {}: {e}", d.id);
                    }
                    Err(e) => panic!("indexing {} failed: {e}", d.id),
                }
            }
        })
        .await;
}

/// Known-item queries: two distinct words (of 3+ letters) of a product's name.
fn known_items(products: &[Product], count: usize, seed: u64) -> Vec<(String, usize)> {
    let mut rng = Rng(seed);
    let mut queries = Vec::with_capacity(count);
    while queries.len() < count {
        let i = rng.below(products.len());
        let words: Vec<&str> = products[i]
            .name
            .split_whitespace()
            .filter(|w| w.len() >= 3 && w.chars().all(char::is_alphabetic))
            .collect();
        if words.len() < 2 {
            continue;
        }
        let a = rng.below(words.len());
        let mut b = rng.below(words.len());
        while b == a {
            b = rng.below(words.len());
        }
        queries.push((format!("{} {}", words[a], words[b]), i));
    }
    queries
}

/// The goods ids `query` finds, best first.
async fn found_ids(table: &SearchTable, query: &SearchQuery, max_impact: u64) -> Vec<String> {
    table
        .search(query, max_impact)
        .await
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.goods_id)
        .collect()
}

fn query_of(analyzer: &Analyzer, text: &str, limit: usize) -> SearchQuery {
    SearchQuery::text(analyzer, text, limit)
}

/// `text` with one typo in one of its words of 5 or more letters (a letter deleted,
/// two neighbours swapped, one replaced or one inserted), or `None` if it has no such
/// word.
fn with_typo(text: &str, rng: &mut Rng) -> Option<String> {
    let mut words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    let long: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].chars().count() >= 5)
        .collect();
    let &i = long.get(rng.below(long.len().max(1)))?;
    let mut chars: Vec<char> = words[i].to_lowercase().chars().collect();
    let at = 1 + rng.below(chars.len() - 2);
    match rng.below(4) {
        0 => {
            chars.remove(at);
        }
        1 => chars.swap(at, at + 1),
        2 => chars[at] = if chars[at] == 'e' { 'a' } else { 'e' },
        _ => chars.insert(at, chars[at]),
    }
    words[i] = chars.into_iter().collect();
    Some(words.join(" "))
}

/// The top `k` of exhaustive BM25 over the same index: every posting of every term read
/// (page after page), each document scored `Σ idf · impact` as the search scores it.
/// A search table item's key.
fn key(pk: String, sk: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(pk)),
        ("sk".to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

/// What the fixed posting budget is measured against.
async fn exhaustive(
    dynamodb: &aws_sdk_dynamodb::Client,
    table: &str,
    analyzer: &Analyzer,
    text: &str,
    k: usize,
) -> Vec<String> {
    let mut terms: Vec<String> = analyzer.terms(text, Mode::Query);
    terms.sort();
    terms.dedup();
    let mut keys: Vec<HashMap<String, AttributeValue>> =
        terms.iter().map(|t| key(format!("F#{t}"), "F")).collect();
    keys.extend(
        (0..shop::search::index::STATS_SHARDS)
            .map(|shard| key(format!("STATS#{shard:02}"), "STATS")),
    );
    let items = shop::store::batch_get(dynamodb, table, keys, None, false)
        .await
        .expect("counters");
    let (mut stats, mut counts) = (Stats::default(), HashMap::new());
    for item in &items {
        if shop::store::string_attr(item, "pk").starts_with("STATS#") {
            stats.add(&serde_dynamo::from_item(item.clone()).expect("statistics"));
        } else {
            counts.extend(Counts::from_item(item));
        }
    }
    let corpus = stats.n.max(0) as u64;
    let mut met: BTreeSet<String> = BTreeSet::new();
    let mut idfs: HashMap<&String, [f64; 3]> = HashMap::new();
    for term in &terms {
        let Some(c) = counts.get(term).filter(|c| c.df > 0) else {
            continue;
        };
        idfs.insert(term, c.idfs(corpus));
        let mut start = None;
        loop {
            let out = dynamodb
                .query()
                .table_name(table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(format!("T#{term}")))
                .projection_expression("sk")
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("postings");
            for item in out.items.unwrap_or_default() {
                if let Some((_, id)) =
                    shop::search::parse_posting_sk(shop::store::string_attr(&item, "sk"))
                {
                    met.insert(id.to_owned());
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
    }
    // Every document met, scored as a search scores its candidates: from the
    // occurrences it keeps, with each field's idf, against the averages of now.
    let averages = [0, 1, 2].map(|field| stats.average(field));
    let mut names = HashMap::from([("#doc".to_owned(), "doc".to_owned())]);
    let mut projection = "pk, #doc.lens".to_owned();
    let listed: Vec<&String> = idfs.keys().copied().collect();
    for (i, term) in listed.iter().enumerate() {
        names.insert(format!("#t{i}"), (*term).clone());
        projection.push_str(&format!(", #doc.tf.#t{i}"));
    }
    let ids: Vec<String> = met.into_iter().collect();
    let mut ranked: Vec<(String, f64)> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(100) {
        let keys = chunk.iter().map(|id| key(format!("D#{id}"), "D")).collect();
        let docs = shop::store::batch_get(
            dynamodb,
            table,
            keys,
            Some((&projection, names.clone())),
            false,
        )
        .await
        .expect("documents");
        for item in docs {
            let id = shop::store::string_attr(&item, "pk")
                .trim_start_matches("D#")
                .to_owned();
            let doc: shop::search::index::Doc = item
                .get("doc")
                .map(|d| serde_dynamo::from_attribute_value(d.clone()).expect("a document"))
                .unwrap_or_default();
            let score = listed
                .iter()
                .filter_map(|term| {
                    let tf = shop::search::unpack_tf(*doc.tf.get(*term)?);
                    Some(Bm25::default().score(tf, doc.lens, averages, idfs[term]) * IMPACT_SCALE)
                })
                .sum();
            ranked.push((id, score));
        }
    }
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.into_iter().take(k).map(|(id, _)| id).collect()
}

/// Tantivy's BM25 over the same documents, as a reference ranking.
struct Reference {
    searcher: tantivy::Searcher,
    parser: tantivy::query::QueryParser,
    /// The same, every word a `FuzzyTermQuery` (one edit, a swap counting one).
    fuzzy: tantivy::query::QueryParser,
    id: tantivy::schema::Field,
}

impl Reference {
    fn build(docs: &[Doc]) -> Self {
        use tantivy::schema::{
            IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
        };
        use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
        let mut schema = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem_simple")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let id = schema.add_text_field("id", STRING | STORED);
        let name = schema.add_text_field("name", text.clone());
        let description = schema.add_text_field("description", text.clone());
        let category = schema.add_text_field("category", text);
        let index = tantivy::Index::create_in_ram(schema.build());
        index.tokenizers().register(
            "en_stem_simple",
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(Stemmer::new(tantivy::tokenizer::Language::English))
                .build(),
        );
        // One indexing thread: one segment, so ties break the same way in every run.
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 50_000_000)
            .expect("writer");
        for d in docs {
            let mut document = tantivy::TantivyDocument::default();
            document.add_text(id, &d.id);
            document.add_text(name, &d.name);
            document.add_text(description, &d.description);
            document.add_text(category, &d.category);
            writer.add_document(document).expect("added");
        }
        writer.commit().expect("committed");
        let reader = index.reader().expect("reader");
        let mut parser =
            tantivy::query::QueryParser::for_index(&index, vec![name, description, category]);
        parser.set_field_boost(name, 3.0);
        parser.set_field_boost(category, 2.0);
        let mut fuzzy = parser.clone();
        for field in [name, description, category] {
            fuzzy.set_field_fuzzy(field, false, 1, true);
        }
        Self {
            searcher: reader.searcher(),
            parser,
            fuzzy,
            id,
        }
    }

    fn top10(&self, text: &str) -> Vec<String> {
        self.top10_with(&self.parser, text)
    }

    fn top10_fuzzy(&self, text: &str) -> Vec<String> {
        self.top10_with(&self.fuzzy, text)
    }

    fn top10_with(&self, parser: &tantivy::query::QueryParser, text: &str) -> Vec<String> {
        use tantivy::schema::Value;
        let (query, _) = parser.parse_query_lenient(text);
        let top = self
            .searcher
            .search(&query, &tantivy::collector::TopDocs::with_limit(10))
            .expect("searched");
        top.into_iter()
            .filter_map(|(_, address)| {
                let doc: tantivy::TantivyDocument = self.searcher.doc(address).ok()?;
                doc.get_first(self.id)?.as_str().map(str::to_owned)
            })
            .collect()
    }
}

fn reciprocal_rank(results: &[String], target: &str) -> f64 {
    results
        .iter()
        .position(|id| id == target)
        .map_or(0.0, |r| 1.0 / (r + 1) as f64)
}

/// One catalogue size's costs.
struct Cost {
    size: usize,
    requests: f64,
    items: f64,
    max_requests: usize,
    max_items: usize,
    units: f64,
    max_units: f64,
    inproc: (Duration, Duration),
    http: (Duration, Duration),
    scan_requests: f64,
    scan_items: f64,
    scan_units: f64,
    scan: (Duration, Duration),
    /// Mean share of exhaustive BM25's top 10 that ours has.
    recall: f64,
    /// Queries whose exhaustive top 10 has a document ours lacks.
    lossy: f64,
    /// Known-item MRR: ours, exhaustive.
    mrr: (f64, f64),
    suggest: (Duration, Duration),
}

async fn scan(dynamodb: &aws_sdk_dynamodb::Client, table: &str, word: &str) -> (usize, usize, f64) {
    let (mut requests, mut items, mut units) = (0, 0, 0.0);
    let mut start = None;
    loop {
        let out = dynamodb
            .scan()
            .table_name(table)
            .filter_expression("contains(#n, :w) OR contains(description, :w)")
            .expression_attribute_names("#n", "name")
            .expression_attribute_values(":w", AttributeValue::S(word.to_owned()))
            .set_exclusive_start_key(start)
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
            .send()
            .await
            .expect("scan");
        requests += 1;
        items += out.scanned_count.max(0) as usize;
        units += out
            .consumed_capacity
            .and_then(|c| c.capacity_units)
            .unwrap_or(0.0);
        start = out.last_evaluated_key;
        if start.is_none() {
            return (requests, items, units);
        }
    }
}

/// How long `GET url?q=q` takes to answer 200 with its whole body.
async fn timed_get(http: &reqwest::Client, url: &str, q: &str) -> Duration {
    let started = Instant::now();
    let response = http
        .get(url)
        .query(&[("q", q)])
        .send()
        .await
        .expect("the local stack answers");
    assert_eq!(response.status(), 200, "GET {url}?q={q}");
    response.bytes().await.expect("body");
    started.elapsed()
}

#[allow(clippy::too_many_arguments)]
async fn measure_cost(
    products: &[Product],
    size: usize,
    table: &SearchTable,
    analyzer: &Analyzer,
    max_impact: u64,
    queries: &[(String, usize)],
    scan_queries: usize,
    dynamodb: &aws_sdk_dynamodb::Client,
    goods_table: &str,
) -> Cost {
    let http = reqwest::Client::new();
    let api = std::env::var("SHOP_API_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let search_table = std::env::var("SEARCH_TABLE").unwrap();
    let (mut recall, mut lossy, mut rr, mut rr_exhaustive) = (0.0, 0usize, 0.0, 0.0);
    // Queries that match nothing at this size (their words are in later products) don't
    // count towards recall.
    let mut compared = 0usize;
    for (text, target) in queries {
        let target = doc(products, *target).id;
        // Without corrections or the name bonuses: what the budget loses, against the
        // same scoring.
        let exact = SearchQuery {
            typed: Vec::new(),
            name_bonuses: false,
            ..query_of(analyzer, text, 10)
        };
        let ours = found_ids(table, &exact, max_impact).await;
        let best = exhaustive(dynamodb, &search_table, analyzer, text, 10).await;
        let kept = best.iter().filter(|id| ours.contains(id)).count();
        if !best.is_empty() {
            recall += kept as f64 / best.len() as f64;
            compared += 1;
        }
        lossy += usize::from(kept < best.len());
        rr += reciprocal_rank(&ours, &target);
        rr_exhaustive += reciprocal_rank(&best, &target);
    }
    let n = queries.len().max(1) as f64;
    let mut suggest_times = Vec::new();
    for (text, _) in queries {
        let word = text.split_whitespace().next().unwrap_or_default();
        for len in 1..=word.chars().count().min(6) {
            let prefix: String = word.chars().take(len).collect();
            suggest_times.push(timed_get(&http, &format!("{api}/search/suggest"), &prefix).await);
        }
    }
    let (mut requests, mut items, mut units, mut times, mut http_times) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (text, _) in queries {
        let started = Instant::now();
        let found = table
            .search(&query_of(analyzer, text, 20), max_impact)
            .await
            .expect("search");
        times.push(started.elapsed());
        // The function also reads the goods of the page: one BatchGetItem when there are
        // hits, done here too for what it consumes.
        let keys = found
            .hits
            .iter()
            .map(|h| {
                HashMap::from([("goods_id".to_owned(), AttributeValue::S(h.goods_id.clone()))])
            })
            .collect();
        let (_, goods_units) =
            shop::store::batch_get_metered(dynamodb, goods_table, keys, None, false)
                .await
                .expect("goods read");
        requests.push(found.requests + usize::from(!found.hits.is_empty()));
        items.push(found.items_read + found.hits.len());
        units.push(found.read_units + goods_units);
        http_times.push(timed_get(&http, &format!("{api}/search"), text).await);
    }
    let (mut scan_requests, mut scan_items, mut scan_units, mut scan_times) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (text, _) in queries.iter().take(scan_queries) {
        let word = text.split_whitespace().next().unwrap_or_default();
        let started = Instant::now();
        let (r, i, u) = scan(dynamodb, goods_table, word).await;
        scan_times.push(started.elapsed());
        scan_requests.push(r);
        scan_items.push(i);
        scan_units.push(u);
    }
    let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
    let mean_f = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    Cost {
        size,
        requests: mean(&requests),
        items: mean(&items),
        max_requests: requests.iter().copied().max().unwrap_or(0),
        max_items: items.iter().copied().max().unwrap_or(0),
        units: mean_f(&units),
        max_units: units.iter().copied().fold(0.0, f64::max),
        inproc: (quantile(&times, 0.5), quantile(&times, 0.99)),
        http: (quantile(&http_times, 0.5), quantile(&http_times, 0.99)),
        scan_requests: mean(&scan_requests),
        scan_items: mean(&scan_items),
        scan_units: mean_f(&scan_units),
        scan: (quantile(&scan_times, 0.5), quantile(&scan_times, 0.99)),
        recall: recall / compared.max(1) as f64,
        lossy: lossy as f64 / n,
        mrr: (rr / n, rr_exhaustive / n),
        suggest: (
            quantile(&suggest_times, 0.5),
            quantile(&suggest_times, 0.99),
        ),
    }
}

#[tokio::main]
async fn main() {
    for (name, value) in [
        ("GOODS_TABLE", "GoodsTable"),
        ("SEARCH_TABLE", "SearchTable"),
    ] {
        if std::env::var(name).is_err() {
            std::env::set_var(name, value);
        }
    }
    let sizes: Vec<usize> = arg("--sizes")
        .unwrap_or_else(|| "1000,10000,100000".into())
        .split(',')
        .map(|s| s.parse().expect("--sizes: numbers"))
        .collect();
    let per_size: usize = arg("--queries").map_or(200, |q| q.parse().expect("--queries"));
    let scan_queries: usize =
        arg("--scan-queries").map_or(10, |q| q.parse().expect("--scan-queries"));
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/online_retail/online_retail.csv.gz");
    let products = products::load(&data).expect("the data set");
    if std::env::args().any(|a| a == "--tune") {
        tune_grid(&products);
        return;
    }
    if std::env::args().any(|a| a == "--budget") {
        budget_replay(&products, &sizes, per_size);
        return;
    }
    let aws = shop::aws::Aws::from_env().expect("AWS configuration");
    let dynamodb = aws.dynamodb();
    let indexer = Indexer::with_client(dynamodb.clone()).expect("indexer");
    let table = SearchTable::from_env(dynamodb.clone()).expect("search table");
    let goods_table = std::env::var("GOODS_TABLE").unwrap();
    let analyzer = Analyzer::new();
    let max_impact = (Bm25::from_env().unwrap().max_impact() * IMPACT_SCALE).ceil() as u64;

    let mut loaded = 0usize;
    let mut loads: Vec<(usize, f64)> = Vec::new();
    let mut costs = Vec::new();
    let mut quality = None;
    let mut stages: Vec<usize> = sizes.clone();
    stages.push(products.len());
    stages.sort();
    stages.dedup();
    let queries = known_items(&products, per_size, 0x5eed);
    for stage in stages {
        let docs: Vec<Doc> = (loaded..stage).map(|i| doc(&products, i)).collect();
        let started = Instant::now();
        load(&dynamodb, &indexer, &goods_table, &docs).await;
        let took = started.elapsed().as_secs_f64();
        eprintln!("loaded {stage} goods in {took:.1} s");
        loads.push((stage, took));
        loaded = stage;
        if stage == products.len() {
            quality = Some(measure_quality(&products, &table, &analyzer, max_impact).await);
        }
        if sizes.contains(&stage) {
            let cost = measure_cost(
                &products,
                stage,
                &table,
                &analyzer,
                max_impact,
                &queries,
                scan_queries,
                &dynamodb,
                &goods_table,
            )
            .await;
            eprintln!(
                "{} goods: {:.1} requests, {:.0} items, {:.1} RCU a query",
                stage, cost.requests, cost.items, cost.units
            );
            costs.push(cost);
        }
    }

    if let Some(q) = quality {
        println!("{q}");
    }
    println!("| goods | requests / query, mean (max) | items read / query, mean (max) | read units / query, mean (max) | p50 / p99 in-process | p50 / p99 `GET /search` | Scan + filter: requests | items read | read units | p50 / p99 |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for c in &costs {
        println!(
            "| {} | {:.1} ({}) | {:.0} ({}) | {:.1} ({:.1}) | {} / {} ms | {} / {} ms | {:.1} | {:.0} | {:.1} | {} / {} ms |",
            c.size, c.requests, c.max_requests, c.items, c.max_items, c.units, c.max_units,
            ms(c.inproc.0), ms(c.inproc.1), ms(c.http.0), ms(c.http.1),
            c.scan_requests, c.scan_items, c.scan_units, ms(c.scan.0), ms(c.scan.1),
        );
    }
    println!("\n| goods | top-10 recall against exhaustive BM25 | queries that lost one of its top 10 | known-item MRR: ours / exhaustive | `GET /search/suggest` p50 / p99 |");
    println!("|---:|---:|---:|---:|---:|");
    for c in &costs {
        println!(
            "| {} | {:.1} % | {:.1} % | {:.3} / {:.3} ({:.3}×) | {} / {} ms |",
            c.size,
            100.0 * c.recall,
            100.0 * c.lossy,
            c.mrr.0,
            c.mrr.1,
            c.mrr.0 / c.mrr.1.max(1e-9),
            ms(c.suggest.0),
            ms(c.suggest.1),
        );
    }
    let loads: Vec<String> = loads
        .iter()
        .map(|(size, took)| format!("{size} goods by {took:.0} s"))
        .collect();
    println!(
        "\nLoading, written and indexed 8 at a time: {} (each time from the size before).",
        loads.join(", ")
    );
    if let Some(path) = arg("--csv") {
        let mut csv = String::from(
            "goods,requests,items,read_units,scan_requests,scan_items,scan_read_units\n",
        );
        for c in &costs {
            csv.push_str(&format!(
                "{},{:.2},{:.1},{:.2},{:.2},{:.1},{:.2}\n",
                c.size, c.requests, c.items, c.units, c.scan_requests, c.scan_items, c.scan_units
            ));
        }
        std::fs::write(path, csv).expect("csv written");
    }
}

/// `--tune`: known-item MRR and hit@10 of each formula over a grid of `k1`, `b` and
/// field weights, scored in memory (see [`tune`]), beside tantivy's on the same queries.
fn tune_grid(products: &[Product]) {
    use tune::{Corpus, Formula, Params};
    let docs: Vec<Doc> = (0..products.len()).map(|i| doc(products, i)).collect();
    let analyzer = Analyzer::new();
    let corpus = Corpus::new(
        &analyzer,
        docs.iter()
            .map(|d| [d.name.as_str(), d.description.as_str(), d.category.as_str()]),
    );
    let queries = known_items(products, 1000, 0xc0ffee);
    let family = families(products);
    let (variants, lines) = judged_sets(products, &queries, &family);
    let reference = Reference::build(&docs);
    let (mut rr, mut hits) = (0.0, 0);
    for (text, target) in &queries {
        let theirs = reference.top10(text);
        rr += reciprocal_rank(&theirs, &docs[*target].id);
        hits += usize::from(theirs.contains(&docs[*target].id));
    }
    let index_of: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let theirs = |judged: &[tune::Judged]| {
        tune::mean_ndcg(judged, |text| {
            let ranked = reference.top10(text);
            ranked.iter().map(|id| index_of[id.as_str()]).collect()
        })
    };
    let n = queries.len() as f64;
    println!(
        "tantivy: MRR {:.3}, hit@10 {:.1} % ({} known items, {} goods); NDCG@10 {:.3} on the known items graded with their variants, {:.3} on the {} product lines",
        rr / n,
        100.0 * hits as f64 / n,
        queries.len(),
        docs.len(),
        theirs(&variants),
        theirs(&lines),
        lines.len(),
    );
    let defaults = Params {
        formula: Formula::Bm25f,
        k1: 1.2,
        b: 0.75,
        weights: FIELD_WEIGHTS,
        as_indexed: true,
    };
    let (mrr, hit) = corpus.known_items(&defaults, &analyzer, &queries);
    println!(
        "BM25F as indexed, each document against the averages before it: MRR {mrr:.3}, hit@10 {:.1} %",
        100.0 * hit
    );
    boilerplate(&docs, &analyzer, &queries);
    println!(
        "| formula | k1 | b | weights (name, description, category) | MRR | hit@10 | NDCG@10, with variants | NDCG@10, product lines |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|---:|");
    let formulas = [
        Formula::Bm25f,
        Formula::Bm25fFieldIdf,
        Formula::PerField { field_df: false },
        Formula::PerField { field_df: true },
    ];
    let weights = [
        FIELD_WEIGHTS,
        [2.0, 1.0, 1.0],
        [3.0, 1.0, 1.0],
        [1.0, 1.0, 1.0],
        [4.0, 1.0, 2.0],
        [3.0, 0.5, 1.0],
    ];
    for formula in formulas {
        for k1 in [0.6, 0.9, 1.2, 1.6, 2.0] {
            for b in [0.3, 0.5, 0.75, 0.9] {
                for w in weights {
                    let p = Params {
                        formula,
                        k1,
                        b,
                        weights: w,
                        as_indexed: false,
                    };
                    let (mrr, hit) = corpus.known_items(&p, &analyzer, &queries);
                    let graded = corpus.graded(&p, &analyzer, &variants);
                    let line = corpus.graded(&p, &analyzer, &lines);
                    println!(
                        "| {formula:?} | {k1} | {b} | {w:?} | {mrr:.3} | {:.1} % | {graded:.3} | {line:.3} |",
                        100.0 * hit
                    );
                }
            }
        }
    }
}

/// Each product's family: variants of one product (colours, sizes) share the digits of
/// their stock code and differ in the letter after them (`84997A` … `84997D`: the same
/// cutlery set in four colours). The judged set of `--tune` grades them: a query for one
/// of them is best answered by it, then by its variants.
fn families(products: &[Product]) -> Vec<usize> {
    let mut ids: HashMap<String, usize> = HashMap::new();
    products
        .iter()
        .map(|p| {
            let code = p.stock_code.to_uppercase();
            let digits = code.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let key = if digits.len() == 5 && digits.bytes().all(|b| b.is_ascii_digit()) {
                digits.to_owned()
            } else {
                code
            };
            let next = ids.len();
            *ids.entry(key).or_insert(next)
        })
        .collect()
}

/// The two judged sets of `--tune`, graded by the catalogue's own families of variants
/// ([`families`]), not by any text the ranking reads:
/// - **known items with their variants**: each known-item query, the product sought
///   graded 2 and its variants 1;
/// - **product lines**: for each family of two or more products, the words (of 3+
///   letters, at most 3) that every one of their names has, every member graded 1 (a
///   shopper asking for the line, whatever the colour).
fn judged_sets(
    products: &[Product],
    queries: &[(String, usize)],
    family: &[usize],
) -> (Vec<tune::Judged>, Vec<tune::Judged>) {
    let members = |f: usize| (0..products.len()).filter(move |&d| family[d] == f);
    let variants = queries
        .iter()
        .map(|(text, target)| tune::Judged {
            text: text.clone(),
            grades: members(family[*target])
                .map(|d| (d, if d == *target { 2 } else { 1 }))
                .collect(),
        })
        .collect();
    let mut lines = Vec::new();
    let mut done = BTreeSet::new();
    for (first, &line) in family.iter().enumerate() {
        if !done.insert(line) {
            continue;
        }
        let all: Vec<usize> = members(line).collect();
        if all.len() < 2 {
            continue;
        }
        let words_of = |d: usize| -> Vec<String> {
            products[d]
                .name
                .split_whitespace()
                .filter(|w| w.len() >= 3 && w.chars().all(char::is_alphabetic))
                .map(str::to_lowercase)
                .collect()
        };
        let shared: Vec<String> = words_of(first)
            .into_iter()
            .filter(|w| all.iter().all(|&d| words_of(d).contains(w)))
            .take(3)
            .collect();
        if !shared.is_empty() {
            lines.push(tune::Judged {
                text: shared.join(" "),
                grades: all.iter().map(|&d| (d, 1)).collect(),
            });
        }
    }
    (variants, lines)
}

/// What shops write under every product.
const BOILERPLATE: &str = "A lovely gift for the home, in a vintage design. Free delivery on \
    orders over £50; gift wrap and a card available. Perfect for Christmas and parties.";

/// Part of `--tune`: the same known items when every description ends with the same
/// [`BOILERPLATE`], whose words (gift, home, vintage, design, card, Christmas, party)
/// names use too. One `df` for the document makes them nearly worthless in names as
/// well; each field's own `df` doesn't.
fn boilerplate(docs: &[Doc], analyzer: &Analyzer, queries: &[(String, usize)]) {
    use tune::{Corpus, Formula, Params};
    let docs: Vec<Doc> = docs
        .iter()
        .map(|d| Doc {
            description: format!("{} {BOILERPLATE}", d.description),
            ..d.clone()
        })
        .collect();
    let corpus = Corpus::new(
        analyzer,
        docs.iter()
            .map(|d| [d.name.as_str(), d.description.as_str(), d.category.as_str()]),
    );
    let words: Vec<String> = analyzer.terms(BOILERPLATE, Mode::Query);
    type Queries = Vec<(String, usize)>;
    let (affected, other): (Queries, Queries) = queries.iter().cloned().partition(|(text, _)| {
        analyzer
            .terms(text, Mode::Query)
            .iter()
            .any(|t| words.contains(t))
    });
    let reference = Reference::build(&docs);
    println!(
        "Every description ending with the same boilerplate ({} of the {} queries have one of its words):",
        affected.len(),
        queries.len()
    );
    println!("| formula | MRR, queries with a boilerplate word | MRR, the others | hit@10, all |");
    println!("|---|---:|---:|---:|");
    let tantivy = |set: &[(String, usize)]| {
        let rr: f64 = set
            .iter()
            .map(|(text, target)| reciprocal_rank(&reference.top10(text), &docs[*target].id))
            .sum();
        rr / set.len().max(1) as f64
    };
    let hits = queries
        .iter()
        .filter(|(text, target)| reference.top10(text).contains(&docs[*target].id))
        .count();
    println!(
        "| tantivy | {:.3} | {:.3} | {:.1} % |",
        tantivy(&affected),
        tantivy(&other),
        100.0 * hits as f64 / queries.len() as f64
    );
    for formula in [
        Formula::Bm25f,
        Formula::Bm25fFieldIdf,
        Formula::PerField { field_df: true },
    ] {
        let p = Params {
            formula,
            k1: 1.2,
            b: 0.75,
            weights: FIELD_WEIGHTS,
            as_indexed: false,
        };
        let (with, _) = corpus.known_items(&p, analyzer, &affected);
        let (without, _) = corpus.known_items(&p, analyzer, &other);
        let (_, hit) = corpus.known_items(&p, analyzer, queries);
        println!(
            "| {formula:?} | {with:.3} | {without:.3} | {:.1} % |",
            100.0 * hit
        );
    }
}

/// `--budget`: the posting budget replayed in memory at each size (see [`budget`]): top-10
/// recall and known-item MRR against the exhaustive ranking, for each variant.
fn budget_replay(products: &[Product], sizes: &[usize], per_size: usize) {
    use budget::{Index, Stored, Variant};
    let analyzer = Analyzer::new();
    let queries = known_items(products, per_size, 0x5eed);
    println!("| goods | posting impacts against | conjunctive probe keeps | top-10 recall | queries that lost one | known-item MRR: budgeted / exhaustive |");
    println!("|---:|---|---:|---:|---:|---:|");
    for &size in sizes {
        let fields: Vec<[String; 3]> = (0..size)
            .map(|i| {
                let d = doc(products, i);
                [d.name, d.description, d.category]
            })
            .collect();
        let index = Index::new(&analyzer, &fields);
        let best: Vec<Vec<u32>> = queries
            .iter()
            .map(|(text, _)| index.exhaustive(&analyzer, text))
            .collect();
        let stored = [
            (
                Stored::AsIndexed,
                "averages before each goods item (until now)",
            ),
            (Stored::Final, "final averages (a reindex, until now)"),
            (Stored::Reference(1), "reference lengths (the index's now)"),
            (Stored::Reference(0), "reference lengths × ½"),
            (Stored::Reference(2), "reference lengths × 2"),
        ];
        for (stored, label) in stored {
            for probe in [0, 50, 100] {
                let variant = Variant { stored, probe };
                let (mut recall, mut compared, mut lossy, mut rr, mut rr_best) =
                    (0.0, 0usize, 0usize, 0.0, 0.0);
                for ((text, target), best) in queries.iter().zip(&best) {
                    let ours = index.budgeted(&analyzer, text, variant);
                    let kept = best.iter().filter(|d| ours.contains(d)).count();
                    if !best.is_empty() {
                        recall += kept as f64 / best.len() as f64;
                        compared += 1;
                    }
                    lossy += usize::from(kept < best.len());
                    let rank = |list: &[u32]| {
                        list.iter()
                            .position(|d| *d as usize == *target)
                            .map_or(0.0, |r| 1.0 / (r + 1) as f64)
                    };
                    rr += rank(&ours);
                    rr_best += rank(best);
                }
                let n = queries.len() as f64;
                println!(
                    "| {size} | {} | {probe} | {:.1} % | {:.1} % | {:.3} / {:.3} ({:.3}×) |",
                    label,
                    100.0 * recall / compared.max(1) as f64,
                    100.0 * lossy as f64 / n,
                    rr / n,
                    rr_best / n,
                    rr / rr_best.max(1e-9)
                );
            }
        }
    }
}

/// MRR, hit@10 and top-10 overlap with tantivy on the demo catalogue.
async fn measure_quality(
    products: &[Product],
    table: &SearchTable,
    analyzer: &Analyzer,
    max_impact: u64,
) -> String {
    let docs: Vec<Doc> = (0..products.len()).map(|i| doc(products, i)).collect();
    let reference = Reference::build(&docs);
    let queries = known_items(products, 1000, 0xc0ffee);
    let (mut rr, mut hits, mut rr_ref, mut hits_ref, mut overlap) = (0.0, 0, 0.0, 0, 0.0);
    let mut compared = 0;
    let (mut rr_apart, mut hits_apart) = (0.0, 0);
    for (text, target) in &queries {
        let target = &docs[*target].id;
        let ours = found_ids(table, &query_of(analyzer, text, 10), max_impact).await;
        let theirs = reference.top10(text);
        let apart = SearchQuery {
            name_bonuses: false,
            ..query_of(analyzer, text, 10)
        };
        let without = found_ids(table, &apart, max_impact).await;
        rr_apart += reciprocal_rank(&without, target);
        hits_apart += usize::from(without.contains(target));
        rr += reciprocal_rank(&ours, target);
        hits += usize::from(ours.contains(target));
        rr_ref += reciprocal_rank(&theirs, target);
        hits_ref += usize::from(theirs.contains(target));
        if !theirs.is_empty() {
            let a: BTreeSet<&String> = ours.iter().collect();
            let shared = theirs.iter().filter(|id| a.contains(id)).count();
            overlap += shared as f64 / theirs.len() as f64;
            compared += 1;
        }
    }
    let n = queries.len() as f64;
    // The same known items, one typo injected in a word of 5 letters or more.
    let mut rng = Rng(0x7e57);
    let (mut typo_rr, mut typo_hits, mut clean_rr, mut plain_rr, mut fuzzy_rr, mut fuzzy_hits) =
        (0.0, 0, 0.0, 0.0, 0.0, 0);
    let mut typos = 0usize;
    for (text, target) in &queries {
        let Some(typo) = with_typo(text, &mut rng) else {
            continue;
        };
        typos += 1;
        let target = &docs[*target].id;
        let ours = |text: String| async move {
            found_ids(table, &query_of(analyzer, &text, 10), max_impact).await
        };
        let found = ours(typo.clone()).await;
        typo_rr += reciprocal_rank(&found, target);
        typo_hits += usize::from(found.contains(target));
        clean_rr += reciprocal_rank(&ours(text.clone()).await, target);
        plain_rr += reciprocal_rank(&reference.top10(&typo), target);
        let fuzzy = reference.top10_fuzzy(&typo);
        fuzzy_rr += reciprocal_rank(&fuzzy, target);
        fuzzy_hits += usize::from(fuzzy.contains(target));
    }
    let t = typos.max(1) as f64;
    let typo_table = format!(
        "\n| one typo per query ({typos} queries) | MRR | hit@10 | MRR ÷ ours without the typo |\n|---|---:|---:|---:|\n\
         | ours | {:.3} | {:.1} % | {:.2}× |\n\
         | tantivy BM25, no fuzziness | {:.3} | - | - |\n\
         | tantivy, every word a `FuzzyTermQuery` (1 edit, swaps 1) | {:.3} | {:.1} % | - |\n",
        typo_rr / t,
        100.0 * typo_hits as f64 / t,
        typo_rr / clean_rr.max(1e-9),
        plain_rr / t,
        fuzzy_rr / t,
        100.0 * fuzzy_hits as f64 / t,
    );
    format!(
        "| ranking | queries | MRR | hit@10 | top-10 overlap with tantivy |\n|---|---:|---:|---:|---:|\n\
         | ours: `GET /search` code on DynamoDB Local | {} | {:.3} | {:.1} % | {:.1} % |\n\
         | ours without the name bonuses (proximity, all words in the name) | {} | {:.3} | {:.1} % | - |\n\
         | tantivy BM25 (reference, in memory) | {} | {:.3} | {:.1} % | - |\n",
        queries.len(),
        rr / n,
        100.0 * hits as f64 / n,
        100.0 * overlap / compared.max(1) as f64,
        queries.len(),
        rr_apart / n,
        100.0 * hits_apart as f64 / n,
        queries.len(),
        rr_ref / n,
        100.0 * hits_ref as f64 / n,
    ) + &typo_table
}
