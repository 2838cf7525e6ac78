//! Who is calling: the session token from `Authorization: Bearer <token>` or from the
//! `session` cookie that login sets, resolved through the sessions table.
//!
//! Sessions expire on read (the stored expiry is checked every time; DynamoDB TTL only
//! tidies up), logout deletes them, and revoking all of a user's sessions moves the
//! user's session generation past theirs (see [`crate::accounts::sessions`]), so a
//! revoked token fails at once.

use lambda_http::http::header;
use lambda_http::Request;

use crate::accounts::sessions::SessionsRepo;
use crate::accounts::Role;
use crate::accounts::TokenHash;
use crate::clock;
use crate::error::ApiError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "session";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The caller's user id.
    pub user_id: String,
    /// The caller's role.
    pub role: Role,
    /// The hash of the token the caller presented (to revoke it).
    pub token_hash: TokenHash,
}

impl Caller {
    /// Allows only callers with `role`.
    ///
    /// # Errors
    /// 403 `forbidden` for any other role.
    pub fn require_role(&self, role: Role) -> Result<(), ApiError> {
        if self.role == role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "Only {}s may do this.",
                role.as_str()
            )))
        }
    }
}

/// The session token the request presents, if any: the bearer token first, then the
/// `session` cookie.
pub fn presented_token(req: &Request) -> Option<String> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        });
    bearer.or_else(|| {
        req.headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                (name == SESSION_COOKIE).then(|| value.trim().to_owned())
            })
    })
}

/// A token has the shape we issue: 43 characters of URL-safe base64.
fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The caller behind the request's session.
///
/// # Errors
/// 401 `unauthenticated` when there is no token, or it is unknown, expired or revoked;
/// 500 when the sessions table can't be read.
pub async fn require_user(sessions: &SessionsRepo, req: &Request) -> Result<Caller, ApiError> {
    let token = presented_token(req)
        .filter(|t| well_formed(t))
        .ok_or(ApiError::Unauthenticated)?;
    let hash = TokenHash::of(&token);
    let session = sessions
        .get(&hash)
        .await?
        .filter(|s| s.expires_at > clock::now().unix_timestamp())
        .ok_or(ApiError::Unauthenticated)?;
    if sessions.generation(&session.user_id).await? != session.generation {
        return Err(ApiError::Unauthenticated);
    }
    Ok(Caller {
        user_id: session.user_id,
        role: session.role,
        token_hash: hash,
    })
}

/// The caller, when the request carries a live session; `None` for anonymous callers
/// and for tokens that are malformed, unknown, expired or revoked (for routes that
/// anyone may call, where a stale token must not turn into an error).
///
/// # Errors
/// 500 when the sessions table can't be read.
pub async fn optional_user(
    sessions: &SessionsRepo,
    req: &Request,
) -> Result<Option<Caller>, ApiError> {
    match require_user(sessions, req).await {
        Ok(caller) => Ok(Some(caller)),
        Err(ApiError::Unauthenticated) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Any signed-in caller, whatever the role.
#[derive(Debug, Clone)]
pub struct User(pub Caller);

/// A signed-in customer: the only role that shops, orders and reviews.
#[derive(Debug, Clone)]
pub struct Customer(pub Caller);

/// A signed-in merchant: the only role that sells.
#[derive(Debug, Clone)]
pub struct Merchant(pub Caller);

impl User {
    /// The caller behind the request's session.
    ///
    /// # Errors
    /// 401 without a live session; 500 when the sessions table can't be read.
    pub async fn from_request(sessions: &SessionsRepo, req: &Request) -> Result<Self, ApiError> {
        require_user(sessions, req).await.map(Self)
    }
}

impl Customer {
    /// The calling customer.
    ///
    /// # Errors
    /// 401 without a live session, 403 for merchants.
    pub async fn from_request(sessions: &SessionsRepo, req: &Request) -> Result<Self, ApiError> {
        let caller = require_user(sessions, req).await?;
        caller.require_role(Role::Customer)?;
        Ok(Self(caller))
    }
}

impl Merchant {
    /// The calling merchant.
    ///
    /// # Errors
    /// 401 without a live session, 403 for customers.
    pub async fn from_request(sessions: &SessionsRepo, req: &Request) -> Result<Self, ApiError> {
        let caller = require_user(sessions, req).await?;
        caller.require_role(Role::Merchant)?;
        Ok(Self(caller))
    }
}

macro_rules! derefs_to_caller {
    ($($role:ty),*) => {$(
        impl std::ops::Deref for $role {
            type Target = Caller;
            fn deref(&self) -> &Caller {
                &self.0
            }
        }
    )*};
}
derefs_to_caller!(User, Customer, Merchant);

/// The `Set-Cookie` value that carries a new session.
pub fn session_cookie(token: &str, max_age_secs: i64) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Lax"
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax")
}

/// The answer to a logout (of one session or all): 204, removing the session cookie.
///
/// # Errors
/// Never in practice: the cookie is a valid header value.
pub fn signed_out() -> Result<lambda_http::Response<lambda_http::Body>, ApiError> {
    crate::http::with_cookie(crate::http::no_content(), &cleared_session_cookie())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = lambda_http::http::Request::builder();
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::Empty).unwrap()
    }

    #[test]
    fn a_bearer_token_is_read_whatever_the_scheme_case() {
        let req = request(&[("authorization", "bearer abc")]);
        assert_eq!(presented_token(&req).as_deref(), Some("abc"));
    }

    #[test]
    fn the_session_cookie_is_read_among_others() {
        let req = request(&[("cookie", "theme=dark; session=tok123; lang=zh")]);
        assert_eq!(presented_token(&req).as_deref(), Some("tok123"));
    }

    #[test]
    fn the_bearer_token_wins_over_the_cookie() {
        let req = request(&[
            ("cookie", "session=cookie"),
            ("authorization", "Bearer header"),
        ]);
        assert_eq!(presented_token(&req).as_deref(), Some("header"));
    }

    #[test]
    fn other_schemes_are_not_tokens() {
        let req = request(&[("authorization", "Basic dXNlcjpwYXNz")]);
        assert_eq!(presented_token(&req), None);
    }

    #[test]
    fn only_tokens_of_the_issued_shape_are_looked_up() {
        let token = crate::accounts::SecretToken::generate();
        assert!(well_formed(token.expose()));
        assert!(!well_formed("short"));
        assert!(!well_formed(&"a".repeat(42).replace('a', "/")));
    }

    #[test]
    fn the_cookie_is_http_only_secure_and_lax() {
        let cookie = session_cookie("t", 60);
        for part in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=60"] {
            assert!(cookie.contains(part), "{cookie} lacks {part}");
        }
    }
}
