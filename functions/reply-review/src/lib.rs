//! `POST /reviews/{review_id}/reply` `{reply}`: the merchant who sells the goods answers
//! a review; replying again replaces the reply and its time.

use lambda_http::{Body, Request, Response};
use shop::auth::Merchant;
use shop::error::ApiError;
use shop::http;
use shop::reviews::api::ReplyBody;
use shop::reviews::Reviews;

/// What the function needs, built once per cold start.
pub type Context = Reviews;

/// The goods' merchant replies (again replaces).
pub async fn handler(reviews: &Reviews, req: Request) -> Result<Response<Body>, ApiError> {
    let merchant = Merchant::from_request(&reviews.sessions, &req).await?;
    let review_id = http::id_param(&req, "review_id")?;
    let body: ReplyBody = http::json_body(&req)?;
    http::ok(&reviews.reply(&merchant, &review_id, body.reply).await?)
}
