//! Search, end to end: goods created, edited and deleted through the API (or written
//! straight to the table) reach the index through the goods table's stream and the
//! `index-goods` consumer within seconds;
//! `GET /search` ranks, corrects typos, filters, sorts, counts facets and pages them;
//! `GET /search/suggest` completes the word being typed; bad queries get a 4xx.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{eventually, unique_word, Account, Api};
use reqwest::Method;
use serde_json::{json, Value};
use shop::catalogue::repo::GoodsRepo;
use shop::search::analysis::{Analyzer, Mode};
use shop::search::index::{Indexer, SearchTable};
use shop::search::Bm25;

/// Seconds a change may take to become searchable.
const FRESH: u64 = 15;

/// A whole-table reindex rewrites the impacts of goods indexed under other statistics,
/// which moves them across a relevance cursor being read (the next page is computed
/// from the scores of now). The tests that page by relevance hold this for reading
/// while they page, the test that reindexes the whole table holds it for writing.
static WHOLE_TABLE_REINDEX: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

async fn create(api: &Api, merchant: &Account, body: Value) -> String {
    let (status, item) = api
        .call(Method::POST, "/goods", Some(&merchant.token), Some(body))
        .await;
    assert_eq!(status, 201, "{item}");
    item["goods_id"].as_str().unwrap().to_owned()
}

fn goods(name: &str, description: &str, category: &str, price: i64) -> Value {
    json!({"name": name, "description": description, "category": category, "price": price, "stock": 10})
}

async fn search(api: &Api, query: &str) -> Value {
    let (status, body) = api
        .call(Method::GET, &format!("/search?{query}"), None, None)
        .await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["goods"]["goods_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The score of goods `id` on a page of results, when it is on it.
fn score_of(page: &Value, id: &str) -> Option<f64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|hit| hit["goods"]["goods_id"] == id)
        .map(|hit| hit["score"].as_f64().unwrap())
}

fn q(text: &str) -> String {
    format!("q={}", urlencode(text))
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Waits until `query` answers exactly `expected` (as a set).
async fn await_results(api: &Api, query: &str, expected: &[&str]) -> Value {
    let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    eventually(FRESH, query, || async {
        let page = search(api, query).await;
        (ids(&page).into_iter().collect::<BTreeSet<_>>() == want).then_some(page)
    })
    .await
}

#[tokio::test]
async fn chinese_and_english_goods_are_found_best_match_first() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let w = unique_word();
    let earphones = create(
        &api,
        &merchant,
        goods(
            &format!("无线蓝牙耳机 {w}"),
            "降噪，续航30小时",
            "数码",
            19900,
        ),
    )
    .await;
    let headphone = create(
        &api,
        &merchant,
        goods(
            &format!("Bluetooth Headphone {w}"),
            "Over-ear, 30 hours of battery",
            "Electronics",
            29900,
        ),
    )
    .await;
    let mention = create(
        &api,
        &merchant,
        goods(
            "Phone case",
            &format!("Fits the {w} range"),
            "Accessories",
            990,
        ),
    )
    .await;

    let page = await_results(&api, &q(&w), &[&earphones, &headphone, &mention]).await;
    assert_eq!(
        ids(&page)[2],
        mention,
        "a name match outranks a description match: {page}"
    );
    let scores: Vec<f64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|p| p[0] >= p[1]) && scores[2] > 0.0,
        "{scores:?}"
    );

    let page = search(&api, &q(&format!("蓝牙耳机 {w}"))).await;
    assert_eq!(ids(&page)[0], earphones, "{page}");
    let page = search(&api, &format!("{}&limit=100", q("蓝牙耳机"))).await;
    assert!(
        ids(&page).contains(&earphones),
        "蓝牙耳机 finds 无线蓝牙耳机: {page}"
    );
    let page = search(&api, &q(&format!("bluetooth headphones {w}"))).await;
    assert_eq!(ids(&page)[0], headphone, "{page}");
    assert_eq!(page["items"][0]["goods"]["price"], 29900);
    assert_eq!(
        page["items"][0]["goods"]["rating"],
        json!({"average": 0.0, "count": 0})
    );
}

#[tokio::test]
async fn an_edit_changes_what_matches_and_a_delete_removes_it() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let (old, new) = (unique_word(), unique_word());
    let id = create(
        &api,
        &merchant,
        goods(&format!("{old} desk lamp"), "warm light", "Home", 4500),
    )
    .await;
    await_results(&api, &q(&old), &[&id]).await;

    let (status, _) = api
        .call(
            Method::PATCH,
            &format!("/goods/{id}"),
            Some(&merchant.token),
            Some(json!({"name": format!("{new} desk lamp"), "price": 3900})),
        )
        .await;
    assert_eq!(status, 200);
    await_results(&api, &q(&old), &[]).await;
    let page = await_results(&api, &q(&new), &[&id]).await;
    assert_eq!(
        page["items"][0]["goods"]["price"], 3900,
        "results carry current data"
    );
    await_results(&api, &format!("{}&max_price=4000", q(&new)), &[&id]).await;

    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/goods/{id}"),
            Some(&merchant.token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    await_results(&api, &q(&new), &[]).await;
    await_results(&api, &q("desk lamp warm"), &[]).await;
}

/// The indexer `reindex` runs, on the stack's tables, with these BM25 parameters.
fn indexer(bm25: Bm25) -> (Indexer, GoodsRepo) {
    let dynamodb = shop::aws::Aws::from_env()
        .expect("AWS configuration")
        .dynamodb();
    let goods = GoodsRepo::new(dynamodb.clone(), "GoodsTable");
    let table = SearchTable::new(dynamodb, "SearchTable");
    (Indexer::new(table, goods.clone(), bm25), goods)
}

/// Reindexes these goods, as `reindex --goods-id …` does.
async fn reindex(ids: &[&str], bm25: Bm25) -> reindex::Report {
    let (indexer, goods) = indexer(bm25);
    let options = reindex::Options {
        goods_ids: ids.iter().map(|id| id.to_string()).collect(),
        ..reindex::Options::default()
    };
    reindex::run(&indexer, &goods, &options, |_| {})
        .await
        .expect("the goods Scan")
}

#[tokio::test]
async fn a_reindex_changes_nothing_in_step_and_applies_new_bm25_parameters() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let (old, new) = (unique_word(), unique_word());
    let id = create(
        &api,
        &merchant,
        goods(
            &format!("{old} tea kettle"),
            "stainless steel",
            "Kitchen",
            2500,
        ),
    )
    .await;
    await_results(&api, &q(&old), &[&id]).await;

    // A write that bypasses the API is indexed all the same, from the table's stream.
    let renamed = shop::catalogue::GoodsPatch {
        name: Some(format!("{new} tea kettle")),
        ..Default::default()
    }
    .validate()
    .unwrap();
    goods_repo()
        .update(
            &id,
            &merchant.user_id,
            &renamed,
            None,
            &shop::clock::rfc3339(shop::clock::now()),
        )
        .await
        .expect("a direct goods write");
    let page = await_results(&api, &q(&new), &[&id]).await;
    assert_eq!(ids(&search(&api, &q(&old)).await), Vec::<String>::new());
    let score = page["items"][0]["score"].as_f64().unwrap();

    let (in_step, _) = indexer(Bm25::default());
    assert_eq!(
        in_step.sync(&id).await.unwrap(),
        shop::search::index::Outcome::UpToDate,
        "the stream left the index in step with the goods"
    );

    // Other parameters give the postings other impacts (a larger k1 saturates later, so
    // a name match weighs more): the order the lists are read in. A search scores its
    // candidates with its own parameters (the template gives both functions the same),
    // from the occurrences the document keeps, so what it shows doesn't move.
    let term = Analyzer::new().terms(&new, Mode::Query).remove(0);
    let before = stored_impact(&id, &term).await;
    let tuned = Bm25 { k1: 3.0, b: 0.75 };
    let report = reindex(&[&id], tuned).await;
    assert_eq!((report.applied, report.failed.len()), (1, 0), "{report:?}");
    let after = stored_impact(&id, &term).await;
    assert!(
        after as f64 > before as f64 * 1.1,
        "{after} > 1.1 × {before}"
    );
    let tuned_score = search(&api, &q(&new)).await["items"][0]["score"]
        .as_f64()
        .unwrap();
    // Only the averages move it, as other tests add goods.
    assert!(
        (tuned_score / score - 1.0).abs() < 0.05,
        "{tuned_score} ≈ {score}"
    );
    assert_eq!(reindex(&[&id], Bm25::default()).await.applied, 1);
    let back = stored_impact(&id, &term).await;
    assert!(
        (back as f64 / before as f64 - 1.0).abs() < 0.05,
        "{back} ≈ {before}"
    );

    // The whole table, as the command runs by default: every goods item is looked at,
    // this one included, and none fails.
    let (indexer, goods) = indexer(Bm25::default());
    let pages = std::sync::atomic::AtomicUsize::new(0);
    let _alone = WHOLE_TABLE_REINDEX.write().await;
    let report = reindex::run(&indexer, &goods, &reindex::Options::default(), |_| {
        pages.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .await
    .expect("the goods Scan");
    assert!(report.failed.is_empty(), "{report:?}");
    assert!(report.scanned >= 1 && pages.into_inner() >= 4, "{report:?}");
    assert_eq!(ids(&search(&api, &q(&new)).await), [id]);
}

#[tokio::test]
async fn query_words_side_by_side_in_a_name_rank_it_higher() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let (a, b) = (unique_word(), unique_word());
    // The same words in the same field, so BM25 alone scores them alike; only the order
    // differs.
    let apart = create(
        &api,
        &merchant,
        goods(&format!("{b} and {a}"), "plain", "Home", 100),
    )
    .await;
    let together = create(
        &api,
        &merchant,
        goods(&format!("{a} {b} and"), "plain", "Home", 100),
    )
    .await;
    await_results(&api, &q(&format!("{a} {b}")), &[&apart, &together]).await;
    // Found is not yet finished: the second goods' document may still be mid-plan.
    let page = eventually(FRESH, "the name's phrases indexed", || async {
        let page = search(&api, &q(&format!("{a} {b}"))).await;
        (ids(&page).first() == Some(&together)).then_some(page)
    })
    .await;
    assert_eq!(ids(&page), [together.as_str(), apart.as_str()], "{page}");
    let score = |i: usize| page["items"][i]["score"].as_f64().unwrap();
    assert!(score(0) > 1.2 * score(1), "{page}");
    // In the other order the words are side by side in neither name.
    let page = search(&api, &q(&format!("{b} {a}"))).await;
    let score = |i: usize| page["items"][i]["score"].as_f64().unwrap();
    assert!(score(0) < 1.05 * score(1), "{page}");
}

#[tokio::test]
async fn a_name_with_every_query_word_scores_a_quarter_more() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let (a, b, nowhere) = (unique_word(), unique_word(), unique_word());
    // Both words in the name, not side by side in the query's order (no phrase bonus).
    let both = create(
        &api,
        &merchant,
        goods(&format!("{b} plain {a}"), "plain", "Home", 100),
    )
    .await;
    // One of them in the name, the other in the description.
    let one = create(
        &api,
        &merchant,
        goods(&format!("{a} plain"), &format!("{b} plain"), "Home", 100),
    )
    .await;
    await_results(&api, &q(&format!("{a} {b}")), &[&both, &one]).await;
    // Settled once both documents are scored from their own occurrences.
    let (with_all, without) = eventually(FRESH, "both documents indexed", || async {
        let all = search(&api, &q(&format!("{a} {b}"))).await;
        // A third word no goods has: no name has every word of this query.
        let not_all = search(&api, &q(&format!("{a} {b} {nowhere}"))).await;
        let ratio = score_of(&all, &both)? / score_of(&not_all, &both)?;
        (ids(&all).first() == Some(&both) && (ratio - 1.25).abs() < 0.03).then_some((all, not_all))
    })
    .await;
    // The goods with one word in its description gains nothing.
    let ratio = score_of(&with_all, &one).unwrap() / score_of(&without, &one).unwrap();
    assert!((ratio - 1.0).abs() < 0.03, "{with_all} {without}");
}

#[tokio::test]
async fn a_word_every_description_repeats_keeps_its_weight_in_the_names_that_have_it() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let (a, b) = (unique_word(), unique_word());
    let stem = |word: &str| Analyzer::new().terms(word, Mode::Query).remove(0);
    // `a` is in one name; `b` in one name and, like boilerplate, in five descriptions.
    let named_a = create(
        &api,
        &merchant,
        goods(&format!("{a} plain"), "plain", "Home", 100),
    )
    .await;
    let named_b = create(
        &api,
        &merchant,
        goods(&format!("{b} plain"), "plain", "Home", 100),
    )
    .await;
    let mut described = Vec::new();
    for _ in 0..5 {
        let name = format!("{} plain", unique_word());
        described.push(
            create(
                &api,
                &merchant,
                goods(&name, &format!("plain {b}"), "Home", 100),
            )
            .await,
        );
    }
    // `b`'s counters: in 6 documents, all counted per field: 1 name, 5 descriptions.
    eventually(FRESH, "the per-field counters", || async {
        (counters(&stem(&b)).await == [6, 6, 1, 5, 0]).then_some(())
    })
    .await;
    // Both names score their word with the idf of a word in one name: with one `df` for
    // the whole document, `b` would weigh as a word in six (three quarters as much with
    // a few hundred goods in the index).
    let ratio = eventually(FRESH, "both searches scored", || async {
        let (for_a, for_b) = (search(&api, &q(&a)).await, search(&api, &q(&b)).await);
        let ranked = ids(&for_b);
        (ranked.len() == 6 && ranked[0] == named_b)
            .then(|| Some(score_of(&for_b, &named_b)? / score_of(&for_a, &named_a)?))
            .flatten()
    })
    .await;
    assert!((ratio - 1.0).abs() < 0.02, "{ratio}");
    // Deleted goods leave the counters.
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/goods/{}", described[0]),
            Some(&merchant.token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    eventually(FRESH, "the counters after a delete", || async {
        (counters(&stem(&b)).await == [5, 5, 1, 4, 0]).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_reindex_counts_per_field_the_terms_of_a_document_indexed_before_such_counts() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let (a, b) = (unique_word(), unique_word());
    let stem = |word: &str| Analyzer::new().terms(word, Mode::Query).remove(0);
    let (ta, tb) = (stem(&a), stem(&b));
    let id = create(
        &api,
        &merchant,
        goods(&format!("{a} plain"), &format!("{b} plain"), "Home", 100),
    )
    .await;
    eventually(FRESH, "the per-field counters", || async {
        (counters(&ta).await == [1, 1, 1, 0, 0] && counters(&tb).await == [1, 1, 0, 1, 0])
            .then_some(())
    })
    .await;
    // As an index written before per-field counts left it: the document not marked
    // counted, its terms' counters with `df` alone. (No whole-table reindex meanwhile.)
    let _no_reindex = WHOLE_TABLE_REINDEX.read().await;
    let dynamodb = shop::aws::Aws::from_env()
        .expect("AWS configuration")
        .dynamodb();
    dynamodb
        .update_item()
        .table_name("SearchTable")
        .key("pk", AttributeValue::S(format!("D#{id}")))
        .key("sk", AttributeValue::S("D".into()))
        .update_expression("REMOVE #doc.counted")
        .expression_attribute_names("#doc", "doc")
        .send()
        .await
        .expect("the document made old");
    for (term, field) in [(&ta, "f0"), (&tb, "f1")] {
        dynamodb
            .update_item()
            .table_name("SearchTable")
            .key("pk", AttributeValue::S(format!("F#{term}")))
            .key("sk", AttributeValue::S("F".into()))
            .update_expression(format!("ADD c :less, {field} :less"))
            .expression_attribute_values(":less", AttributeValue::N("-1".into()))
            .send()
            .await
            .expect("the counters made old");
    }
    assert_eq!(counters(&ta).await, [1, 0, 0, 0, 0]);
    // Found all the same, weighed by `df` over whole documents.
    await_results(&api, &q(&format!("{a} {b}")), &[&id]).await;
    let report = reindex(&[&id], Bm25::default()).await;
    assert_eq!((report.applied, report.failed.len()), (1, 0), "{report:?}");
    assert_eq!(counters(&ta).await, [1, 1, 1, 0, 0]);
    assert_eq!(counters(&tb).await, [1, 1, 0, 1, 0]);
    assert_eq!(reindex(&[&id], Bm25::default()).await.up_to_date, 1);
}

#[tokio::test]
async fn postings_carry_their_goods_name_terms_and_a_rename_rewrites_them() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let (a, b, c) = (unique_word(), unique_word(), unique_word());
    let stem = |word: &str| Analyzer::new().terms(word, Mode::Query).remove(0);
    let (ta, tb, tc) = (stem(&a), stem(&b), stem(&c));
    let id = create(
        &api,
        &merchant,
        goods(&format!("{a} {b}"), &format!("{c} plain"), "Home", 100),
    )
    .await;
    let named = |terms: &[&String]| terms.iter().map(|t| t.to_string()).collect::<BTreeSet<_>>();
    // Every posting of the goods, its description's terms' too, carries the name's terms:
    // what the conjunctive probe of a query of several words filters on.
    for term in [&ta, &tb, &tc] {
        eventually(FRESH, "the postings written", || async {
            (posting_names(term, &id).await == named(&[&ta, &tb])).then_some(())
        })
        .await;
    }
    let (status, _) = api
        .call(
            Method::PATCH,
            &format!("/goods/{id}"),
            Some(&merchant.token),
            Some(json!({"name": format!("{a} {c}")})),
        )
        .await;
    assert_eq!(status, 200);
    eventually(FRESH, "the rename reaches the postings", || async {
        (posting_names(&ta, &id).await == named(&[&ta, &tc])).then_some(())
    })
    .await;
    assert_eq!(
        posting_names(&tb, &id).await,
        BTreeSet::new(),
        "b's posting is gone"
    );
    await_results(&api, &q(&format!("{c} {a}")), &[&id]).await;
}

#[tokio::test]
async fn filters_and_pages_cover_every_match_once() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let w = unique_word();
    let mut all = Vec::new();
    for i in 0..7i64 {
        let category = if i % 2 == 0 { "Kitchen" } else { "Garden" };
        // More mentions of the word rank higher.
        let name = format!(
            "{} item {i}",
            vec![w.as_str(); 1 + (i as usize % 3)].join(" ")
        );
        all.push(
            create(
                &api,
                &merchant,
                goods(&name, "plain", category, 100 * (i + 1)),
            )
            .await,
        );
    }
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    await_results(&api, &q(&w), &refs).await;

    let kitchen: Vec<&str> = refs.iter().step_by(2).copied().collect();
    await_results(&api, &format!("{}&category=kitchen", q(&w)), &kitchen).await;
    await_results(
        &api,
        &format!("{}&min_price=200&max_price=400", q(&w)),
        &refs[1..4],
    )
    .await;
    await_results(
        &api,
        &format!("{}&category=Garden&min_price=400", q(&w)),
        &[refs[3], refs[5]],
    )
    .await;

    let mut seen = Vec::new();
    let mut scores = Vec::new();
    let mut cursor: Option<String> = None;
    let paging = WHOLE_TABLE_REINDEX.read().await;
    for _ in 0..10 {
        let mut query = format!("{}&limit=3", q(&w));
        if let Some(c) = &cursor {
            query.push_str(&format!("&cursor={c}"));
        }
        let page = search(&api, &query).await;
        assert!(page["items"].as_array().unwrap().len() <= 3);
        seen.extend(ids(&page));
        scores.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["score"].as_f64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    drop(paging);
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 7);
    assert!(
        scores.windows(2).all(|p| p[0] >= p[1]),
        "best first across pages: {scores:?}"
    );

    let first = search(&api, &format!("{}&limit=3", q(&w))).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (status, body) = api
        .call(
            Method::GET,
            &format!("/search?q=other&cursor={cursor}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_cursor"))
    );
}

#[tokio::test]
async fn bad_queries_get_a_clear_4xx_and_punctuation_finds_nothing() {
    let api = Api::new();
    let long = "a".repeat(1000);
    for (query, status, code) in [
        ("", 400, "invalid_query"),
        ("q=", 400, "invalid_query"),
        ("q=%20%20%20", 400, "invalid_query"),
        (&format!("q={long}") as &str, 400, "invalid_query"),
        ("q=lamp&limit=0", 422, "validation_failed"),
        ("q=lamp&min_price=9&max_price=1", 422, "validation_failed"),
        ("q=lamp&max_price=-1", 422, "validation_failed"),
        ("q=lamp&cursor=garbage", 400, "invalid_cursor"),
        ("q=lamp&sort=cheapest", 422, "validation_failed"),
    ] {
        let (got, body) = api
            .call(Method::GET, &format!("/search?{query}"), None, None)
            .await;
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{query}: {body}"
        );
    }
    let page = search(&api, &q("!!! ??? ... ，。")).await;
    assert_eq!(
        page,
        json!({"items": [], "facets": {"category": []}, "next_cursor": null})
    );
    let page = search(&api, &q(&"lamp ".repeat(39))).await;
    assert!(page["items"].is_array());
}

#[tokio::test]
async fn goods_written_straight_to_the_table_are_indexed_from_its_stream() {
    let api = Api::new();
    let w = unique_word();
    // No API call and no event: only the goods table's stream can tell search.
    let id = shop::ids::new_id();
    let fields = shop::catalogue::GoodsInput {
        name: Some(format!("{w} teapot")),
        description: Some("cast iron".into()),
        price: Some(2500),
        category: Some("Kitchen".into()),
        stock: Some(3),
        ..Default::default()
    }
    .validate(&[])
    .unwrap();
    let record = shop::catalogue::repo::GoodsRecord::new(
        id.clone(),
        shop::ids::new_id(),
        fields,
        "2026-11-25T12:00:00Z",
    );
    goods_repo().create(&record).await.unwrap();
    await_results(&api, &q(&w), &[&id]).await;
}

/// The impact `term`'s postings of `goods_id` were written with.
async fn stored_impact(goods_id: &str, term: &str) -> u64 {
    let item = shop::aws::Aws::from_env()
        .expect("AWS configuration")
        .dynamodb()
        .get_item()
        .table_name("SearchTable")
        .key("pk", AttributeValue::S(format!("D#{goods_id}")))
        .key("sk", AttributeValue::S("D".into()))
        .consistent_read(true)
        .send()
        .await
        .expect("the document")
        .item
        .expect("an indexed goods item has a document");
    let doc: shop::search::index::Doc =
        serde_dynamo::from_attribute_value(item["doc"].clone()).expect("a document");
    doc.terms[term]
}

/// The name terms the posting of `goods_id` in `term`'s list carries (empty when it has
/// none, or there is no such posting).
async fn posting_names(term: &str, goods_id: &str) -> BTreeSet<String> {
    let out = shop::aws::Aws::from_env()
        .expect("AWS configuration")
        .dynamodb()
        .query()
        .table_name("SearchTable")
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(format!("T#{term}")))
        .consistent_read(true)
        .send()
        .await
        .expect("the postings");
    out.items()
        .iter()
        .filter(|item| {
            item.get("sk")
                .and_then(|sk| sk.as_s().ok())
                .is_some_and(|sk| sk.ends_with(&format!("#{goods_id}")))
        })
        .filter_map(|item| item.get("n")?.as_ss().ok())
        .flatten()
        .cloned()
        .collect()
}

/// A term's counters: `df`, `c` (documents counted per field), `f0..f2` (in the name,
/// description, category).
async fn counters(term: &str) -> [i64; 5] {
    let out = shop::aws::Aws::from_env()
        .expect("AWS configuration")
        .dynamodb()
        .get_item()
        .table_name("SearchTable")
        .key("pk", AttributeValue::S(format!("F#{term}")))
        .key("sk", AttributeValue::S("F".into()))
        .consistent_read(true)
        .send()
        .await
        .expect("the counters");
    let item = out.item.unwrap_or_default();
    ["df", "c", "f0", "f1", "f2"].map(|name| shop::store::number_attr(&item, name))
}

/// The stack's goods table, for writes that must bypass the API (and its events).
fn goods_repo() -> GoodsRepo {
    GoodsRepo::new(
        shop::aws::Aws::from_env()
            .expect("AWS configuration")
            .dynamodb(),
        "GoodsTable",
    )
}

/// All pages of `query` (`limit=2`), following the cursors.
async fn every_page(api: &Api, query: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let _paging = WHOLE_TABLE_REINDEX.read().await;
    for _ in 0..20 {
        let mut page_query = format!("{query}&limit=2");
        if let Some(c) = &cursor {
            page_query.push_str(&format!("&cursor={c}"));
        }
        let page = search(api, &page_query).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return seen,
        }
    }
    panic!("{query}: more than 20 pages");
}

#[tokio::test]
async fn typos_find_the_word_and_exact_matches_rank_first() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let w = unique_word();
    let cat = unique_word();
    // The contract's example, in a category of its own so other tests' goods stay out.
    let speaker = create(
        &api,
        &merchant,
        goods("Wireless Bluetooth Speaker", "loud", &cat, 4000),
    )
    .await;
    let tuba = create(&api, &merchant, goods("Brass tuba", "bright", &cat, 1500)).await;
    await_results(&api, &format!("q=bluetooth&category={cat}"), &[&speaker]).await;
    let typo = search(&api, &format!("q=bluetoth&category={cat}")).await;
    assert_eq!(ids(&typo), [speaker.as_str()], "{typo}");
    let page = search(&api, &format!("q=wireles%20speakr&category={cat}")).await;
    assert_eq!(
        ids(&page),
        [speaker.as_str()],
        "one edit in each word: {page}"
    );
    // Four letters: typed as is, nothing corrected (once the goods are indexed).
    await_results(&api, &format!("q=tuba&category={cat}"), &[&tuba]).await;
    let page = search(&api, &format!("q=tubo&category={cat}")).await;
    assert!(ids(&page).is_empty(), "{page}");

    // A word and its neighbour one letter shorter: each query finds both, the goods
    // with the word typed first.
    let short: String = w
        .chars()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, c)| c)
        .collect();
    let long_one = create(
        &api,
        &merchant,
        goods(&format!("{w} mug"), "plain", "Kitchen", 900),
    )
    .await;
    let short_one = create(
        &api,
        &merchant,
        goods(&format!("{short} mug"), "plain", "Kitchen", 900),
    )
    .await;
    await_results(&api, &q(&w), &[&long_one, &short_one]).await;
    let page = search(&api, &q(&w)).await;
    assert_eq!(
        ids(&page),
        [long_one.as_str(), short_one.as_str()],
        "{page}"
    );
    let page = search(&api, &q(&short)).await;
    assert_eq!(
        ids(&page),
        [short_one.as_str(), long_one.as_str()],
        "{page}"
    );
    // Two edits in a word of 9 or more letters (here two pairs of neighbours swapped).
    let ten: String = unique_word().chars().take(10).collect();
    let vase = create(
        &api,
        &merchant,
        goods(&format!("{ten} vase"), "glass", "Home", 900),
    )
    .await;
    await_results(&api, &q(&ten), &[&vase]).await;
    let mut swapped: Vec<char> = ten.chars().collect();
    swapped.swap(1, 2);
    swapped.swap(6, 7);
    let swapped: String = swapped.into_iter().collect();
    let page = search(&api, &q(&swapped)).await;
    assert_eq!(ids(&page), [vase.as_str()], "{swapped}: {page}");
}

#[tokio::test]
async fn facets_count_the_matching_goods_and_each_sort_pages_with_cursors() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let w = unique_word();
    let mut created: Vec<(String, i64)> = Vec::new();
    for (i, (category, price)) in [
        ("Kitchen", 900),
        ("Garden", 300),
        ("Kitchen", 1200),
        ("Toys", 500),
        ("Kitchen", 100),
        ("Garden", 700),
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("{w} thing {i}");
        created.push((
            create(&api, &merchant, goods(&name, "plain", category, price)).await,
            price,
        ));
    }
    let all: Vec<&str> = created.iter().map(|(id, _)| id.as_str()).collect();
    let page = await_results(&api, &q(&w), &all).await;
    assert_eq!(
        page["facets"]["category"],
        json!([
            {"value": "Kitchen", "count": 3},
            {"value": "Garden", "count": 2},
            {"value": "Toys", "count": 1}
        ])
    );
    let page = search(&api, &format!("{}&category=garden", q(&w))).await;
    assert_eq!(
        page["facets"]["category"],
        json!([{"value": "Garden", "count": 2}])
    );

    let mut by_price = created.clone();
    by_price.sort_by_key(|(_, price)| *price);
    let cheapest: Vec<String> = by_price.iter().map(|(id, _)| id.clone()).collect();
    let dearest: Vec<String> = cheapest.iter().rev().cloned().collect();
    let newest: Vec<String> = created.iter().rev().map(|(id, _)| id.clone()).collect();
    for (sort, expected) in [
        ("price_asc", &cheapest),
        ("price_desc", &dearest),
        ("newest", &newest),
    ] {
        let first = search(&api, &format!("{}&sort={sort}", q(&w))).await;
        assert_eq!(&ids(&first), expected, "{sort}: {first}");
        assert_eq!(
            &every_page(&api, &format!("{}&sort={sort}", q(&w))).await,
            expected,
            "{sort}, two at a time"
        );
    }
    let relevance = every_page(&api, &format!("{}&sort=relevance", q(&w))).await;
    assert_eq!(
        relevance.iter().collect::<BTreeSet<_>>(),
        all.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .iter()
            .collect()
    );
    // A sort keeps to the goods matching every word when some do.
    let page = search(&api, &format!("{}&sort=price_asc", q(&format!("{w} 4")))).await;
    assert_eq!(ids(&page), [created[4].0.as_str()], "{page}");
}

async fn suggest(api: &Api, query: &str) -> Vec<String> {
    let (status, body) = api
        .call(Method::GET, &format!("/search/suggest?{query}"), None, None)
        .await;
    assert_eq!(status, 200, "{query}: {body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn suggestions_complete_the_word_being_typed_most_common_first() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let w = unique_word();
    let mut ids = Vec::new();
    for name in [
        format!("{w}tooth Speaker"),
        format!("Red {w}tooth speaker"),
        format!("{w}tooth Headphones"),
        "Bluetooth Speaker, 20 W".to_owned(),
        "无线蓝牙耳机".to_owned(),
    ] {
        ids.push(create(&api, &merchant, goods(&name, "plain", "Electronics", 1000)).await);
    }
    let partial = &w[..6];
    let wanted = vec![format!("{w}tooth speaker"), format!("{w}tooth headphones")];
    eventually(FRESH, "suggestions", || async {
        (suggest(&api, &format!("q={partial}")).await == wanted).then_some(())
    })
    .await;
    assert_eq!(
        suggest(&api, &format!("q=Wireless%20{partial}&limit=1")).await,
        [format!("wireless {w}tooth speaker")]
    );
    // The contract's examples (other goods may share these words: most common first).
    eventually(FRESH, "blu → bluetooth speaker", || async {
        let found = suggest(&api, "q=blu&limit=20").await;
        found
            .iter()
            .any(|s| s.starts_with("bluetooth speaker"))
            .then_some(())
    })
    .await;
    eventually(FRESH, "蓝牙 → 蓝牙…", || async {
        let found = suggest(&api, &format!("q={}&limit=20", urlencode("蓝牙"))).await;
        found
            .iter()
            .any(|s| s.starts_with("蓝牙") && s.chars().count() > 2)
            .then_some(())
    })
    .await;
    // Deleted goods leave the suggestions.
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/goods/{}", ids[2]),
            Some(&merchant.token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let wanted = vec![format!("{w}tooth speaker")];
    eventually(FRESH, "suggestions after a delete", || async {
        (suggest(&api, &format!("q={partial}")).await == wanted).then_some(())
    })
    .await;
    for (query, status) in [("q=", 400), ("q=blu&limit=21", 422), ("q=blu&limit=0", 422)] {
        let (got, body) = api
            .call(Method::GET, &format!("/search/suggest?{query}"), None, None)
            .await;
        assert_eq!(got, status, "{query}: {body}");
    }
    assert!(suggest(&api, "q=%3F%3F").await.is_empty());
}
