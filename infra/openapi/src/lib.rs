//! The OpenAPI 3.1 document of the shop's HTTP API, generated from the code: each
//! function's operation is declared in [`paths`] (route, auth, parameters, every answer
//! it can give), and the request and response types, in each feature's `shop::<feature>::api`
//! and beside its domain types, derive their schemas with their limits. `cargo run -p openapi` writes `openapi.json`; a test
//! fails when the committed file differs from what the code generates, or when the
//! document's operations and `template.yaml`'s routes differ.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub mod answers;
pub mod paths;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "shop",
        version = "0.1.0",
        description = "A shop's serverless backend: accounts, goods, cart and orders with a signed payment webhook, reviews, keyword search and recommendations. \
Money is an integer count of minor units with an ISO 4217 currency; timestamps are RFC 3339 in UTC; ids are ULIDs. \
Errors answer `{\"error\": {\"code\", \"message\", \"fields\"?}}`. Text (names, descriptions, reviews, replies) is returned \
exactly as written and is never HTML: clients must escape it when displaying it."
    ),
    paths(
        paths::accounts::activate,
        paths::accounts::change_password,
        paths::accounts::confirm_email_change,
        paths::accounts::create_address,
        paths::accounts::delete_address,
        paths::accounts::list_addresses,
        paths::accounts::login,
        paths::accounts::logout,
        paths::accounts::logout_all,
        paths::accounts::me,
        paths::accounts::register,
        paths::accounts::request_email_change,
        paths::accounts::request_password_reset,
        paths::accounts::resend_activation,
        paths::accounts::reset_password,
        paths::accounts::update_me,
        paths::goods::create_goods,
        paths::goods::delete_goods,
        paths::goods::get_goods,
        paths::goods::list_goods,
        paths::goods::update_goods,
        paths::goods::upload_image,
        paths::goods::delete_image,
        paths::orders::cancel_order,
        paths::orders::confirm_delivery,
        paths::orders::create_payment,
        paths::orders::delete_cart_item,
        paths::orders::get_cart,
        paths::orders::get_order,
        paths::orders::list_merchant_orders,
        paths::orders::list_orders,
        paths::orders::payment_webhook,
        paths::orders::place_order,
        paths::orders::put_cart_item,
        paths::orders::ship_order,
        paths::orders::refund_order,
        paths::reviews::create_review,
        paths::reviews::list_reviews,
        paths::reviews::reply_review,
        paths::search::search_goods,
        paths::search::suggest,
        paths::recommendations::recommendations,
        paths::recommendations::similar_goods
    ),
    components(schemas(shop::error::ErrorBody, shop::recs::model::Strategy)),
    modifiers(&Security),
    tags(
        (name = "accounts", description = "Register, activate, log in and out, recover a password; the caller's account, email, password, sessions and saved addresses"),
        (name = "goods", description = "Merchants' catalogue; anyone browses"),
        (name = "cart and orders", description = "Cart, orders, payments and the payment provider's webhook"),
        (name = "reviews", description = "Verified buyers' reviews and merchants' replies"),
        (name = "search", description = "Keyword search ranked by relevance, Chinese and English"),
        (name = "recommendations", description = "Item-to-item recommendations from browsing, carts and purchases"),
    )
)]
pub struct ApiDoc;

/// Declares the two ways to present a session.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The token from POST /auth/login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "session",
                "Set by POST /auth/login (HttpOnly, Secure, SameSite=Lax)",
            ))),
        );
    }
}

/// The document as pretty JSON, with a final newline.
pub fn document() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the document serialises");
    json.push('\n');
    json
}
