//! The `accounts` operations: register, activate, log in and out, recover a password;
//! the caller's account, email, password, sessions and saved addresses.
//! Each declaration documents the function named in the comment above it (its handler
//! is `<function>::handler`); its doc comment becomes the operation's description.

// functions/activate
#[utoipa::path(
    get,
    operation_id = "activate",
    path = "/auth/activate",
    tag = "accounts",
    summary = "Activate an account from its emailed link",
    params(("token" = String, Query, description = "the single-use token from the email")),
    responses(
        (status = 200, description = "{\"status\": \"active\"}", body = shop::accounts::api::ActivateAnswer),
        (status = 400, description = "invalid_token: unknown, used, or expired after 24 h", body = shop::error::ErrorBody),
        crate::answers::Internal
    )
)]
/// Activate an account from its emailed link.
///
/// # Errors
/// 400 `invalid_token`; 500 when AWS fails.
pub fn activate() {}

// functions/change-password
#[utoipa::path(
    post,
    operation_id = "change_password",
    path = "/me/password",
    tag = "accounts",
    summary = "Change the caller's password; every other session is revoked",
    request_body = shop::accounts::api::PasswordBody,
    responses(
        (status = 204, description = "changed; only the calling session still works"),
        (status = 401, description = "unauthenticated, or invalid_credentials for a wrong current_password", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        (status = 422, description = "validation_failed or weak_password, naming new_password", body = shop::error::ErrorBody),
        (status = 429, description = "too_many_attempts, with Retry-After", body = shop::error::ErrorBody),
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Change the caller's password; every other session is revoked.
///
/// # Errors
/// 401, 422, 429 per the contract; 500 when DynamoDB fails.
pub fn change_password() {}

// functions/confirm-email-change
#[utoipa::path(
    post,
    operation_id = "confirm_email_change",
    path = "/auth/email-change/confirm",
    tag = "accounts",
    summary = "Move the account to its new email address with the token sent there",
    request_body = shop::accounts::api::EmailChangeConfirmBody,
    responses(
        (status = 200, description = "the account, with its new email", body = shop::accounts::User),
        (status = 400, description = "invalid_json, or invalid_token (unknown, used, superseded or expired)", body = shop::error::ErrorBody),
        (status = 409, description = "email_taken: the address was taken meanwhile", body = shop::error::ErrorBody),
        (status = 413, description = "payload_too_large (over 64 KiB)", body = shop::error::ErrorBody),
        (status = 415, description = "unsupported_media_type", body = shop::error::ErrorBody),
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Move the account to its new email address with the token sent there.
///
/// # Errors
/// 400 `invalid_token`, 409 `email_taken`; 500 when DynamoDB fails.
pub fn confirm_email_change() {}

// functions/create-address
#[utoipa::path(
    post,
    operation_id = "create_address",
    path = "/me/addresses",
    tag = "accounts",
    summary = "Save a shipping address (at most 20)",
    request_body = shop::accounts::addresses::NewAddressBody,
    responses(
        (status = 201, description = "the saved address", body = shop::accounts::addresses::SavedAddress),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        (status = 409, description = "too_many_addresses", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Save a shipping address (at most 20).
///
/// # Errors
/// 401, 403 (merchants), 409 `too_many_addresses`, 422 naming the fields; 500 when
/// DynamoDB fails.
pub fn create_address() {}

// functions/delete-address
#[utoipa::path(
    delete,
    operation_id = "delete_address",
    path = "/me/addresses/{address_id}",
    tag = "accounts",
    summary = "Delete one of the caller's saved addresses",
    params(("address_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$", description = "the address's id")),
    responses(
        (status = 204, description = "deleted"),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::NotFound,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Delete one of the caller's saved addresses.
///
/// # Errors
/// 401, 403 (merchants), 404 (unknown or another customer's); 500 when DynamoDB fails.
pub fn delete_address() {}

// functions/list-addresses
#[utoipa::path(
    get,
    operation_id = "list_addresses",
    path = "/me/addresses",
    tag = "accounts",
    summary = "The caller's saved addresses, oldest first",
    responses(
        (status = 200, description = "the addresses", body = shop::accounts::addresses::AddressList),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The caller's saved addresses, oldest first.
///
/// # Errors
/// 401, 403 (merchants); 500 when DynamoDB fails.
pub fn list_addresses() {}

// functions/login
#[utoipa::path(
    post,
    operation_id = "login",
    path = "/auth/login",
    tag = "accounts",
    summary = "Log in with a username or email and a password; sets the session cookie",
    request_body = shop::accounts::api::LoginBody,
    responses(
        (status = 200, description = "the session token, its expiry and the user", body = shop::accounts::api::LoginAnswer),
        (status = 401, description = "invalid_credentials: an unknown user and a wrong password alike", body = shop::error::ErrorBody),
        (status = 403, description = "account_not_activated (only after a correct password)", body = shop::error::ErrorBody),
        (status = 429, description = "too_many_attempts; see Retry-After", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Log in with a username or email and a password; sets the session cookie.
///
/// # Errors
/// 401 `invalid_credentials`, 403 `account_not_activated`, 429 `too_many_attempts`,
/// 4xx for a malformed body; 500 when DynamoDB fails.
pub fn login() {}

// functions/logout
#[utoipa::path(
    post,
    operation_id = "logout",
    path = "/auth/logout",
    tag = "accounts",
    summary = "Revoke the caller's session at once",
    responses(
        (status = 204, description = "logged out"),
        crate::answers::Unauthenticated,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Revoke the caller's session at once.
///
/// # Errors
/// 401 without a live session; 500 when DynamoDB fails.
pub fn logout() {}

// functions/logout-all
#[utoipa::path(
    post,
    operation_id = "logout_all",
    path = "/auth/logout-all",
    tag = "accounts",
    summary = "Revoke every session of the caller at once, this one included",
    responses(
        (status = 204, description = "every session revoked"),
        crate::answers::Unauthenticated,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Revoke every session of the caller at once, this one included.
///
/// # Errors
/// 401 without a live session; 500 when DynamoDB fails.
pub fn logout_all() {}

// functions/me
#[utoipa::path(
    get,
    operation_id = "me",
    path = "/me",
    tag = "accounts",
    summary = "The caller's account",
    responses(
        (status = 200, description = "the account", body = shop::accounts::User),
        crate::answers::Unauthenticated,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The caller's account.
///
/// # Errors
/// 401 without a live session (or when its account is gone); 500 when DynamoDB fails.
pub fn me() {}

// functions/register
#[utoipa::path(
    post,
    operation_id = "register",
    path = "/auth/register",
    tag = "accounts",
    summary = "Register an account and email its activation link",
    request_body = shop::accounts::api::RegisterBody,
    responses(
        (status = 201, description = "the account, pending activation", body = shop::accounts::User),
        (status = 409, description = "username_taken or email_taken", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::NewPassword,
        crate::answers::Internal
    )
)]
/// Register an account and email its activation link.
///
/// # Errors
/// 4xx per the contract; 500 when AWS fails.
pub fn register() {}

// functions/request-email-change
#[utoipa::path(
    post,
    operation_id = "request_email_change",
    path = "/me/email",
    tag = "accounts",
    summary = "Ask to change the caller's email; the new address confirms it",
    request_body = shop::accounts::api::EmailBody,
    responses(
        (status = 202, description = "a confirmation token went to the new address, a notice to the old one"),
        (status = 401, description = "unauthenticated, or invalid_credentials for a wrong password", body = shop::error::ErrorBody),
        (status = 409, description = "email_taken", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        (status = 422, description = "validation_failed naming new_email (invalid, or the current address)", body = shop::error::ErrorBody),
        (status = 429, description = "too_many_attempts, with Retry-After", body = shop::error::ErrorBody),
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Ask to change the caller's email; the new address confirms it.
///
/// # Errors
/// 401, 409, 422, 429 per the contract; 500 when AWS fails.
pub fn request_email_change() {}

// functions/request-password-reset
#[utoipa::path(
    post,
    operation_id = "request_password_reset",
    path = "/auth/password-reset",
    tag = "accounts",
    summary = "Email a password reset token (answered 202 whether or not the address has an account)",
    request_body = shop::accounts::api::ResetBody,
    responses(
        (status = 202, description = "accepted"),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Email a password reset token (answered 202 whether or not the address has an account).
///
/// # Errors
/// 4xx for a malformed body; 500 when SQS fails.
pub fn request_password_reset() {}

// functions/resend-activation
#[utoipa::path(
    post,
    operation_id = "resend_activation",
    path = "/auth/activation-email",
    tag = "accounts",
    summary = "Send a fresh activation link (answered 202 whether or not the address has an account)",
    request_body = shop::accounts::api::ResendBody,
    responses(
        (status = 202, description = "accepted"),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    )
)]
/// Send a fresh activation link (answered 202 whether or not the address has an account).
///
/// # Errors
/// 4xx for a malformed body; 500 when DynamoDB fails.
pub fn resend_activation() {}

// functions/reset-password
#[utoipa::path(
    post,
    operation_id = "reset_password",
    path = "/auth/password-reset/confirm",
    tag = "accounts",
    summary = "Choose a new password with the emailed token; every session is revoked",
    request_body = shop::accounts::api::ResetConfirmBody,
    responses(
        (status = 204, description = "the password is changed"),
        (status = 400, description = "invalid_json, or invalid_token (unknown, used, superseded or expired)", body = shop::error::ErrorBody),
        (status = 413, description = "payload_too_large (over 64 KiB)", body = shop::error::ErrorBody),
        (status = 415, description = "unsupported_media_type", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed or weak_password, naming new_password", body = shop::error::ErrorBody),
        crate::answers::Internal
    )
)]
/// Choose a new password with the emailed token; every session is revoked.
///
/// # Errors
/// 400 `invalid_token`, 422 for the new password; 500 when DynamoDB fails.
pub fn reset_password() {}

// functions/update-me
#[utoipa::path(
    patch,
    operation_id = "update_me",
    path = "/me",
    tag = "accounts",
    summary = "Set or clear the caller's display name",
    request_body = shop::accounts::api::ProfileBody,
    responses(
        (status = 200, description = "the account", body = shop::accounts::User),
        crate::answers::Unauthenticated,
        crate::answers::JsonBody,
        (status = 422, description = "validation_failed: display_name, or username, email or role (not editable here)", body = shop::error::ErrorBody),
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Set or clear the caller's display name.
///
/// # Errors
/// 401 without a live session; 422 naming the wrong or read-only fields; 500 when
/// DynamoDB fails.
pub fn update_me() {}
