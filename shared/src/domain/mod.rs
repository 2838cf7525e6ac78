//! Domain types: parsed at the edge, trusted everywhere else. No AWS in here.
//!
//! - [`id`]: fresh ids.
//! - [`username`], [`email`], [`password`]: account credentials.
//! - [`role`]: customer or merchant.
//! - [`money`]: prices in minor units and ISO 4217 currencies.
//! - [`goods`]: goods as merchants describe them and the API shows them.
//! - [`order`]: order states, quantities, addresses and payment methods.
//! - [`signature`]: the payment webhook's HMAC signature.
//! - [`user`]: an account as the API shows it.
//! - [`token`]: random secrets handed to clients and stored only as hashes.
//! - [`login_guard`]: the rule that slows down password guessing.

pub mod email;
pub mod goods;
pub mod id;
pub mod login_guard;
pub mod money;
pub mod order;
pub mod password;
pub mod role;
pub mod signature;
pub mod token;
pub mod user;
pub mod username;

pub use email::Email;
pub use goods::{Goods, GoodsFields, GoodsInput, Rating};
pub use id::{is_id, new_id};
pub use money::{Currency, Price};
pub use password::Password;
pub use role::Role;
pub use token::{SecretToken, TokenHash};
pub use user::{User, UserStatus};
pub use username::Username;
