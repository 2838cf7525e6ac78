//! Contexts shared by functions that need exactly the same things, built once per cold
//! start like any other.

use lambda_http::Request;

use crate::auth::{self, Caller};
use crate::aws::Aws;
use crate::config::ConfigError;
use crate::domain::{is_id, Goods, Role};
use crate::error::ApiError;
use crate::events::{Envelope, EventType, Publisher};
use crate::http;
use crate::repo::goods::GoodsRepo;
use crate::repo::sessions::SessionsRepo;

/// What the functions that change goods need: sessions, the goods table and the
/// goods-changes queue.
pub struct GoodsChanges {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    /// The goods table.
    pub goods: GoodsRepo,
    changes: Publisher,
}

impl GoodsChanges {
    /// Reads `SESSIONS_TABLE`, `GOODS_TABLE` and `GOODS_CHANGES_QUEUE_URL`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        let dynamodb = aws.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
            changes: Publisher::from_env(aws.sqs(), "GOODS_CHANGES_QUEUE_URL")?,
        })
    }

    /// The calling merchant.
    ///
    /// # Errors
    /// 401 without a live session, 403 for customers.
    pub async fn merchant(&self, req: &Request) -> Result<Caller, ApiError> {
        let caller = auth::require_user(&self.sessions, req).await?;
        caller.require_role(Role::Merchant)?;
        Ok(caller)
    }

    /// The calling merchant and the `{goods_id}` of the route.
    ///
    /// # Errors
    /// As [`Self::merchant`]; 404 for an id we never issue.
    pub async fn merchant_and_goods_id(&self, req: &Request) -> Result<(Caller, String), ApiError> {
        let caller = self.merchant(req).await?;
        let goods_id = http::path_param(req, "goods_id")?;
        if !is_id(&goods_id) {
            return Err(ApiError::NotFound);
        }
        Ok((caller, goods_id))
    }

    /// Publishes a change; a failure is logged (the change itself has been made).
    pub async fn publish(
        &self,
        event_type: EventType,
        caller: &Caller,
        goods_id: &str,
        data: serde_json::Value,
    ) {
        let event = Envelope::new(event_type, Some(&caller.user_id), Some(goods_id), data);
        self.changes.publish_or_log(&event).await;
    }

    /// Publishes a created or updated item with its new state.
    ///
    /// # Errors
    /// 500 if the item can't be serialised (a bug).
    pub async fn publish_goods(
        &self,
        event_type: EventType,
        caller: &Caller,
        goods: &Goods,
    ) -> Result<(), ApiError> {
        let data = serde_json::to_value(goods).map_err(ApiError::internal)?;
        self.publish(event_type, caller, &goods.goods_id, data)
            .await;
        Ok(())
    }
}

/// What the cart functions need: sessions, carts, goods, and the events queue.
pub struct Carts {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    /// The carts table.
    pub carts: crate::repo::carts::CartsRepo,
    /// The goods table.
    pub goods: GoodsRepo,
    /// The behaviour events queue.
    pub events: Publisher,
}

/// A cart line as the API shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CartItem {
    /// Goods id.
    pub goods_id: String,
    /// Units.
    pub quantity: u32,
    /// The goods as they are now.
    pub goods: Goods,
}

/// A cart as the API shows it: `total` and `currency` when every line shares one
/// currency, both `null` when the cart mixes currencies.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CartView {
    /// Lines of goods still on sale, by goods id.
    pub items: Vec<CartItem>,
    /// Sum of unit price × quantity, minor units.
    pub total: Option<i64>,
    /// The lines' currency.
    pub currency: Option<String>,
}

impl Carts {
    /// Reads `SESSIONS_TABLE`, `CARTS_TABLE`, `GOODS_TABLE` and `EVENTS_QUEUE_URL`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        let dynamodb = aws.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            carts: crate::repo::carts::CartsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
            events: Publisher::from_env(aws.sqs(), "EVENTS_QUEUE_URL")?,
        })
    }

    /// The calling customer (merchants don't shop).
    ///
    /// # Errors
    /// 401 without a live session, 403 for merchants.
    pub async fn customer(&self, req: &Request) -> Result<Caller, ApiError> {
        let caller = auth::require_user(&self.sessions, req).await?;
        caller.require_role(Role::Customer)?;
        Ok(caller)
    }

    /// The `{goods_id}` of the route.
    ///
    /// # Errors
    /// 404 for an id we never issue.
    pub fn goods_id(req: &Request) -> Result<String, ApiError> {
        let goods_id = http::path_param(req, "goods_id")?;
        if is_id(&goods_id) {
            Ok(goods_id)
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// The cart made of these lines, with the goods' current data (one BatchGetItem).
    /// Lines of goods no longer on sale are left out.
    ///
    /// # Errors
    /// 500 when DynamoDB fails.
    pub async fn view(
        &self,
        lines: Vec<crate::repo::carts::CartLine>,
    ) -> Result<CartView, ApiError> {
        let ids: Vec<String> = lines.iter().map(|l| l.goods_id.clone()).collect();
        let goods = self.goods.public_by_id(&ids).await?;
        let items: Vec<CartItem> = lines
            .into_iter()
            .filter_map(|line| {
                let goods = goods.get(&line.goods_id)?.clone();
                Some(CartItem {
                    goods_id: line.goods_id,
                    quantity: line.quantity,
                    goods,
                })
            })
            .collect();
        let mut currencies = items.iter().map(|i| i.goods.currency.as_str());
        let first = currencies.next();
        let single = first
            .filter(|c| currencies.all(|other| other == *c))
            .map(str::to_owned);
        let total = match (&single, items.is_empty()) {
            (_, true) => Some(0),
            (Some(_), false) => Some(
                items
                    .iter()
                    .map(|i| i.goods.price * i64::from(i.quantity))
                    .sum(),
            ),
            (None, false) => None,
        };
        Ok(CartView {
            currency: if items.is_empty() {
                Some("CNY".to_owned())
            } else {
                single
            },
            total,
            items,
        })
    }
}

/// A page of orders, newest first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrderPage {
    /// The orders.
    pub items: Vec<crate::repo::orders::Order>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// What the order functions need: sessions, orders, and the goods table's name (for
/// the stock a cancel returns).
pub struct Orders {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    /// The orders table.
    pub orders: crate::repo::orders::OrdersRepo,
    /// The goods table's name.
    pub goods_table: String,
}

impl Orders {
    /// Reads `SESSIONS_TABLE`, `ORDERS_TABLE` and `GOODS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            orders: crate::repo::orders::OrdersRepo::from_env(dynamodb)?,
            goods_table: crate::config::required("GOODS_TABLE")?,
        })
    }

    /// The caller, who must have `role`.
    ///
    /// # Errors
    /// 401 without a live session, 403 for the other role.
    pub async fn caller(&self, req: &Request, role: Role) -> Result<Caller, ApiError> {
        let caller = auth::require_user(&self.sessions, req).await?;
        caller.require_role(role)?;
        Ok(caller)
    }

    /// The `{order_id}` of the route.
    ///
    /// # Errors
    /// 404 for an id we never issue.
    pub fn order_id(req: &Request) -> Result<String, ApiError> {
        let order_id = http::path_param(req, "order_id")?;
        if is_id(&order_id) {
            Ok(order_id)
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// The caller's own order (as buyer); anyone else's is 404.
    ///
    /// # Errors
    /// 404 when missing or someone else's; 500 when DynamoDB fails.
    pub async fn own_order(
        &self,
        caller: &Caller,
        order_id: &str,
    ) -> Result<crate::repo::orders::Order, ApiError> {
        self.orders
            .get(order_id)
            .await?
            .filter(|o| o.buyer_id == caller.user_id)
            .ok_or(ApiError::NotFound)
    }

    /// `limit` (1–100, default 20) and `cursor` of a listing.
    ///
    /// # Errors
    /// 422 naming `limit`.
    pub fn page_params(req: &Request) -> Result<(usize, Option<String>), ApiError> {
        let limit = match http::query_param(req, "limit") {
            None => 20,
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=100).contains(l))
                .ok_or_else(|| {
                    crate::error::FieldErrors::single("limit", "must be an integer from 1 to 100")
                })?,
        };
        Ok((limit, http::query_param(req, "cursor")))
    }
}
