//! A goods item as the goods table stores it, and why a change to one is refused.

use serde::{Deserialize, Serialize};

use super::goods::MAX_STOCK;
use super::images::{self, ImageDetail};
use super::listing::{merchant_key, price_key, shard_key};
use super::{Goods, GoodsFields, Rating};
use crate::error::{ApiError, FieldErrors};
use crate::store::StoreError;

/// A stored goods item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodsRecord {
    /// Partition key.
    pub goods_id: String,
    /// Seller.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Minor units.
    pub price: i64,
    /// ISO 4217.
    pub currency: String,
    /// As written.
    pub category: String,
    /// Units that can be ordered (an order moves them to `stock_reserved`,
    /// conditionally).
    pub stock: i64,
    /// Units in orders awaiting payment: paid, they leave; cancelled or expired, they
    /// return to `stock`.
    #[serde(default)]
    pub stock_reserved: i64,
    /// The merchant's edits so far (the `ETag`); orders moving stock don't change it.
    #[serde(default)]
    pub version: u64,
    /// The images' URLs, in order (uploaded ones and URLs hosted elsewhere).
    #[serde(default)]
    pub images: Vec<String>,
    /// The details of the uploaded images among `images` (see [`super::images::details`]).
    #[serde(default)]
    pub image_details: Vec<ImageDetail>,
    /// Sum of review ratings.
    #[serde(default)]
    pub rating_sum: u64,
    /// Number of reviews.
    #[serde(default)]
    pub rating_count: u64,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Set when deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// Sparse index key: `"GOODS#<shard>"` while live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi_all: Option<String>,
    /// Sparse index sort key: zero-padded price, `#`, goods id, while live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi_price: Option<String>,
    /// Sparse index key: lowercase category while live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi_category: Option<String>,
    /// Sparse index key: `<merchant id>#<shard>` while live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi_merchant: Option<String>,
}

impl GoodsRecord {
    /// A new live item from complete fields.
    ///
    /// # Panics
    /// When a field that create requires is missing (the caller validated them).
    pub fn new(goods_id: String, merchant_id: String, fields: GoodsFields, now: &str) -> Self {
        let category = fields.category.expect("validated");
        let price = fields.price.expect("validated").minor();
        Self {
            gsi_all: Some(shard_key(&goods_id)),
            gsi_price: Some(price_key(price, &goods_id)),
            gsi_category: Some(category.to_lowercase()),
            gsi_merchant: Some(merchant_key(&merchant_id, &goods_id)),
            goods_id,
            merchant_id,
            name: fields.name.expect("validated"),
            description: fields.description.expect("validated"),
            price,
            currency: fields
                .currency
                .map_or_else(|| "CNY".to_owned(), |c| c.as_str().to_owned()),
            category,
            stock: fields.stock.expect("validated"),
            stock_reserved: 0,
            version: 1,
            images: fields.images.unwrap_or_default(),
            image_details: Vec::new(),
            rating_sum: 0,
            rating_count: 0,
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
            deleted_at: None,
        }
    }

    /// The entity tag of this version (the `ETag`, unquoted).
    pub fn tag(&self) -> String {
        self.version.to_string()
    }

    /// The owning merchant's view: the public one, with `stock_reserved` and
    /// `stock_on_hand`.
    pub fn owner_view(&self) -> Goods {
        Goods {
            stock_reserved: Some(self.stock_reserved),
            stock_on_hand: Some(self.stock + self.stock_reserved),
            ..self.public()
        }
    }

    /// The view of `caller_id` (`None` when signed out): the owner's for its merchant,
    /// the public one for everyone else.
    pub fn view_for(&self, caller_id: Option<&str>) -> Goods {
        if caller_id == Some(self.merchant_id.as_str()) {
            self.owner_view()
        } else {
            self.public()
        }
    }

    /// The API's view.
    pub fn public(&self) -> Goods {
        Goods {
            goods_id: self.goods_id.clone(),
            merchant_id: self.merchant_id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            price: self.price,
            currency: self.currency.clone(),
            category: self.category.clone(),
            stock: self.stock,
            stock_reserved: None,
            stock_on_hand: None,
            images: self.images.clone(),
            image_details: images::details(&self.images, &self.image_details),
            rating: Rating::from_sum(self.rating_sum, self.rating_count),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

/// Why a change to goods was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// No such live goods: 404.
    #[error("not found")]
    NotFound,
    /// Someone else's goods: 403.
    #[error("not the owner")]
    NotOwner,
    /// `If-Match` named an older version: 412, nothing written.
    #[error("changed since")]
    Changed,
    /// A `stock_adjustment` would take what can be ordered below 0: 409.
    #[error("insufficient stock")]
    InsufficientStock,
    /// A `stock_adjustment` would take what can be ordered past [`MAX_STOCK`]: 422.
    #[error("too much stock")]
    TooMuchStock,
    /// The goods kept changing under a change computed from them: 409, retry.
    #[error("contended")]
    Contended,
    /// DynamoDB failed: 500.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ChangeError> for ApiError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::NotFound => ApiError::NotFound,
            ChangeError::NotOwner => {
                ApiError::forbidden("Only the merchant who sells these goods may change them.")
            }
            ChangeError::Changed => ApiError::PreconditionFailed,
            ChangeError::InsufficientStock => ApiError::Conflict {
                code: "insufficient_stock",
                message: "The adjustment would take the stock that can be ordered below 0."
                    .to_owned(),
            },
            ChangeError::TooMuchStock => FieldErrors::single(
                "stock_adjustment",
                format!("would take the stock past {MAX_STOCK}"),
            ),
            ChangeError::Contended => ApiError::Conflict {
                code: "concurrent_change",
                message: "The goods changed while the change was made; try again.".to_owned(),
            },
            ChangeError::Store(store) => store.into(),
        }
    }
}
