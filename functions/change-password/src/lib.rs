//! `POST /me/password`: changes the caller's password after checking the current one.
//! Every other session of the caller is revoked, the calling one stays. A wrong current
//! password answers 401 `invalid_credentials` and counts as a failed login.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shop::accounts::Accounts;
use shop::auth::User;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Accounts;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    current_password: String,
    /// At least 10 characters (at most 256), not easily guessed.
    #[schema(min_length = 10, max_length = 256)]
    new_password: String,
}

#[utoipa::path(
    post,
    operation_id = "change_password",
    path = "/me/password",
    tag = "accounts",
    summary = "Change the caller's password; every other session is revoked",
    request_body = PasswordBody,
    responses(
        (status = 204, description = "changed; only the calling session still works"),
        (status = 401, description = "unauthenticated, or invalid_credentials for a wrong current_password", body = shop::error::ErrorBody),
        shop::error::answers::JsonBody,
        (status = 422, description = "validation_failed or weak_password, naming new_password", body = shop::error::ErrorBody),
        (status = 429, description = "too_many_attempts, with Retry-After", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Change the caller's password; every other session is revoked.
///
/// # Errors
/// 401, 422, 429 per the contract; 500 when DynamoDB fails.
pub async fn handler(accounts: &Accounts, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = User::from_request(&accounts.sessions, &req).await?;
    let body: PasswordBody = http::json_body(&req)?;
    let client = http::client_address(&req);
    accounts
        .change_password(&caller, &body.current_password, &body.new_password, &client)
        .await?;
    Ok(http::no_content())
}

shop::refuses_anonymous_callers!("change-password");
