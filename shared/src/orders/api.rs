//! The request bodies of the order routes, as the functions read them and as the
//! OpenAPI document describes them, and their checks into the domain's types.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::order::{PaymentMethod, Quantity, MAX_LINES};
use super::place::{Lines, NewOrder};
use super::{Shipment, ShippingAddress};
use crate::error::{ApiError, FieldErrors};
use crate::ids::is_id;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")]
    pub goods_id: String,
    #[schema(minimum = 1, maximum = 99)]
    pub quantity: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceBody {
    /// The lines to order; without them, the cart's lines are ordered (and leave it).
    #[serde(default)]
    #[schema(min_items = 1, max_items = 40)]
    pub items: Option<Vec<LineBody>>,
    /// Order only this merchant's cart lines (needed when the cart holds several shops' goods).
    #[serde(default)]
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")]
    pub merchant_id: Option<String>,
    /// Where to deliver; or give `address_id` instead.
    #[serde(default)]
    pub shipping_address: Option<ShippingAddress>,
    /// One of the caller's saved addresses (`GET /me/addresses`), instead of `shipping_address`.
    #[serde(default)]
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")]
    pub address_id: Option<String>,
    pub payment_method: PaymentMethod,
}

impl PlaceBody {
    /// The order, shipped to the body's address or to `saved` (the caller's saved address
    /// named by `address_id`, when it is one).
    pub fn into_order(self, saved: Option<ShippingAddress>) -> Result<NewOrder, ApiError> {
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipBody {
    #[schema(min_length = 1, max_length = 50)]
    pub carrier: String,
    #[schema(min_length = 1, max_length = 64)]
    pub tracking_number: String,
}

impl TryFrom<ShipBody> for Shipment {
    type Error = ApiError;

    fn try_from(body: ShipBody) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let (carrier, tracking) = (body.carrier.trim(), body.tracking_number.trim());
        if !(1..=50).contains(&carrier.chars().count()) {
            errors.add("carrier", "must be 1 to 50 characters");
        }
        if !(1..=64).contains(&tracking.chars().count()) {
            errors.add("tracking_number", "must be 1 to 64 characters");
        }
        errors.into_result()?;
        Ok(Shipment {
            carrier: carrier.to_owned(),
            tracking_number: tracking.to_owned(),
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    /// Why the merchant can't fulfil the order (kept with the refund).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

impl RefundBody {
    /// The reason, trimmed and checked.
    pub fn into_reason(self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        let reason = self.reason.trim();
        if !(1..=500).contains(&reason.chars().count()) {
            errors.add("reason", "must be 1 to 500 characters");
        }
        errors.into_result()?;
        Ok(reason.to_owned())
    }
}
