//! `PATCH /me`: sets or clears the caller's display name. Username, email and role are
//! not editable here: naming them answers 422 with each named in `fields`.

use lambda_http::{Body, Request, Response};
use shop::accounts::api::ProfileBody;
use shop::accounts::profile::DisplayName;
use shop::accounts::Accounts;
use shop::auth::User;
use shop::error::{ApiError, FieldErrors};
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = Accounts;

/// Set or clear the caller's display name.
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

#[cfg(test)]
shop_testing::refuses_anonymous_callers!();
