//! `POST /auth/register`: creates a pending account and emails its activation link.
//!
//! The password is hashed (argon2id) inline, first; then the account, its username and
//! email reservations and the activation token are written in one conditional
//! transaction, which is what decides whether the name is free, so concurrent
//! registrations of the same name leave exactly one account (a read before it would cost
//! a request and decide nothing).

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::repo::{NewUser, UsersRepo};
use shop::accounts::Email;
use shop::accounts::Password;
use shop::accounts::Role;
use shop::accounts::SecretToken;
use shop::accounts::Username;
use shop::aws::Aws;
use shop::clock;
use shop::config::ConfigError;
use shop::error::{ApiError, FieldErrors};
use shop::http;
use shop::mail::Mailer;

/// What the function needs, built once per cold start.
pub struct Context {
    users: UsersRepo,
    mailer: Mailer,
}

impl Context {
    /// Reads the configuration and builds the clients.
    ///
    /// # Errors
    /// A missing variable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        let aws = Aws::from_env()?;
        Ok(Self {
            users: UsersRepo::from_env(aws.dynamodb())?,
            mailer: Mailer::from_env(aws.ses())?,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    #[schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9_-]+$")]
    username: String,
    #[schema(max_length = 254, example = "li.lei@example.com")]
    email: String,
    #[schema(min_length = 10, max_length = 256)]
    password: String,
    #[serde(default)]
    role: Option<Role>,
}

struct Registration {
    username: Username,
    email: Email,
    password: Password,
    role: Role,
}

impl TryFrom<RegisterBody> for Registration {
    type Error = ApiError;

    fn try_from(body: RegisterBody) -> Result<Self, ApiError> {
        let mut fields = FieldErrors::new();
        let username = fields.check("username", Username::parse(&body.username));
        let email = fields.check("email", Email::parse(&body.email));
        let password = fields.check("password", Password::parse(&body.password));
        match (username, email, password) {
            (Some(username), Some(email), Some(password)) => Ok(Self {
                username,
                email,
                password,
                role: body.role.unwrap_or_default(),
            }),
            _ => Err(ApiError::Validation(fields)),
        }
    }
}

#[utoipa::path(
    post,
    operation_id = "register",
    path = "/auth/register",
    tag = "accounts",
    summary = "Register an account and email its activation link",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "the account, pending activation", body = shop::accounts::User),
        (status = 409, description = "username_taken or email_taken", body = shop::error::ErrorBody),
        shop::error::answers::JsonBody,
        shop::error::answers::Invalid,
        shop::error::answers::Internal
    )
)]
/// Register an account and email its activation link.
///
/// # Errors
/// 4xx per the contract; 500 when AWS fails.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let registration = Registration::try_from(http::json_body::<RegisterBody>(&req)?)?;
    let password = registration.password;
    // Inline, not on the blocking pool: see `shop::accounts::password` on memory.
    let password_hash = password
        .hash()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let user = NewUser {
        user_id: shop::ids::new_id(),
        username: registration.username,
        email: registration.email,
        role: registration.role,
        password_hash,
        created_at: clock::now(),
    };
    let token = SecretToken::generate();
    ctx.users.create(&user, &token.hash()).await?;
    tracing::info!(user_id = %user.user_id, role = user.role.as_str(), "user registered");

    // The account exists either way; a failed email can be resent by the user.
    if let Err(e) = ctx
        .mailer
        .send_activation(user.email.as_str(), user.username.as_str(), &token)
        .await
    {
        tracing::error!(user_id = %user.user_id, error = %shop::error::ErrorChain(e.as_ref()),
            "activation email not sent");
    }
    http::created(&user.public())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(json: &str) -> (u16, serde_json::Value) {
        shop::testing::answer(Context::from_env, handler, json).await
    }

    #[tokio::test]
    async fn invalid_fields_are_all_named() {
        let (status, body) =
            answer(include_str!("../../../events/register/invalid-fields.json")).await;
        assert_eq!(status, 422);
        let fields = &body["error"]["fields"];
        assert_eq!(
            fields["username"],
            "must be 3 to 32 characters of letters, digits, '_' and '-'"
        );
        assert_eq!(fields["email"], "is not a valid email address");
        assert_eq!(fields["password"], "must be at least 10 characters");
    }

    #[tokio::test]
    async fn an_unknown_role_is_refused() {
        let (status, body) =
            answer(include_str!("../../../events/register/unknown-role.json")).await;
        assert_eq!(status, 422);
        assert!(body["error"]["fields"]["role"]
            .as_str()
            .unwrap()
            .contains("unknown variant"));
    }

    #[tokio::test]
    async fn malformed_json_is_a_400() {
        let (status, body) =
            answer(include_str!("../../../events/register/malformed-json.json")).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_json");
    }
}
