//! `POST /orders`: places an order for the given lines, or for the cart's lines, to a
//! `shipping_address` or to one of the caller's saved addresses (`address_id`, copied
//! into the order so that deleting it later changes nothing).
//!
//! Stock is reserved atomically (see `shop::orders::place`). With an `Idempotency-Key`
//! header, the same key from the same user within 24 hours answers the first response
//! and creates nothing new; a concurrent duplicate waits for the first to finish (or
//! gets 409 `idempotency_in_progress` after 3 s); the same key with another body is 422
//! `idempotency_key_reused`.

use shop::auth::Customer;
use shop::orders::api::PlaceBody;

use lambda_http::{Body, Request, Response};
use shop::accounts::addresses::AddressBook;
use shop::accounts::sessions::SessionsRepo;
use shop::aws::Aws;
use shop::cart::repo::CartsRepo;
use shop::catalogue::repo::GoodsRepo;
use shop::config::ConfigError;
use shop::error::ApiError;
use shop::http;
use shop::idempotency::{self, payload_hash, ClaimedKey, IdempotencyRepo};
use shop::orders::place::Placement;
use shop::orders::repo::OrdersRepo;

/// What the function needs, built once per cold start.
pub struct Context {
    sessions: SessionsRepo,
    goods: GoodsRepo,
    carts: CartsRepo,
    orders: OrdersRepo,
    idempotency: IdempotencyRepo,
    addresses: AddressBook,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb.clone())?,
            carts: CartsRepo::from_env(dynamodb.clone())?,
            orders: OrdersRepo::from_env(dynamodb.clone())?,
            idempotency: IdempotencyRepo::from_env(dynamodb.clone())?,
            addresses: AddressBook::from_env(dynamodb)?,
        })
    }

    fn placement(&self) -> Placement<'_> {
        Placement {
            goods: &self.goods,
            carts: &self.carts,
            orders: &self.orders,
            idempotency: &self.idempotency,
        }
    }
}

/// Place an order: the given lines, or the cart's (stock reserved atomically; Idempotency-Key honoured).
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let buyer = Customer::from_request(&ctx.sessions, &req).await?;
    let key = idempotency::key_header(&req, &buyer.user_id)?;
    let raw: serde_json::Value = http::json_body(&req)?;
    let hash = payload_hash(&raw);
    let body = http::from_value::<PlaceBody>(raw)?;
    let saved = match &body.address_id {
        Some(id) => ctx
            .addresses
            .get(&buyer.user_id, id)
            .await?
            .map(|saved| saved.address),
        None => None,
    };
    let order = body.into_order(saved)?;
    let place = |claim: Option<ClaimedKey>| async move {
        let placed = ctx
            .placement()
            .place(&buyer.user_id, &order, claim.as_ref())
            .await?;
        tracing::info!(order_id = %placed.order_id, total = placed.total, "order placed");
        http::created(&placed)
    };
    ctx.idempotency.once(key.as_deref(), &hash, place).await
}
