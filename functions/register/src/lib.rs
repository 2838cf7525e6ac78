//! `POST /auth/register`: creates a pending account and emails its activation link
//! (the rules: [`shop::accounts::registration`]).

use lambda_http::{Body, Request, Response};
use shop::accounts::api::RegisterBody;
use shop::accounts::{Registration, Registrations};
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Registrations;

/// Register an account and email its activation link.
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
