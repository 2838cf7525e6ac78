//! Placing an order: stock reserved for every line in one DynamoDB transaction, or for
//! none.
//!
//! Prices come from the goods, never from the client. Each line's goods are updated
//! with `stock = stock - q` on the condition that `stock >= q`, the goods are on sale,
//! and price and currency are still those the order was priced at; the order, the
//! removal of the ordered cart lines and the completion of the idempotency record are
//! in the same transaction. So an order is never oversold, never partly reserved, and
//! never placed twice for one key. A price that changed between the read and the
//! transaction makes the order re-read and retry; stock that can't meet a line is a
//! 409 `out_of_stock` naming the goods.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::address::ShippingAddress;
use super::order::{Order, OrderLine, StatusChange};
use super::order::{OrderStatus, PaymentMethod, Quantity, MAX_LINES, PAYMENT_WINDOW_SECS};
use super::repo::OrdersRepo;
use lambda_http::{Body, Response};

use super::api::PlaceBody;
use crate::accounts::address_book::AddressBook;
use crate::accounts::sessions::SessionsRepo;
use crate::auth::Customer;
use crate::aws::Aws;
use crate::cart::repo::CartsRepo;
use crate::catalogue::repo::{GoodsRecord, GoodsRepo};
use crate::clock;
use crate::config::ConfigError;
use crate::error::ApiError;
use crate::http;
use crate::idempotency::{payload_hash, ClaimedKey, IdempotencyRepo};
use crate::ids::new_id;
use crate::store::{cancellation, Cancellation, StoreError};

/// Attempts when prices change under the order or transactions collide.
const ATTEMPTS: u32 = 4;

/// Which lines to order.
#[derive(Debug, Clone)]
pub enum Lines {
    /// These goods and quantities; the cart is left alone.
    Explicit(Vec<(String, Quantity)>),
    /// The cart's lines (of this merchant, when given); they leave the cart.
    FromCart {
        /// Order only this merchant's lines.
        merchant_id: Option<String>,
    },
}

/// A validated order request.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// What to order.
    pub lines: Lines,
    /// Where to deliver.
    pub shipping_address: ShippingAddress,
    /// How the buyer will pay.
    pub payment_method: PaymentMethod,
}

/// What placing an order needs, built once per cold start: the caller's session, the
/// saved addresses, and the tables the order's transaction touches.
pub struct Placement {
    /// Sessions, for the buyer.
    pub sessions: SessionsRepo,
    /// Saved addresses, for `address_id`.
    addresses: AddressBook,
    /// Goods (stock).
    goods: GoodsRepo,
    /// Carts: the ordered lines leave them in the same transaction.
    carts: CartsRepo,
    /// Orders: the new order is put on condition that its id is new.
    orders: OrdersRepo,
    /// Idempotency records: the claim is completed in the same transaction.
    idempotency: IdempotencyRepo,
}

fn unprocessable(code: &'static str, message: &str) -> ApiError {
    ApiError::Unprocessable {
        code,
        message: message.to_owned(),
    }
}

impl Placement {
    /// Reads the tables' names and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            addresses: AddressBook::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb.clone())?,
            carts: CartsRepo::from_env(dynamodb.clone())?,
            orders: OrdersRepo::from_env(dynamodb.clone())?,
            idempotency: IdempotencyRepo::from_env(dynamodb)?,
        })
    }

    /// `POST /orders` for `buyer` with the JSON body `raw`: the order placed once per
    /// `Idempotency-Key` (`key`, scoped to the buyer), its answer replayed for the same
    /// key and body ([`IdempotencyRepo::once`]).
    ///
    /// # Errors
    /// 422 for a body that is not an order (every field named) or a reused key; 409
    /// `out_of_stock` or `idempotency_in_progress`; 500 when DynamoDB fails.
    pub async fn answer(
        &self,
        buyer: &Customer,
        key: Option<&str>,
        raw: serde_json::Value,
    ) -> Result<Response<Body>, ApiError> {
        let hash = payload_hash(&raw);
        let body = http::from_value::<PlaceBody>(raw)?;
        let saved = match &body.address_id {
            Some(id) => self.addresses.get(&buyer.user_id, id).await?,
            None => None,
        };
        let order = body.into_order(saved.map(|saved| saved.address))?;
        let place = |claim: Option<ClaimedKey>| async move {
            let placed = self.place(&buyer.user_id, &order, claim.as_ref()).await?;
            tracing::info!(order_id = %placed.order_id, total = placed.total, "order placed");
            http::created(&placed)
        };
        self.idempotency.once(key, &hash, place).await
    }

    /// Places the order; with `idempotency_key` (already claimed), completes its record
    /// with the response in the same transaction.
    ///
    /// # Errors
    /// 409 `out_of_stock`; 422 `empty_cart`, `mixed_merchants`, `mixed_currency`,
    /// `too_many_items`; 500 when DynamoDB fails.
    pub async fn place(
        &self,
        buyer_id: &str,
        request: &NewOrder,
        idempotency_key: Option<&ClaimedKey>,
    ) -> Result<Order, ApiError> {
        for attempt in 0..ATTEMPTS {
            let (wanted, from_cart, goods) = self.wanted_lines(buyer_id, &request.lines).await?;
            let unavailable: Vec<String> = wanted
                .iter()
                .filter(|(id, q)| goods.get(id).is_none_or(|g| g.stock < i64::from(q.get())))
                .map(|(id, _)| id.clone())
                .collect();
            if !unavailable.is_empty() {
                return Err(ApiError::OutOfStock {
                    goods_ids: unavailable,
                });
            }
            let chosen: Vec<(&GoodsRecord, Quantity)> =
                wanted.iter().map(|(id, q)| (&goods[id], *q)).collect();
            let order = self.priced(buyer_id, request, &chosen)?;
            let writes = self.writes(&order, &chosen, from_cart, idempotency_key)?;
            match self.orders_transaction(writes).await? {
                None => return Ok(order),
                Some(Cancellation::Conflict) => {}
                Some(Cancellation::ConditionsFailed(failed)) => {
                    let goods_failed = failed.iter().any(|&i| i < chosen.len());
                    if !goods_failed {
                        return Err(ApiError::Conflict {
                            code: "idempotency_in_progress",
                            message:
                                "Another request with this Idempotency-Key is being processed."
                                    .into(),
                        });
                    }
                    // Out of stock now, or the price moved: re-reading tells which.
                }
            }
            crate::store::backoff(attempt).await;
        }
        Err(ApiError::Conflict {
            code: "order_conflict",
            message: "The goods kept changing while the order was placed; try again.".into(),
        })
    }

    /// The lines to order, whether they come from the cart, and their goods as read
    /// now (one BatchGetItem, whichever way the lines are given).
    async fn wanted_lines(
        &self,
        buyer_id: &str,
        lines: &Lines,
    ) -> Result<(Vec<(String, Quantity)>, bool, HashMap<String, GoodsRecord>), ApiError> {
        match lines {
            Lines::Explicit(lines) => {
                let ids: Vec<String> = lines.iter().map(|(id, _)| id.clone()).collect();
                Ok((lines.clone(), false, self.goods_by_id(&ids).await?))
            }
            Lines::FromCart { merchant_id } => {
                let cart = self.carts.lines(buyer_id).await?;
                let ids: Vec<String> = cart.iter().map(|l| l.goods_id.clone()).collect();
                let goods = self.goods_by_id(&ids).await?;
                let cart: Vec<_> = cart
                    .into_iter()
                    .filter_map(|l| Some((goods.get(&l.goods_id)?.merchant_id.clone(), l)))
                    .collect();
                let distinct: std::collections::BTreeSet<&String> =
                    cart.iter().map(|(m, _)| m).collect();
                let selected: Vec<(String, Quantity)> = match merchant_id {
                    Some(wanted) => cart.iter().filter(|(m, _)| m == wanted).collect::<Vec<_>>(),
                    None if distinct.len() > 1 => {
                        return Err(unprocessable(
                            "mixed_merchants",
                            "The cart holds several shops' goods; name one with merchant_id.",
                        ))
                    }
                    None => cart.iter().collect(),
                }
                .into_iter()
                .filter_map(|(_, l)| {
                    Some((
                        l.goods_id.clone(),
                        Quantity::new(i64::from(l.quantity)).ok()?,
                    ))
                })
                .collect();
                if selected.is_empty() {
                    return Err(unprocessable(
                        "empty_cart",
                        "There is nothing in the cart to order.",
                    ));
                }
                if selected.len() > MAX_LINES {
                    return Err(unprocessable(
                        "too_many_items",
                        &format!("An order holds at most {MAX_LINES} lines."),
                    ));
                }
                Ok((selected, true, goods))
            }
        }
    }

    async fn goods_by_id(&self, ids: &[String]) -> Result<HashMap<String, GoodsRecord>, ApiError> {
        Ok(self
            .goods
            .batch_get(ids)
            .await?
            .into_iter()
            .map(|g| (g.goods_id.clone(), g))
            .collect())
    }

    fn priced(
        &self,
        buyer_id: &str,
        request: &NewOrder,
        chosen: &[(&GoodsRecord, Quantity)],
    ) -> Result<Order, ApiError> {
        let (first, _) = chosen
            .first()
            .ok_or_else(|| unprocessable("empty_cart", "There is nothing to order."))?;
        if chosen
            .iter()
            .any(|(g, _)| g.merchant_id != first.merchant_id)
        {
            return Err(unprocessable(
                "mixed_merchants",
                "An order holds one shop's goods; place one order per shop.",
            ));
        }
        if chosen.iter().any(|(g, _)| g.currency != first.currency) {
            return Err(unprocessable(
                "mixed_currency",
                "An order holds goods of one currency.",
            ));
        }
        let total = chosen
            .iter()
            .try_fold(0i64, |sum, (g, q)| {
                g.price
                    .checked_mul(i64::from(q.get()))
                    .and_then(|line| sum.checked_add(line))
            })
            .ok_or_else(|| unprocessable("total_too_large", "The order's total is too large."))?;
        let now = clock::now();
        let created_at = clock::rfc3339(now);
        Ok(Order {
            order_id: new_id(),
            buyer_id: buyer_id.to_owned(),
            merchant_id: first.merchant_id.clone(),
            status: OrderStatus::PendingPayment,
            items: chosen
                .iter()
                .map(|(g, q)| OrderLine {
                    goods_id: g.goods_id.clone(),
                    name: g.name.clone(),
                    unit_price: g.price,
                    quantity: q.get(),
                })
                .collect(),
            total,
            currency: first.currency.clone(),
            shipping_address: request.shipping_address.clone(),
            payment_method: request.payment_method,
            expires_at: clock::rfc3339_from_unix(now.unix_timestamp() + PAYMENT_WINDOW_SECS),
            status_history: vec![StatusChange {
                status: OrderStatus::PendingPayment,
                at: created_at.clone(),
            }],
            created_at,
            shipment: None,
            refund: None,
        })
    }

    fn writes(
        &self,
        order: &Order,
        chosen: &[(&GoodsRecord, Quantity)],
        from_cart: bool,
        idempotency_key: Option<&ClaimedKey>,
    ) -> Result<Vec<TransactWriteItem>, ApiError> {
        let mut writes = Vec::with_capacity(chosen.len() * 2 + 2);
        for (goods, quantity) in chosen {
            writes.push(self.goods.reserve(goods, quantity.get())?);
        }
        let expires_unix = clock::now().unix_timestamp() + PAYMENT_WINDOW_SECS;
        writes.push(self.orders.put_new(order, expires_unix)?);
        if from_cart {
            for (goods, _) in chosen {
                writes.push(self.carts.remove_line(&order.buyer_id, &goods.goods_id)?);
            }
        }
        if let Some(key) = idempotency_key {
            let body = serde_json::to_string(order).map_err(ApiError::internal)?;
            writes.push(self.idempotency.complete(key, 201, &body)?);
        }
        Ok(writes)
    }

    async fn orders_transaction(
        &self,
        writes: Vec<TransactWriteItem>,
    ) -> Result<Option<Cancellation>, StoreError> {
        match self.orders.transact(writes).await {
            Ok(()) => Ok(None),
            Err(e) => cancellation(e).map(Some),
        }
    }
}
