//! The cart: what a customer means to buy, line by line, priced as the goods are now.
//!
//! - [`repo`]: the carts table.
//! - [`Carts`]: what the cart functions share, and the cart as the API shows it.
//! - [`api`]: the request body of putting goods in the cart.

pub mod api;
pub mod repo;

use crate::accounts::sessions::SessionsRepo;
use crate::aws::Aws;
use crate::catalogue::repo::GoodsRepo;
use crate::catalogue::Goods;
use crate::config::ConfigError;
use crate::error::ApiError;
use crate::events::Publisher;

/// What the cart functions need: sessions, carts, goods, and the events queue.
pub struct Carts {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    /// The carts table.
    pub carts: crate::cart::repo::CartsRepo,
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
            carts: crate::cart::repo::CartsRepo::from_env(dynamodb.clone())?,
            goods: GoodsRepo::from_env(dynamodb)?,
            events: Publisher::from_env(aws.sqs(), "EVENTS_QUEUE_URL")?,
        })
    }

    /// The cart made of these lines, with the goods' current data (one BatchGetItem).
    /// Lines of goods no longer on sale are left out.
    ///
    /// # Errors
    /// 500 when DynamoDB fails.
    pub async fn view(
        &self,
        lines: Vec<crate::cart::repo::CartLine>,
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
