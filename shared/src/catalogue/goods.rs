//! Goods as merchants describe them: the validated input of create and update, and the
//! item as the API shows it.
//!
//! Limits (characters, not bytes, so Chinese counts like English): name 1–200,
//! description up to 5,000, category 1–50; stock `0..=MAX_STOCK`; up to 10 image URLs,
//! each https with a host and at most 2,048 characters.
//!
//! Stock is two numbers: `stock`, what can still be ordered, and `stock_reserved`, the
//! units of orders awaiting payment. An update changes stock in one of three ways
//! ([`StockChange`]): set what can be ordered, set the physical count (`stock_on_hand`),
//! or add a signed number.

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;
use crate::money::{Currency, Price};

/// The largest stock a goods item may hold.
pub const MAX_STOCK: i64 = 1_000_000_000;
/// The most images a goods item may have.
pub const MAX_IMAGES: usize = 10;

/// A goods item as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Goods {
    /// Opaque id (ULID).
    pub goods_id: String,
    /// The merchant who sells it.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Minor units.
    pub price: i64,
    /// ISO 4217.
    pub currency: String,
    /// Category as the merchant wrote it.
    pub category: String,
    /// Units that can still be ordered.
    pub stock: i64,
    /// Units in orders awaiting payment: shown to the owning merchant only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_reserved: Option<i64>,
    /// The physical count, `stock + stock_reserved`: shown to the owning merchant only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_on_hand: Option<i64>,
    /// https URLs.
    pub images: Vec<String>,
    /// The same images, in the same order, with their ids and thumbnails.
    #[serde(default)]
    pub image_details: Vec<super::images::ImageDetail>,
    /// Review summary.
    pub rating: Rating,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// A review summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rating {
    /// Mean of the ratings, two decimals; 0 when there are none.
    pub average: f64,
    /// Number of ratings.
    pub count: u64,
}

impl Rating {
    /// The summary of `count` ratings adding up to `sum`.
    pub fn from_sum(sum: u64, count: u64) -> Self {
        let average = if count == 0 {
            0.0
        } else {
            (sum as f64 / count as f64 * 100.0).round() / 100.0
        };
        Self { average, count }
    }
}

/// Validated fields of a goods item; every field of create, any subset of update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoodsFields {
    /// Trimmed, 1–200 characters.
    pub name: Option<String>,
    /// Up to 5,000 characters.
    pub description: Option<String>,
    /// Minor units.
    pub price: Option<Price>,
    /// ISO 4217.
    pub currency: Option<Currency>,
    /// Trimmed, 1–50 characters.
    pub category: Option<String>,
    /// `0..=MAX_STOCK`.
    pub stock: Option<i64>,
    /// https URLs.
    pub images: Option<Vec<String>>,
}

/// How an update changes stock; each is one conditional write against concurrent
/// orders, so no reservation is lost or counted twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockChange {
    /// `stock`: what can be ordered becomes this; reservations stay as they are.
    Set(i64),
    /// `stock_on_hand`: the physical count; what can be ordered becomes this minus the
    /// reserved units, at least 0.
    OnHand(i64),
    /// `stock_adjustment`: add this signed number to what can be ordered (refused below 0).
    Adjust(i64),
}

/// A validated update: fields to set, a stock change, or both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoodsEdit {
    /// The fields to set (`stock` is never set here: see `stock`).
    pub fields: GoodsFields,
    /// The stock change, if any.
    pub stock: Option<StockChange>,
}

/// Raw fields as a request carries them (each optional; create requires some).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "Fields of goods. Creating requires name, description, price, category and stock; updating takes any subset (null is refused)."
)]
pub struct GoodsInput {
    /// See [`GoodsFields::name`].
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// See [`GoodsFields::description`].
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// See [`GoodsFields::price`].
    #[schema(minimum = 0, maximum = 100_000_000_000_i64)]
    pub price: Option<i64>,
    /// See [`GoodsFields::currency`].
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    pub currency: Option<String>,
    /// See [`GoodsFields::category`].
    #[schema(min_length = 1, max_length = 50)]
    pub category: Option<String>,
    /// See [`GoodsFields::stock`].
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub stock: Option<i64>,
    /// See [`GoodsFields::images`].
    #[schema(max_items = 10, inline)]
    pub images: Option<Vec<String>>,
}

/// An update's body: any subset of the fields, and at most one of `stock`,
/// `stock_on_hand` and `stock_adjustment`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "Any subset of the fields of goods (null is refused), and at most one of stock, stock_on_hand and stock_adjustment."
)]
pub struct GoodsPatch {
    /// See [`GoodsFields::name`].
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// See [`GoodsFields::description`].
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// See [`GoodsFields::price`].
    #[schema(minimum = 0, maximum = 100_000_000_000_i64)]
    pub price: Option<i64>,
    /// See [`GoodsFields::currency`].
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    pub currency: Option<String>,
    /// See [`GoodsFields::category`].
    #[schema(min_length = 1, max_length = 50)]
    pub category: Option<String>,
    /// Set what can be ordered; units reserved by unpaid orders stay reserved.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub stock: Option<i64>,
    /// Set the physical count: what can be ordered becomes this minus the reserved
    /// units, at least 0.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub stock_on_hand: Option<i64>,
    /// Add a signed number of units to what can be ordered: 409 `insufficient_stock`
    /// when it would go below 0.
    #[schema(minimum = -1_000_000_000_i64, maximum = 1_000_000_000)]
    pub stock_adjustment: Option<i64>,
    /// See [`GoodsFields::images`].
    #[schema(max_items = 10, inline)]
    pub images: Option<Vec<String>>,
}

impl GoodsPatch {
    /// Validates every present field, collecting all errors.
    ///
    /// # Errors
    /// Per-field messages for every invalid field; every stock field named when more
    /// than one is given; `body` when nothing would change.
    pub fn validate(self) -> Result<GoodsEdit, FieldErrors> {
        let given: Vec<(&str, StockChange)> = [
            ("stock", self.stock.map(StockChange::Set)),
            ("stock_on_hand", self.stock_on_hand.map(StockChange::OnHand)),
            (
                "stock_adjustment",
                self.stock_adjustment.map(StockChange::Adjust),
            ),
        ]
        .into_iter()
        .filter_map(|(name, change)| change.map(|c| (name, c)))
        .collect();
        let input = GoodsInput {
            name: self.name,
            description: self.description,
            price: self.price,
            currency: self.currency,
            category: self.category,
            stock: None,
            images: self.images,
        };
        let mut errors = FieldErrors::new();
        let fields = input.validate(&[]).map_err(|e| errors.extend(e)).ok();
        if given.len() > 1 {
            for (name, _) in &given {
                errors.add(
                    *name,
                    "give only one of stock, stock_on_hand and stock_adjustment",
                );
            }
        } else if let Some(&(name, change)) = given.first() {
            match change {
                StockChange::Set(units) | StockChange::OnHand(units) => {
                    errors.check(name, stock(units));
                }
                StockChange::Adjust(units) if units == 0 || units.abs() > MAX_STOCK => errors.add(
                    name,
                    format!("must be a non-zero integer from -{MAX_STOCK} to {MAX_STOCK}"),
                ),
                StockChange::Adjust(_) => {}
            }
        }
        match fields {
            Some(fields) if errors.is_empty() => {
                let edit = GoodsEdit {
                    fields,
                    stock: given.first().map(|&(_, change)| change),
                };
                if edit == GoodsEdit::default() {
                    errors.add("body", "must change at least one field");
                    Err(errors)
                } else {
                    Ok(edit)
                }
            }
            _ => Err(errors),
        }
    }
}

impl GoodsInput {
    /// Validates every present field, collecting all errors; `required` fields must be
    /// present.
    ///
    /// # Errors
    /// Per-field messages for every invalid or missing field.
    pub fn validate(self, required: &[&str]) -> Result<GoodsFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let present = |name: &str| match name {
            "name" => self.name.is_some(),
            "description" => self.description.is_some(),
            "price" => self.price.is_some(),
            "currency" => self.currency.is_some(),
            "category" => self.category.is_some(),
            "stock" => self.stock.is_some(),
            _ => self.images.is_some(),
        };
        for field in required.iter().filter(|f| !present(f)) {
            errors.add(*field, "is required");
        }
        let fields = GoodsFields {
            name: self
                .name
                .and_then(|n| errors.check("name", text(&n, 1, 200))),
            description: self
                .description
                .and_then(|d| errors.check("description", long_text(&d, 5000))),
            price: self
                .price
                .and_then(|p| errors.check("price", Price::new(p))),
            currency: self
                .currency
                .and_then(|c| errors.check("currency", Currency::parse(&c))),
            category: self
                .category
                .and_then(|c| errors.check("category", text(&c, 1, 50))),
            stock: self.stock.and_then(|s| errors.check("stock", stock(s))),
            images: self.images.and_then(|i| errors.check("images", images(i))),
        };
        if errors.is_empty() {
            Ok(fields)
        } else {
            Err(errors)
        }
    }
}

/// Trimmed text of `min..=max` characters without control characters.
fn text(raw: &str, min: usize, max: usize) -> Result<String, String> {
    let trimmed = raw.trim();
    let count = trimmed.chars().count();
    if count < min || count > max {
        Err(format!("must be {min} to {max} characters"))
    } else if trimmed.chars().any(char::is_control) {
        Err("must not contain control characters".to_owned())
    } else {
        Ok(trimmed.to_owned())
    }
}

/// Free text of at most `max` characters (line breaks allowed).
fn long_text(raw: &str, max: usize) -> Result<String, String> {
    if raw.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(raw.trim().to_owned())
    }
}

fn stock(units: i64) -> Result<i64, String> {
    if (0..=MAX_STOCK).contains(&units) {
        Ok(units)
    } else {
        Err(format!("must be an integer from 0 to {MAX_STOCK}"))
    }
}

fn images(urls: Vec<String>) -> Result<Vec<String>, String> {
    if urls.len() > MAX_IMAGES {
        return Err(format!("must hold at most {MAX_IMAGES} URLs"));
    }
    for url in &urls {
        let parsed = url::Url::parse(url).map_err(|_| format!("{url:?} is not a URL"))?;
        if parsed.scheme() != "https"
            || parsed.host_str().is_none_or(str::is_empty)
            || url.len() > 2048
        {
            return Err(format!(
                "{url:?} must be an https URL of at most 2048 characters"
            ));
        }
    }
    Ok(urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[&str] = &["name", "description", "price", "category", "stock"];

    fn input() -> GoodsInput {
        GoodsInput {
            name: Some("无线蓝牙耳机".into()),
            description: Some("Bluetooth 5.3, 30 h".into()),
            price: Some(19_900),
            currency: None,
            category: Some("Electronics".into()),
            stock: Some(50),
            images: Some(vec!["https://img.example.com/a.jpg".into()]),
        }
    }

    fn errors_of(input: GoodsInput) -> Vec<String> {
        input
            .validate(ALL)
            .unwrap_err()
            .as_map()
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn a_complete_input_is_valid() {
        let fields = input().validate(ALL).unwrap();
        assert_eq!(fields.name.as_deref(), Some("无线蓝牙耳机"));
        assert_eq!(fields.price.unwrap().minor(), 19_900);
    }

    #[test]
    fn missing_required_fields_are_each_named() {
        assert_eq!(
            errors_of(GoodsInput::default()),
            ["category", "description", "name", "price", "stock"]
        );
    }

    #[test]
    fn a_200_character_chinese_name_fits_and_201_does_not() {
        let ok = GoodsInput {
            name: Some("耳".repeat(200)),
            ..input()
        };
        assert!(ok.validate(ALL).is_ok());
        let long = GoodsInput {
            name: Some("耳".repeat(201)),
            ..input()
        };
        assert_eq!(errors_of(long), ["name"]);
    }

    #[test]
    fn negative_price_and_huge_stock_are_refused() {
        let bad = GoodsInput {
            price: Some(-1),
            stock: Some(MAX_STOCK + 1),
            ..input()
        };
        assert_eq!(errors_of(bad), ["price", "stock"]);
    }

    #[test]
    fn image_urls_must_be_https() {
        for url in [
            "http://img.example.com/a.jpg",
            "ftp://x/a",
            "not a url",
            "https://",
        ] {
            let bad = GoodsInput {
                images: Some(vec![url.into()]),
                ..input()
            };
            assert_eq!(errors_of(bad), ["images"], "{url}");
        }
    }

    #[test]
    fn an_unknown_currency_is_refused() {
        let bad = GoodsInput {
            currency: Some("RMB".into()),
            ..input()
        };
        assert_eq!(errors_of(bad), ["currency"]);
    }

    #[test]
    fn a_blank_name_is_refused() {
        let bad = GoodsInput {
            name: Some("   ".into()),
            ..input()
        };
        assert_eq!(errors_of(bad), ["name"]);
    }

    #[test]
    fn ratings_average_to_two_decimals() {
        assert_eq!(
            Rating::from_sum(14, 3),
            Rating {
                average: 4.67,
                count: 3
            }
        );
        assert_eq!(Rating::from_sum(0, 0).average, 0.0);
    }
}
