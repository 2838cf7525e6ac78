//! Orders: what a customer buys from one merchant, from placing to delivery.
//!
//! - [`order`]: order states, quantities, addresses and payment methods.
//! - [`place`]: placing an order, atomically across goods, orders, cart and idempotency.
//! - [`repo`]: the orders table, whose conditional writes carry every status change.
//! - [`Orders`]: what the order functions share.

pub mod order;
pub mod place;
pub mod repo;

use lambda_http::Request;

use crate::accounts::sessions::SessionsRepo;
use crate::accounts::Role;
use crate::auth::{self, Caller};
use crate::aws::Aws;
use crate::config::ConfigError;
use crate::error::ApiError;
use crate::http;
use crate::ids::is_id;

/// A page of orders, newest first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrderPage {
    /// The orders.
    pub items: Vec<crate::orders::repo::Order>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// What the order functions need: sessions, orders, and the goods table's name (for
/// the stock a cancel returns).
pub struct Orders {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    /// The orders table.
    pub orders: crate::orders::repo::OrdersRepo,
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
            orders: crate::orders::repo::OrdersRepo::from_env(dynamodb)?,
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
    ) -> Result<crate::orders::repo::Order, ApiError> {
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
