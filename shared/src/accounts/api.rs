//! The request bodies and answers of the account routes, as the functions read and
//! write them and as the OpenAPI document describes them (each field's limits are the
//! contract's; the rules that enforce them are the domain types').

use serde::{Deserialize, Deserializer, Serialize};

use super::Role;
use crate::error::{ApiError, FieldErrors};

// `POST /auth/register`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    #[schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9_-]+$")]
    pub username: String,
    #[schema(max_length = 254, example = "li.lei@example.com")]
    pub email: String,
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    #[serde(default)]
    pub role: Option<Role>,
}

/// The account's new status.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ActivateAnswer {
    /// Always `active`.
    pub status: String,
}

// `POST /auth/login`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// A username, or an email address.
    #[schema(min_length = 1, max_length = 254)]
    pub username: String,
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

impl LoginBody {
    /// Both fields within their lengths, every wrong one named.
    ///
    /// # Errors
    /// 422 naming each field out of bounds.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut fields = FieldErrors::new();
        if !(1..=254).contains(&self.username.chars().count()) {
            fields.add("username", "must be 1 to 254 characters");
        }
        if !(1..=256).contains(&self.password.chars().count()) {
            fields.add("password", "must be 1 to 256 characters");
        }
        fields.into_result()
    }
}

/// A new session.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginAnswer {
    /// Send as `Authorization: Bearer <token>` (or rely on the `session` cookie).
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
    pub user: super::User,
}

// `POST /auth/activation-email`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendBody {
    pub email: String,
}

// `POST /auth/password-reset`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    pub email: String,
}

// `POST /auth/password-reset/confirm`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmBody {
    /// The token from the reset email.
    pub token: String,
    /// At least 10 characters (at most 256), not easily guessed.
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

// `PATCH /me`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    /// 1–64 characters; `null` clears it; absent leaves it as it is.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 64)]
    pub display_name: Option<Option<String>>,
}

/// A member that is there, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

// `POST /me/password`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    pub current_password: String,
    /// At least 10 characters (at most 256), not easily guessed.
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

// `POST /me/email`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailBody {
    /// The address to move to.
    #[schema(format = "email", max_length = 254)]
    pub new_email: String,
    /// The account's password.
    pub password: String,
}

// `POST /auth/email-change/confirm`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChangeConfirmBody {
    /// The token from the email sent to the new address.
    pub token: String,
}
