//! The OpenAPI 3.1 document of the shop's HTTP API, generated from the code: each
//! function's handler carries its `#[utoipa::path]` (route, auth, parameters, request
//! schema with its limits, every answer it can give), and the request and response
//! types derive their schemas. `cargo run -p openapi` writes `openapi.json`; a test
//! fails when the committed file differs from what the code generates, or when the
//! document's operations and `template.yaml`'s routes differ.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
        activate::handler,
        cancel_order::handler,
        change_password::handler,
        confirm_delivery::handler,
        confirm_email_change::handler,
        create_address::handler,
        create_goods::handler,
        create_payment::handler,
        create_review::handler,
        delete_address::handler,
        delete_cart_item::handler,
        delete_goods::handler,
        get_cart::handler,
        get_goods::handler,
        get_order::handler,
        list_addresses::handler,
        list_goods::handler,
        list_merchant_orders::handler,
        list_orders::handler,
        list_reviews::handler,
        login::handler,
        logout::handler,
        logout_all::handler,
        me::handler,
        payment_webhook::handler,
        place_order::handler,
        put_cart_item::handler,
        recommend::handler,
        register::handler,
        reply_review::handler,
        request_email_change::handler,
        request_password_reset::handler,
        resend_activation::handler,
        reset_password::handler,
        search::handler,
        ship_order::handler,
        similar_goods::handler,
        update_goods::handler,
        update_me::handler
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
