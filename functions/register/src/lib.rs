//! `POST /auth/register`: creates a pending account and emails its activation link
//! (the rules: [`shop::accounts::registration`]).

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::{Registration, Registrations, Role};
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Registrations;

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
        shop::error::answers::NewPassword,
        shop::error::answers::Internal
    )
)]
/// Register an account and email its activation link.
///
/// # Errors
/// 4xx per the contract; 500 when AWS fails.
pub async fn handler(
    registrations: &Registrations,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let body: RegisterBody = http::json_body(&req)?;
    let registration = Registration::parse(&body.username, &body.email, &body.password, body.role)?;
    http::created(&registrations.register(registration).await?)
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
