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
use std::collections::BTreeSet;

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::addresses::AddressBook;
use shop::accounts::sessions::SessionsRepo;
use shop::aws::Aws;
use shop::cart::repo::CartsRepo;
use shop::catalogue::repo::GoodsRepo;
use shop::config::ConfigError;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::idempotency::{self, payload_hash, ClaimedKey, IdempotencyRepo};
use shop::ids::is_id;
use shop::orders::order::{PaymentMethod, Quantity, MAX_LINES};
use shop::orders::place::{Lines, NewOrder, Placement};
use shop::orders::repo::OrdersRepo;
use shop::orders::ShippingAddress;

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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LineBody {
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")]
    goods_id: String,
    #[schema(minimum = 1, maximum = 99)]
    quantity: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PlaceBody {
    /// The lines to order; without them, the cart's lines are ordered (and leave it).
    #[serde(default)]
    #[schema(min_items = 1, max_items = 40)]
    items: Option<Vec<LineBody>>,
    /// Order only this merchant's cart lines (needed when the cart holds several shops' goods).
    #[serde(default)]
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")]
    merchant_id: Option<String>,
    /// Where to deliver; or give `address_id` instead.
    #[serde(default)]
    shipping_address: Option<ShippingAddress>,
    /// One of the caller's saved addresses (`GET /me/addresses`), instead of `shipping_address`.
    #[serde(default)]
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")]
    address_id: Option<String>,
    payment_method: PaymentMethod,
}

impl PlaceBody {
    /// The order, shipped to the body's address or to `saved` (the caller's saved address
    /// named by `address_id`, when it is one).
    fn into_order(self, saved: Option<ShippingAddress>) -> Result<NewOrder, ApiError> {
        let mut errors = FieldErrors::new();
        let shipping_address = match (self.shipping_address, &self.address_id) {
            (Some(address), None) => {
                address.check(&mut errors);
                Some(address)
            }
            (None, Some(_)) if saved.is_none() => {
                errors.add("address_id", "is not one of your saved addresses");
                None
            }
            (None, Some(_)) => saved,
            (Some(_), Some(_)) => {
                errors.add(
                    "address_id",
                    "give shipping_address or address_id, not both",
                );
                None
            }
            (None, None) => {
                errors.add("shipping_address", "is required (or give address_id)");
                None
            }
        };
        let lines = match self.items {
            Some(items) => {
                if items.is_empty() || items.len() > MAX_LINES {
                    errors.add("items", format!("must hold 1 to {MAX_LINES} lines"));
                }
                let mut seen = BTreeSet::new();
                let mut lines = Vec::new();
                for (i, line) in items.into_iter().enumerate() {
                    if !is_id(&line.goods_id) {
                        errors.add(format!("items[{i}].goods_id"), "is not a goods id");
                    } else if !seen.insert(line.goods_id.clone()) {
                        errors.add(
                            format!("items[{i}].goods_id"),
                            "appears twice; give one line per goods",
                        );
                    }
                    if let Some(q) = errors.check(
                        &format!("items[{i}].quantity"),
                        Quantity::new(line.quantity),
                    ) {
                        lines.push((line.goods_id, q));
                    }
                }
                Lines::Explicit(lines)
            }
            None => {
                if self.merchant_id.as_ref().is_some_and(|m| !is_id(m)) {
                    errors.add("merchant_id", "is not a merchant id");
                }
                Lines::FromCart {
                    merchant_id: self.merchant_id,
                }
            }
        };
        errors.into_result()?;
        Ok(NewOrder {
            lines,
            shipping_address: shipping_address
                .ok_or_else(|| ApiError::internal("checked above"))?,
            payment_method: self.payment_method,
        })
    }
}

#[utoipa::path(
    post,
    operation_id = "place_order",
    path = "/orders",
    tag = "cart and orders",
    summary = "Place an order: the given lines, or the cart's (stock reserved atomically; Idempotency-Key honoured)",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "same key, same user, within 24 h: the first answer again")),
    request_body = PlaceBody,
    responses(
        (status = 201, description = "the order, pending payment", body = shop::orders::Order),
        shop::error::answers::Unauthenticated,
        shop::error::answers::CustomersOnly,
        (status = 409, description = "out_of_stock (naming goods_ids) or idempotency_in_progress", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed, empty_cart, mixed_merchants, mixed_currency, too_many_items or idempotency_key_reused", body = shop::error::ErrorBody),
        shop::error::answers::JsonBody,
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Place an order: the given lines, or the cart's (stock reserved atomically; Idempotency-Key honoured).
///
/// # Errors
/// 401, 403 (merchants), 409 `out_of_stock` / `idempotency_in_progress`, 422 per the
/// contract; 500 when DynamoDB fails.
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
