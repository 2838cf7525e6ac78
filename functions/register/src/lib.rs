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
pub async fn handler(signups: &Registrations, req: Request) -> Result<Response<Body>, ApiError> {
    let body: RegisterBody = http::json_body(&req)?;
    let registration = Registration::parse(&body.username, &body.email, &body.password, body.role)?;
    http::created(&signups.register(registration).await?)
}

#[cfg(test)]
shop_testing::answers! {
    invalid_fields_are_all_named: "invalid-fields" => 422, {"error": {"fields": {
        "username": "must be 3 to 32 characters of letters, digits, '_' and '-'",
        "email": "is not a valid email address",
        "password": "must be at least 10 characters"
    }}};
    an_unknown_role_is_refused: "unknown-role" => 422, {"error": {"fields": {"role": "unknown variant `admin`, expected `customer` or `merchant`"}}};
    malformed_json_is_a_400: "malformed-json" => 400, {"error": {"code": "invalid_json"}};
}
