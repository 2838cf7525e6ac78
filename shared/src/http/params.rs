//! The request's parameters: path ids (a 404 for anything that is not an id we issue),
//! and the query string's filters and pages, each refused with a 422 naming it.

use lambda_http::{Request, RequestExt};

use crate::error::{ApiError, FieldErrors};

/// A path parameter of the route (`/goods/{goods_id}`).
///
/// # Errors
/// 404 when the gateway did not supply it (the route cannot match without it).
pub fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .map(str::to_owned)
        .ok_or(ApiError::NotFound)
}

/// An id path parameter (`{order_id}`): anything that is not an id we issue can't name
/// a resource, so it is a 404 without a lookup.
///
/// # Errors
/// 404 when it is missing or not an id.
pub fn id_param(req: &Request, name: &str) -> Result<String, ApiError> {
    Some(path_param(req, name)?)
        .filter(|id| crate::ids::is_id(id))
        .ok_or(ApiError::NotFound)
}

/// A query-string parameter, if present and not empty (`?category=` is no filter).
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|params| params.first(name))
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// `?limit=`: 1 to 100, `default` when absent; an error is recorded in `errors`.
pub fn limit_param(req: &Request, errors: &mut FieldErrors, default: usize) -> usize {
    match query_param(req, "limit") {
        None => default,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .unwrap_or_else(|| {
                errors.add("limit", "must be an integer from 1 to 100");
                default
            }),
    }
}

/// `?limit=&cursor=` of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageParams {
    /// 1 to 100, 20 when absent.
    pub limit: usize,
    /// Where the page starts: a cursor the listing issued (it checks it).
    pub cursor: Option<String>,
}

/// `?limit=` (1–100, default 20) and `?cursor=` of a listing.
///
/// # Errors
/// 422 naming `limit`.
pub fn page_params(req: &Request) -> Result<PageParams, ApiError> {
    let mut errors = FieldErrors::new();
    let limit = limit_param(req, &mut errors, 20);
    errors.into_result()?;
    Ok(PageParams {
        limit,
        cursor: query_param(req, "cursor"),
    })
}

/// `?min_price=&max_price=`: inclusive bounds in minor units; errors go to `errors`.
pub fn price_params(req: &Request, errors: &mut FieldErrors) -> (Option<i64>, Option<i64>) {
    let max_price = crate::money::MAX_PRICE;
    let mut price = |name: &str| {
        query_param(req, name).and_then(|raw| {
            let parsed = raw
                .parse::<i64>()
                .ok()
                .filter(|p| (0..=max_price).contains(p));
            if parsed.is_none() {
                errors.add(name, format!("must be an integer from 0 to {max_price}"));
            }
            parsed
        })
    };
    let (min, max) = (price("min_price"), price("max_price"));
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            errors.add("min_price", "must not exceed max_price");
        }
    }
    (min, max)
}

/// `?category=`: 1 to 50 characters; errors go to `errors`.
pub fn category_param(req: &Request, errors: &mut FieldErrors) -> Option<String> {
    let category = query_param(req, "category");
    if category
        .as_ref()
        .is_some_and(|c| c.trim().is_empty() || c.chars().count() > 50)
    {
        errors.add("category", "must be 1 to 50 characters");
    }
    category
}
