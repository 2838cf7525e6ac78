//! The bodies the contract (`API.md`) fixes, as a client declares them: written from the
//! contract, not borrowed from the `shop` crate, so a field the shop renames or drops
//! fails to parse here. Fields the contract adds later are ignored, except on [`User`],
//! whose exact field list also proves nothing private (a password hash) leaks.

use serde::{Deserialize, Serialize};

/// A user as `register`, `login` and `GET /me` show it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub user_id: String,
    pub username: String,
    pub email: String,
    /// `customer` or `merchant`.
    pub role: String,
    /// `pending_activation` or `active`.
    pub status: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// What `POST /auth/login` answers.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_at: String,
    pub user: User,
}

/// A goods item's rating summary.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Rating {
    pub average: f64,
    pub count: u64,
}

/// One image of a goods item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ImageDetail {
    pub image_id: String,
    pub url: String,
    pub thumbnail_url: String,
}

/// A goods item.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Goods {
    pub goods_id: String,
    pub merchant_id: String,
    pub name: String,
    pub description: String,
    pub price: i64,
    pub currency: String,
    pub category: String,
    pub stock: i64,
    /// The owning merchant's view only.
    #[serde(default)]
    pub stock_reserved: Option<i64>,
    /// The owning merchant's view only.
    #[serde(default)]
    pub stock_on_hand: Option<i64>,
    pub images: Vec<String>,
    /// The same images, in the same order.
    pub image_details: Vec<ImageDetail>,
    pub rating: Rating,
    pub created_at: String,
    pub updated_at: String,
}

/// One line of an order, priced when it was placed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrderLine {
    pub goods_id: String,
    pub name: String,
    pub unit_price: i64,
    pub quantity: i64,
}

/// One entry of an order's `status_history`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StatusEntry {
    pub status: String,
    pub at: String,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub status: String,
    pub items: Vec<OrderLine>,
    pub total: i64,
    pub currency: String,
    pub created_at: String,
    pub expires_at: String,
    pub status_history: Vec<StatusEntry>,
}

impl Order {
    /// The statuses it went through, oldest first.
    pub fn history(&self) -> Vec<&str> {
        self.status_history
            .iter()
            .map(|entry| entry.status.as_str())
            .collect()
    }
}

/// What `POST /orders/{order_id}/payments` answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Payment {
    pub payment_id: String,
    pub order_id: String,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub expires_at: String,
    pub checkout_url: String,
}

/// A payment as `GET /orders/{order_id}` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentSummary {
    pub payment_id: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
    pub created_at: String,
}

/// An order's refund, once asked for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrderRefund {
    pub status: String,
    pub amount: i64,
    pub requested_at: String,
    pub completed_at: Option<String>,
}

/// What `GET /orders/{order_id}` answers: the order with its payments and refund.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    pub payments: Vec<PaymentSummary>,
    #[serde(default)]
    pub refund: Option<OrderRefund>,
}

impl OrderView {
    /// The status of the payment `payment_id`, if the order lists it.
    pub fn payment_status(&self, payment_id: &str) -> Option<&str> {
        self.payments
            .iter()
            .find(|p| p.payment_id == payment_id)
            .map(|p| p.status.as_str())
    }
}

/// An event the payment provider delivers to `POST /payments/webhook`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookEvent {
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub payment_id: String,
    pub order_id: String,
    pub amount: i64,
    pub currency: String,
    pub created_at: String,
}

impl WebhookEvent {
    /// The same event under a new `event_id`: a different delivery, not a redelivery.
    pub fn redone(&self) -> Self {
        Self {
            event_id: format!("evt_{}", crate::unique()),
            ..self.clone()
        }
    }
}

/// A cart line with the goods it names.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CartLine {
    pub goods_id: String,
    pub quantity: i64,
    pub goods: Goods,
}

/// What `GET /cart` and the cart's writes answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cart {
    pub items: Vec<CartLine>,
    pub total: i64,
    pub currency: String,
}

/// A page of a paginated list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
