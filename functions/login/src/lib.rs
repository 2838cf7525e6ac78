//! `POST /auth/login`: a username or email and a password in, a session token out.
//!
//! The rules (one answer and one amount of work for unknown users and wrong passwords,
//! the lock after repeated failures) are `shop::accounts::signin`'s.

use lambda_http::{Body, Request, Response};
use shop::accounts::api::{LoginAnswer, LoginBody};
use shop::accounts::signin::{SignIn, SESSION_TTL_SECS};
use shop::auth;
use shop::clock;
use shop::error::ApiError;
use shop::http;

/// What the function needs, built once per cold start.
pub type Context = SignIn;

/// Log in with a username or email and a password; sets the session cookie.
pub async fn handler(sign_in: &SignIn, req: Request) -> Result<Response<Body>, ApiError> {
    let body: LoginBody = http::json_body(&req)?;
    body.validate()?;
    let client = http::client_address(&req);
    let session = sign_in
        .login(&body.username, &body.password, &client)
        .await?;
    let cookie = auth::session_cookie(session.token.expose(), SESSION_TTL_SECS);
    let answer = http::ok(&LoginAnswer {
        token: session.token.expose().to_owned(),
        expires_at: clock::rfc3339_from_unix(session.expires_at),
        user: session.user,
    })?;
    http::with_cookie(answer, &cookie)
}

#[cfg(test)]
shop_testing::answers! {
    a_missing_password_is_named: "missing-password" => 422, {"error": {"fields": {"password": "is required"}}};
}
