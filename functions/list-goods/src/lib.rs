//! `GET /goods`: live goods, filtered by `category`, `merchant_id`, `min_price` and
//! `max_price` (inclusive, minor units), paginated with `limit` and `cursor`.
//!
//! Each filter is served by an index Query (see `shop::catalogue::repo`), never a Scan.
//! Newest first, or cheapest first when a price bound is given (without a merchant).

use lambda_http::{Body, Request, Response};
use shop::aws::Aws;
use shop::catalogue::api::GoodsPage;
use shop::catalogue::listing::ListFilter;
use shop::catalogue::repo::GoodsRepo;
use shop::config::ConfigError;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::ids::is_id;

/// What the function needs, built once per cold start.
pub struct Context {
    goods: GoodsRepo,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            goods: GoodsRepo::from_env(Aws::from_env()?.dynamodb())?,
        })
    }
}

struct Query {
    filter: ListFilter,
    limit: usize,
    cursor: Option<String>,
}

fn parse_query(req: &Request) -> Result<Query, ApiError> {
    let mut errors = FieldErrors::new();
    let (min_price, max_price) = http::price_params(req, &mut errors);
    let limit = http::limit_param(req, &mut errors, 20);
    let category = http::category_param(req, &mut errors);
    let merchant_id = http::query_param(req, "merchant_id");
    if merchant_id.as_ref().is_some_and(|m| !is_id(m)) {
        errors.add("merchant_id", "is not a merchant id");
    }
    errors.into_result()?;
    Ok(Query {
        filter: ListFilter {
            category,
            merchant_id,
            min_price,
            max_price,
        },
        limit,
        cursor: http::query_param(req, "cursor"),
    })
}

/// List goods: newest first, or cheapest first with a price bound.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let query = parse_query(&req)?;
    let page = ctx
        .goods
        .list(&query.filter, query.limit, query.cursor.as_deref())
        .await?;
    http::ok(&GoodsPage {
        items: page.items.iter().map(|g| g.public()).collect(),
        next_cursor: page.next_cursor,
    })
}

#[cfg(test)]
shop_testing::answers! {
    invalid_filters_are_all_named: "invalid-filters" => 422, {"error": {"fields": {
        "min_price": "must be an integer from 0 to 100000000000",
        "limit": "must be an integer from 1 to 100",
        "merchant_id": "is not a merchant id"
    }}};
}
