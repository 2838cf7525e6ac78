//! `PATCH /me`: sets or clears the caller's display name. Username, email and role are
//! not editable here: naming them answers 422 with each named in `fields`.

use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Deserializer};
use shop::accounts::profile::DisplayName;
use shop::accounts::Accounts;
use shop::auth::User;
use shop::error::{ApiError, FieldErrors};
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Accounts;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ProfileBody {
    /// 1–64 characters; `null` clears it; absent leaves it as it is.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 64)]
    display_name: Option<Option<String>>,
}

/// A member that is there, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[utoipa::path(
    patch,
    operation_id = "update_me",
    path = "/me",
    tag = "accounts",
    summary = "Set or clear the caller's display name",
    request_body = ProfileBody,
    responses(
        (status = 200, description = "the account", body = shop::accounts::User),
        shop::error::answers::Unauthenticated,
        shop::error::answers::JsonBody,
        (status = 422, description = "validation_failed: display_name, or username, email or role (not editable here)", body = shop::error::ErrorBody),
        shop::error::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Set or clear the caller's display name.
///
/// # Errors
/// 401 without a live session; 422 naming the wrong or read-only fields; 500 when
/// DynamoDB fails.
pub async fn handler(accounts: &Accounts, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = User::from_request(&accounts.sessions, &req).await?;
    let body: ProfileBody = http::json_body(&req)?;
    let user = match body.display_name {
        None => accounts.me(&caller).await?,
        Some(None) => accounts.set_display_name(&caller, None).await?,
        Some(Some(raw)) => {
            let name = DisplayName::parse(&raw)
                .map_err(|e| FieldErrors::single("display_name", e.to_string()))?;
            accounts.set_display_name(&caller, Some(&name)).await?
        }
    };
    http::ok(&user)
}

shop::refuses_anonymous_callers!("update-me");
