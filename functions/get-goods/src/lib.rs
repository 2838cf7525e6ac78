//! `GET /goods/{goods_id}`: one goods item, for anyone.
//!
//! A signed-in caller's view is published as a `view` event (the browsing history
//! recommendations learn from); a failure to publish is logged and never fails the
//! read. The goods read and the session check run concurrently.

use lambda_http::{Body, Request, Response};
use shop::accounts::sessions::SessionsRepo;
use shop::auth;
use shop::aws::Aws;
use shop::catalogue::repo::GoodsRepo;
use shop::config::ConfigError;
use shop::error::ApiError;
use shop::events::{Envelope, Event, Publisher, Viewed};
use shop::http;

/// What the function needs, built once per cold start.
pub struct Context {
    sessions: SessionsRepo,
    goods: GoodsRepo,
    events: Publisher,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        let dynamodb = aws.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
            events: Publisher::from_env(aws.sqs(), "EVENTS_QUEUE_URL")?,
        })
    }
}

/// One goods item; a signed-in caller's view is recorded.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let goods_id = http::id_param(&req, "goods_id")?;
    let (goods, caller) = tokio::join!(
        ctx.goods.get(&goods_id),
        auth::optional_user(&ctx.sessions, &req)
    );
    let goods = goods?.ok_or(ApiError::NotFound)?;
    if let Some(caller) = caller? {
        let view = Envelope::new(
            Event::View(Viewed {}),
            Some(&caller.user_id),
            Some(&goods_id),
        );
        ctx.events.publish_or_log(&view).await;
    }
    http::ok(&goods.public())
}

shop::refuses_malformed_ids!("get-goods");
