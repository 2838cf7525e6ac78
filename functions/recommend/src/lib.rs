//! `GET /recommendations?strategy=history|cart|behavior|auto&limit=`: goods for the
//! signed-in caller, from the item-to-item similarity the `learn-similarity` consumer keeps
//! (see `shop::recs`).
//!
//! The caller's seeds (browsed goods for `history`, the cart for `cart`, bought and browsed
//! goods for `behavior`, all three for `auto`), weighted by kind and halved every week of
//! age, merge their neighbour lists. Goods the caller already bought (checked against the
//! payments table, the authority, not the event stream), the seeds themselves and deleted
//! goods never appear; when the seeds don't fill the page, the goods most bought recently
//! do. Each item's `reason` names the caller's goods that led to it.
//!
//! The rules live in `shop::recs::service`; DynamoDB requests: the session, then those
//! the service lists.

use lambda_http::{Body, Request, Response};
use shop::auth::User;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::recs::model::Strategy;
use shop::recs::Recommender;

/// What the function needs, built once per cold start.
pub type Context = Recommender;

fn strategy(req: &Request, errors: &mut FieldErrors) -> Strategy {
    match http::query_param(req, "strategy").as_deref() {
        None | Some("auto") => Strategy::Auto,
        Some("history") => Strategy::History,
        Some("cart") => Strategy::Cart,
        Some("behavior") => Strategy::Behavior,
        Some(_) => {
            errors.add("strategy", "must be history, cart, behavior or auto");
            Strategy::Auto
        }
    }
}

/// Goods for the caller, from what they browsed, carted and bought.
pub async fn handler(recommender: &Recommender, req: Request) -> Result<Response<Body>, ApiError> {
    let mut errors = FieldErrors::new();
    let strategy = strategy(&req, &mut errors);
    let limit = http::limit_param(&req, &mut errors, 20);
    errors.into_result()?;
    let caller = User::from_request(&recommender.sessions, &req).await?;
    http::ok(&recommender.recommend(&caller, strategy, limit).await?)
}

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
