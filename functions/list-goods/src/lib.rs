//! `GET /goods`: live goods, filtered by `category`, `merchant_id`, `min_price` and
//! `max_price` (inclusive, minor units), paginated with `limit` and `cursor`.
//!
//! Each filter is served by an index Query (see `shop::repo::goods`), never a Scan.
//! Newest first, or cheapest first when a price bound is given (without a merchant).

use lambda_http::{Body, Request, Response};
use serde::Serialize;
use shop::aws::Aws;
use shop::config::ConfigError;
use shop::domain::money::MAX_PRICE;
use shop::domain::{is_id, Goods};
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::repo::goods::{GoodsRepo, ListFilter};

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

/// A page of goods.
#[derive(Serialize, utoipa::ToSchema)]
struct GoodsPage {
    items: Vec<Goods>,
    next_cursor: Option<String>,
}

struct Query {
    filter: ListFilter,
    limit: usize,
    cursor: Option<String>,
}

fn parse_query(req: &Request) -> Result<Query, ApiError> {
    let mut errors = FieldErrors::new();
    let price = |errors: &mut FieldErrors, name: &str| {
        http::query_param(req, name).and_then(|raw| {
            let parsed = raw
                .parse::<i64>()
                .ok()
                .filter(|p| (0..=MAX_PRICE).contains(p));
            if parsed.is_none() {
                errors.add(name, format!("must be an integer from 0 to {MAX_PRICE}"));
            }
            parsed
        })
    };
    let min_price = price(&mut errors, "min_price");
    let max_price = price(&mut errors, "max_price");
    if let (Some(min), Some(max)) = (min_price, max_price) {
        if min > max {
            errors.add("min_price", "must not exceed max_price");
        }
    }
    let limit = match http::query_param(req, "limit") {
        None => 20,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .unwrap_or_else(|| {
                errors.add("limit", "must be an integer from 1 to 100");
                20
            }),
    };
    let category = http::query_param(req, "category");
    if category
        .as_ref()
        .is_some_and(|c| c.trim().is_empty() || c.chars().count() > 50)
    {
        errors.add("category", "must be 1 to 50 characters");
    }
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

#[utoipa::path(
    get,
    operation_id = "list_goods",
    path = "/goods",
    tag = "goods",
    summary = "List goods: newest first, or cheapest first with a price bound",
    params(("category" = Option<String>, Query), ("merchant_id" = Option<String>, Query, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$"), ("min_price" = Option<i64>, Query, minimum = 0), ("max_price" = Option<i64>, Query, minimum = 0), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of goods", body = GoodsPage),
        (status = 400, description = "invalid_cursor", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed, with fields", body = shop::error::ErrorBody),
        (
            status = 500,
            description = "internal_error: an unexpected failure; nothing about it is revealed",
            body = shop::error::ErrorBody
        )
    )
)]
/// Handles one request.
///
/// # Errors
/// 422 for invalid filters, 400 `invalid_cursor`; 500 when DynamoDB fails.
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
mod tests {
    use super::*;
    use shop::testing::{event, offline_env, status_and_body};

    #[tokio::test]
    async fn invalid_filters_are_all_named() {
        offline_env();
        let ctx = Context::from_env().unwrap();
        let req = event(include_str!(
            "../../../events/list-goods/invalid-filters.json"
        ));
        let (status, body) = status_and_body(
            handler(&ctx, req)
                .await
                .unwrap_or_else(ApiError::into_response),
        );
        assert_eq!(status, 422);
        let fields = body["error"]["fields"].as_object().unwrap();
        for name in ["min_price", "limit", "merchant_id"] {
            assert!(fields.contains_key(name), "{name} in {body}");
        }
    }
}
