//! Accounts: registration, activation, sign-in, sessions and the user's own information.
//!
//! - [`username`], [`email`], [`password`]: the credentials, parsed once at the edge.
//! - [`role`]: customer or merchant.
//! - [`user`]: an account as the API shows it.
//! - [`token`]: random secrets handed to clients and stored only as hashes.
//! - [`login_guard`]: the rule that slows down password guessing.
//! - [`repo`]: the users table (accounts, uniqueness, activation tokens, login failures).
//! - [`activation`], [`attempts`]: the users table's activation tokens and login
//!   attempts per name and client.
//! - [`sessions`]: the sessions table.
//! - [`signin`]: signing in, the lock against guessing, new sessions.
//! - [`registration`]: registering, and resending the activation link ([`Registrations`]).
//! - [`addresses`]: saved shipping addresses ([`Addresses`]); [`address_book`], their item
//!   in the users table.
//! - [`email_change`]: a new email address, confirmed from its own mailbox.
//! - [`grants`]: single-use tokens for a password reset or an email change.
//! - [`recovery`]: a forgotten password: the request, the email, the new password.
//! - [`profile`]: the display name and the password hash of an account.
//! - [`service`]: activating, reading and editing one's account, changing its password,
//!   logging out of one session or all ([`Accounts`]).
//! - [`api`]: the request bodies and answers of the account routes.

pub mod activation;
pub mod address_book;
pub mod addresses;
pub mod api;
pub mod attempts;
pub mod email;
pub mod email_change;
pub mod grants;
pub mod login_guard;
pub mod password;
pub mod profile;
pub mod recovery;
pub mod registration;
pub mod repo;
pub mod role;
pub mod service;
pub mod sessions;
pub mod signin;
pub mod token;
pub mod user;
pub mod username;

pub use addresses::Addresses;
pub use email::Email;
pub use password::Password;
pub use registration::{Registration, Registrations};
pub use role::Role;
pub use service::Accounts;
pub use token::{SecretToken, TokenHash};
pub use user::{User, UserStatus};
pub use username::Username;
