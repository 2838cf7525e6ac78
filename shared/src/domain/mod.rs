//! Domain types: parsed at the edge, trusted everywhere else. No AWS in here.
//!
//! - [`id`]: fresh ids.
//! - [`username`], [`email`], [`password`]: account credentials.
//! - [`role`]: customer or merchant.
//! - [`user`]: an account as the API shows it.
//! - [`token`]: random secrets handed to clients and stored only as hashes.
//! - [`login_guard`]: the rule that slows down password guessing.

pub mod email;
pub mod id;
pub mod login_guard;
pub mod password;
pub mod role;
pub mod token;
pub mod user;
pub mod username;

pub use email::Email;
pub use id::new_id;
pub use password::Password;
pub use role::Role;
pub use token::{SecretToken, TokenHash};
pub use user::{User, UserStatus};
pub use username::Username;
