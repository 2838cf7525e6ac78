//! `GET /search`: goods ranked by relevance to `q` (BM25F over name, category and
//! description, typo-tolerant; see `shop::search`), with the listing's filters
//! (`category`, `min_price`, `max_price`), a `sort`, the matching goods' category facets
//! and cursor pagination.
//!
//! A query costs the same few DynamoDB requests whatever the size of the catalogue: the
//! counters (and the typo dictionary's entries for its long words, then the corrections'
//! counters), one page of each list's postings (best first), the candidates' documents,
//! and one BatchGetItem for the goods themselves, so each result carries current price,
//! stock and rating. Results page to a depth of 200.

use lambda_http::{Body, Request, Response};
use sha2::{Digest, Sha256};
use shop::aws::Aws;
use shop::catalogue::repo::GoodsRepo;
use shop::config::ConfigError;
use shop::cursor::{self, InvalidCursor};
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::search::analysis::Analyzer;
use shop::search::api::{FacetValue, Facets, SearchHit, SearchPage};
use shop::search::index::SearchTable;
use shop::search::query::{Scoring, SearchQuery, Sort};
use shop::search::{Bm25, IMPACT_SCALE};

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// What the function needs, built once per cold start.
pub struct Context {
    index: SearchTable,
    goods: GoodsRepo,
    analyzer: Analyzer,
    max_impact: u64,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing or invalid variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        let bm25 = Bm25::from_env()?;
        Ok(Self {
            index: SearchTable::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
            analyzer: Analyzer::new(),
            max_impact: (bm25.max_impact() * IMPACT_SCALE).ceil() as u64,
        })
    }
}

fn invalid_query(message: &str) -> ApiError {
    ApiError::BadRequest {
        code: "invalid_query",
        message: message.to_owned(),
    }
}

/// Where the next page of one search starts: the offset, for the query whose
/// fingerprint it carries (a cursor of another search is refused), and the corpus
/// statistics its first page was scored with, so that other goods written meanwhile
/// don't reorder the pages (a cursor without them scores with those of now).
#[derive(serde::Serialize, serde::Deserialize)]
struct Position {
    offset: usize,
    of: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scoring: Option<Scoring>,
}

/// What identifies a search across its pages.
fn fingerprint(q: &str, query: &SearchQuery) -> String {
    let key = format!(
        "{q}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
        query.category, query.min_price, query.max_price, query.sort
    );
    hex::encode(&Sha256::digest(key.as_bytes())[..6])
}

fn parse(ctx: &Context, req: &Request) -> Result<(SearchQuery, String), ApiError> {
    let q = http::query_param(req, "q").unwrap_or_default();
    let q = q.trim();
    if q.is_empty() {
        return Err(invalid_query("q is required: the words to search for."));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(invalid_query("q is longer than 200 characters."));
    }
    let mut errors = FieldErrors::new();
    let (min_price, max_price) = http::price_params(req, &mut errors);
    let limit = http::limit_param(req, &mut errors, 20);
    let category = http::category_param(req, &mut errors);
    let sort = match http::query_param(req, "sort") {
        None => Sort::Relevance,
        Some(name) => Sort::parse(&name).unwrap_or_else(|| {
            errors.add("sort", "must be relevance, price_asc, price_desc or newest");
            Sort::Relevance
        }),
    };
    errors.into_result()?;
    let mut query = SearchQuery {
        category,
        min_price,
        max_price,
        sort,
        ..SearchQuery::text(&ctx.analyzer, q, limit)
    };
    let print = fingerprint(q, &query);
    if let Some(cursor) = http::query_param(req, "cursor") {
        let position: Position = cursor::decode(&cursor)?;
        if position.of != print {
            return Err(InvalidCursor.into());
        }
        query.offset = position.offset;
        query.scoring = position.scoring;
    }
    Ok((query, print))
}

/// Goods ranked by relevance to q (or sorted), Chinese or English, with the listing's
/// filters and the matching goods' categories.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let (query, print) = parse(ctx, &req)?;
    let found = ctx.index.search(&query, ctx.max_impact).await?;
    let ids: Vec<String> = found.hits.iter().map(|h| h.goods_id.clone()).collect();
    let mut goods = ctx.goods.public_by_id(&ids).await?;
    let items: Vec<SearchHit> = found
        .hits
        .iter()
        .filter_map(|hit| {
            goods.remove(&hit.goods_id).map(|goods| SearchHit {
                goods,
                score: (hit.score * 1e4).round() / 1e4,
            })
        })
        .collect();
    let next_cursor = found.more.then(|| {
        cursor::encode(&Position {
            offset: query.offset + query.limit,
            of: print,
            scoring: Some(found.scoring),
        })
    });
    let facets = Facets {
        category: found
            .facets
            .into_iter()
            .map(|f| FacetValue {
                value: f.value,
                count: f.count,
            })
            .collect(),
    };
    tracing::info!(
        terms = query.terms.len(),
        corrections = found.corrections,
        results = items.len(),
        // The goods' BatchGetItem is made only when there are hits.
        dynamodb_requests = found.requests + usize::from(!ids.is_empty()),
        items_read = found.items_read,
        "searched"
    );
    http::ok(&SearchPage {
        items,
        facets,
        next_cursor,
    })
}

#[cfg(test)]
shop_testing::answers! {
    a_blank_query_is_refused_before_any_read: "empty-query" => 400, {"error": {"code": "invalid_query"}};
}
