//! Saved shipping addresses: at most [`MAX_ADDRESSES`] per customer, to order with by id.
//!
//! The addresses as the API reads and shows them, and the [`Addresses`] service; they
//! are kept in one item per customer ([`super::address_book`], where the key layout is).
//! An order copies the address it is placed with, so deleting one never changes an order.

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::PartialSchema;

use crate::auth::Customer;
use crate::aws::Aws;
use crate::clock;
use crate::config::ConfigError;
use crate::error::{ApiError, FieldErrors};
use crate::ids::new_id;
use crate::orders::ShippingAddress;

use super::address_book::AddressBook;
use super::sessions::SessionsRepo;

/// The most addresses one customer may keep.
pub const MAX_ADDRESSES: usize = 20;

/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 40;

/// A saved address: the shipping address's fields, flat, with its id, label and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedAddress {
    /// Opaque, time-sortable id (ULID).
    pub address_id: String,
    /// The customer's name for it ("home", "公司").
    #[serde(default)]
    pub label: Option<String>,
    /// Where it is.
    #[serde(flatten)]
    pub address: ShippingAddress,
    /// When it was saved (RFC 3339).
    pub created_at: String,
}

/// The fields a saved address adds to a shipping address's, for its schema.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct SavedFields {
    /// Opaque, time-sortable id (ULID).
    address_id: String,
    /// The customer's name for it ("home", "公司").
    #[schema(min_length = 1, max_length = 40)]
    label: Option<String>,
    /// When it was saved (RFC 3339).
    created_at: String,
}

/// The field a new address's body adds to a shipping address's, for its schema.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct LabelField {
    /// The customer's name for it ("home", "公司").
    #[schema(min_length = 1, max_length = 40)]
    label: Option<String>,
}

/// The body of `POST /me/addresses` (its schema only; [`NewAddress::parse`] reads it).
pub struct NewAddressBody;

/// A shipping address's object schema with the fields of `E` added, flat: what the
/// body and the answer are on the wire (one object, unknown fields refused).
fn address_with<E: utoipa::PartialSchema>(description: &str) -> RefOr<Schema> {
    let (RefOr::T(Schema::Object(mut address)), RefOr::T(Schema::Object(extra))) =
        (ShippingAddress::schema(), E::schema())
    else {
        return ShippingAddress::schema();
    };
    address.properties.extend(extra.properties);
    address.required.extend(extra.required);
    address.description = Some(description.to_owned());
    RefOr::T(Schema::Object(address))
}

impl utoipa::PartialSchema for SavedAddress {
    fn schema() -> RefOr<Schema> {
        address_with::<SavedFields>(
            "A saved address: a shipping address with its id, label and time.",
        )
    }
}

impl utoipa::ToSchema for SavedAddress {}

impl utoipa::PartialSchema for NewAddressBody {
    fn schema() -> RefOr<Schema> {
        address_with::<LabelField>(
            "An address to save: a shipping address's fields and an optional label.",
        )
    }
}

impl utoipa::ToSchema for NewAddressBody {}

/// The list `GET /me/addresses` answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AddressList {
    /// Oldest first.
    pub items: Vec<SavedAddress>,
}

/// An address to save, checked: its optional label and the address.
#[derive(Debug, Clone)]
pub struct NewAddress {
    label: Option<String>,
    address: ShippingAddress,
}

impl NewAddress {
    /// Reads a body `{label?, recipient, phone, line1, line2?, city, region?,
    /// postal_code?, country}`, naming every wrong field (unknown ones too).
    ///
    /// # Errors
    /// 422 `validation_failed` naming the fields.
    pub fn parse(body: serde_json::Value) -> Result<Self, ApiError> {
        let mut body = body;
        let mut fields = FieldErrors::new();
        let label = match body.as_object_mut().and_then(|o| o.remove("label")) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(label)) => {
                let label = label.trim().to_owned();
                let count = label.chars().count();
                if count == 0 || count > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
                    fields.add(
                        "label",
                        format!("must be 1 to {MAX_LABEL_CHARS} characters"),
                    );
                }
                Some(label)
            }
            Some(_) => {
                fields.add("label", "must be a string");
                None
            }
        };
        let address = match crate::http::from_value::<ShippingAddress>(body) {
            Ok(address) => {
                address.check_as("", &mut fields);
                Some(address)
            }
            Err(ApiError::Validation(shape)) => {
                fields.extend(shape);
                None
            }
            Err(other) => return Err(other),
        };
        fields.into_result()?;
        let address = address.ok_or_else(|| ApiError::internal("checked above"))?;
        Ok(Self { label, address })
    }
}

/// The address functions' service, built once per cold start.
pub struct Addresses {
    /// Sessions, for the caller.
    pub sessions: SessionsRepo,
    book: AddressBook,
}

impl Addresses {
    /// Reads `SESSIONS_TABLE` and `USERS_TABLE`.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dynamodb = Aws::from_env()?.dynamodb();
        Ok(Self {
            sessions: SessionsRepo::from_env(dynamodb.clone())?,
            book: AddressBook::from_env(dynamodb)?,
        })
    }

    /// The customer's addresses, oldest first.
    ///
    /// # Errors
    /// 500 when DynamoDB fails.
    pub async fn list(&self, customer: &Customer) -> Result<AddressList, ApiError> {
        Ok(AddressList {
            items: self.book.list(&customer.user_id).await?,
        })
    }

    /// Saves an address; answers it.
    ///
    /// # Errors
    /// 409 `too_many_addresses` past [`MAX_ADDRESSES`]; 500 when DynamoDB fails.
    pub async fn create(
        &self,
        customer: &Customer,
        new: NewAddress,
    ) -> Result<SavedAddress, ApiError> {
        let saved = SavedAddress {
            address_id: new_id(),
            label: new.label,
            address: new.address,
            created_at: clock::rfc3339(clock::now()),
        };
        if !self.book.add(&customer.user_id, &saved).await? {
            return Err(ApiError::Conflict {
                code: "too_many_addresses",
                message: format!("Keep at most {MAX_ADDRESSES} addresses; delete one first."),
            });
        }
        tracing::info!(user_id = %customer.user_id, address_id = %saved.address_id, "address saved");
        Ok(saved)
    }

    /// Deletes one of the customer's addresses.
    ///
    /// # Errors
    /// 404 for an unknown address or another customer's; 500 when DynamoDB fails.
    pub async fn delete(&self, customer: &Customer, address_id: &str) -> Result<(), ApiError> {
        if !self.book.remove(&customer.user_id, address_id).await? {
            return Err(ApiError::NotFound);
        }
        tracing::info!(user_id = %customer.user_id, %address_id, "address deleted");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> serde_json::Value {
        json!({"label": "家", "recipient": "李雷", "phone": "+86 138 0000 0000",
               "line1": "建国路 1 号", "city": "北京", "country": "CN"})
    }

    #[test]
    fn a_labelled_address_parses_and_round_trips_flat() {
        let new = NewAddress::parse(body()).unwrap();
        let saved = SavedAddress {
            address_id: new_id(),
            label: new.label,
            address: new.address,
            created_at: "2026-12-01T00:00:00Z".into(),
        };
        let json = serde_json::to_value(&saved).unwrap();
        assert_eq!(json["city"], "北京");
        assert_eq!(json["label"], "家");
        let back: SavedAddress = serde_json::from_value(json).unwrap();
        assert_eq!(back, saved);
    }

    #[test]
    fn every_bad_field_is_named_without_a_prefix_unknown_ones_too() {
        let named = |change: &dyn Fn(&mut serde_json::Value)| {
            let mut bad = body();
            change(&mut bad);
            let Err(ApiError::Validation(fields)) = NewAddress::parse(bad) else {
                panic!("refused");
            };
            fields.fields().keys().cloned().collect::<Vec<_>>()
        };
        let wrong_values = named(&|b| {
            b["country"] = json!("ZZ");
            b["label"] = json!("");
        });
        assert_eq!(wrong_values, ["country", "label"]);
        let unknown = named(&|b| b["colour"] = json!("red"));
        assert_eq!(unknown, ["colour"]);
    }
}
