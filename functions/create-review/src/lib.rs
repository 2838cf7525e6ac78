//! `POST /goods/{goods_id}/reviews` `{rating, comment}`: a buyer reviews goods they paid
//! for.
//!
//! The purchase is checked against what the payment webhook recorded (one GetItem), not
//! trusted from the client; one review per buyer and goods is a conditional write, and
//! the goods' rating summary changes in the same transaction as the review.

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::error::ApiError;
use shop::http;
use shop::reviews::api::ReviewBody;
use shop::reviews::{ReviewDraft, Reviews};

/// What the function needs, built once per cold start.
pub type Context = Reviews;

/// Review goods you paid for (one review per buyer and goods).
pub async fn handler(reviews: &Reviews, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&reviews.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    let body: ReviewBody = http::json_body(&req)?;
    let draft = ReviewDraft::new(body.rating, body.comment)?;
    http::created(&reviews.create(&buyer, goods_id, draft).await?)
}
