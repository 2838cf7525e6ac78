//! The `cart and orders` operations: cart, orders, payments and the payment provider's
//! webhook.
//! Each declaration documents the function named in the comment above it (its handler
//! is `<function>::handler`); its doc comment becomes the operation's description.

// functions/cancel-order
#[utoipa::path(
    post,
    operation_id = "cancel_order",
    path = "/orders/{order_id}/cancel",
    tag = "cart and orders",
    summary = "Cancel an order; its stock returns, and a paid one's money",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the order: `cancelled` when it was unpaid, `refund_pending` when it was paid", body = shop::orders::Order),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::NotFound,
        (status = 409, description = "not_cancellable", body = shop::error::ErrorBody),
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Cancel an order. While `pending_payment` it becomes `cancelled` and its reserved stock
/// returns (its pending payment expires); while `paid` (not yet shipped) it becomes
/// `refund_pending`, its stock returns and its payment is refunded: the provider is asked
/// for the refund, and its `payment.refunded` webhook makes the order `refunded`.
///
/// # Errors
/// 401, 403 (merchants), 404, 409 `not_cancellable` (shipped, delivered, cancelled or
/// refunded); 500 when DynamoDB fails.
pub fn cancel_order() {}

// functions/confirm-delivery
#[utoipa::path(
    post,
    operation_id = "confirm_delivery",
    path = "/orders/{order_id}/confirm-delivery",
    tag = "cart and orders",
    summary = "The buyer confirms a shipped order arrived",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the delivered order", body = shop::orders::Order),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::NotFound,
        (status = 409, description = "invalid_transition", body = shop::error::ErrorBody),
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The buyer confirms a shipped order arrived.
///
/// # Errors
/// 401, 403 (merchants), 404, 409 `invalid_transition`; 500 when DynamoDB fails.
pub fn confirm_delivery() {}

// functions/create-payment
#[utoipa::path(
    post,
    operation_id = "create_payment",
    path = "/orders/{order_id}/payments",
    tag = "cart and orders",
    summary = "Create the payment order number for the provider, or answer the pending one",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = shop::payments::api::PayBody,
    responses(
        (status = 201, description = "a new pending payment", body = shop::payments::payment::Payment),
        (status = 200, description = "the order's pending, unexpired payment, created before", body = shop::payments::payment::Payment),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::NotFound,
        (status = 409, description = "not_payable", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Create the payment order number for the provider, with `checkout_url`, the provider's
/// page where the buyer pays, and `expires_at`, a minute before the order's own expiry:
/// the provider takes no money after it. An order has one pending payment at a time:
/// while it has one that is unexpired, this answers 200 with it instead of creating
/// another (a declined payment frees the order for a new one).
///
/// # Errors
/// 401, 403 (merchants), 404, 409 `not_payable` (not `pending_payment`, or less than a
/// minute left), 422; 500 when DynamoDB fails.
pub fn create_payment() {}

// functions/delete-cart-item
#[utoipa::path(
    delete,
    operation_id = "delete_cart_item",
    path = "/cart/items/{goods_id}",
    tag = "cart and orders",
    summary = "Remove the goods from the cart",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the cart", body = shop::cart::CartView),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::NotFound,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Remove the goods from the cart.
///
/// # Errors
/// 401, 403 (merchants), 404 for an id we never issue; 500 when DynamoDB fails.
pub fn delete_cart_item() {}

// functions/get-cart
#[utoipa::path(
    get,
    operation_id = "get_cart",
    path = "/cart",
    tag = "cart and orders",
    summary = "The caller's cart with the goods as they are now",
    responses(
        (status = 200, description = "the cart; total and currency are null when it mixes currencies", body = shop::cart::CartView),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The caller's cart with the goods as they are now.
///
/// # Errors
/// 401 without a session, 403 for merchants; 500 when DynamoDB fails.
pub fn get_cart() {}

// functions/get-order
#[utoipa::path(
    get,
    operation_id = "get_order",
    path = "/orders/{order_id}",
    tag = "cart and orders",
    summary = "One of the caller's orders, with its status history, payments and refund",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    responses(
        (status = 200, description = "the order with its payments", body = shop::orders::OrderView),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::NotFound,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// One of the caller's orders, with its status history, its payments (oldest first)
/// and, once asked for, its refund.
///
/// # Errors
/// 401, 403 (merchants), 404; 500 when DynamoDB fails.
pub fn get_order() {}

// functions/list-merchant-orders
#[utoipa::path(
    get,
    operation_id = "list_merchant_orders",
    path = "/merchant/orders",
    tag = "cart and orders",
    summary = "Orders for the caller's goods, newest first",
    params(("status" = Option<shop::orders::order::OrderStatus>, Query), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of orders", body = shop::orders::OrderPage),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers", body = shop::error::ErrorBody),
        crate::answers::InvalidCursor,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Orders for the caller's goods, newest first.
///
/// # Errors
/// 401, 403 (customers), 422 `status` / `limit`, 400 `invalid_cursor`; 500 when
/// DynamoDB fails.
pub fn list_merchant_orders() {}

// functions/list-orders
#[utoipa::path(
    get,
    operation_id = "list_orders",
    path = "/orders",
    tag = "cart and orders",
    summary = "The caller's orders, newest first",
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "a page of orders", body = shop::orders::OrderPage),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::InvalidCursor,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The caller's orders, newest first.
///
/// # Errors
/// 401, 403 (merchants), 422 `limit`, 400 `invalid_cursor`; 500 when DynamoDB fails.
pub fn list_orders() {}

// functions/payment-webhook
#[utoipa::path(
    post,
    operation_id = "payment_webhook",
    path = "/payments/webhook",
    tag = "cart and orders",
    summary = "The payment provider reports a payment's outcome or a refund (signed with Payment-Signature)",
    params(("Payment-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>; at most 5 v1 values")),
    request_body = shop::payments::repo::WebhookEvent,
    responses(
        (status = 200, description = "received (applied once, or recorded)", body = shop::payments::api::WebhookAnswer),
        (status = 400, description = "invalid_signature or invalid_json", body = shop::error::ErrorBody),
        crate::answers::Invalid,
        (status = 413, description = "payload_too_large (over 64 KiB)", body = shop::error::ErrorBody),
        crate::answers::Internal
    )
)]
/// The payment provider reports a payment's outcome or a refund (signed with
/// Payment-Signature). `payment.succeeded` pays the order of a pending payment; money
/// captured for an order that can't take it (cancelled, expired, or already paid) is
/// refunded automatically and the order doesn't change. `payment.failed` fails a pending
/// payment; after a success it changes nothing. `payment.refunded` completes the
/// payment's refund, and moves the order `refund_pending → refunded`. Each `event_id` is
/// applied once; a status never moves backwards.
///
/// # Errors
/// 400 `invalid_signature` / `invalid_json`, 422 for a signed body of the wrong shape;
/// 500 when AWS fails (the provider retries).
pub fn payment_webhook() {}

// functions/place-order
#[utoipa::path(
    post,
    operation_id = "place_order",
    path = "/orders",
    tag = "cart and orders",
    summary = "Place an order: the given lines, or the cart's (stock reserved atomically; Idempotency-Key honoured)",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "same key, same user, within 24 h: the first answer again")),
    request_body = shop::orders::api::PlaceBody,
    responses(
        (status = 201, description = "the order, pending payment", body = shop::orders::Order),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        (status = 409, description = "out_of_stock (naming goods_ids) or idempotency_in_progress", body = shop::error::ErrorBody),
        (status = 422, description = "validation_failed, empty_cart, mixed_merchants, mixed_currency, too_many_items or idempotency_key_reused", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Place an order: the given lines, or the cart's (stock reserved atomically; Idempotency-Key honoured).
///
/// # Errors
/// 401, 403 (merchants), 409 `out_of_stock` / `idempotency_in_progress`, 422 per the
/// contract; 500 when DynamoDB fails.
pub fn place_order() {}

// functions/put-cart-item
#[utoipa::path(
    put,
    operation_id = "put_cart_item",
    path = "/cart/items/{goods_id}",
    tag = "cart and orders",
    summary = "Set how many of the goods the cart holds",
    params(("goods_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = shop::cart::api::PutBody,
    responses(
        (status = 200, description = "the cart", body = shop::cart::CartView),
        crate::answers::Unauthenticated,
        crate::answers::CustomersOnly,
        crate::answers::NotFound,
        (status = 422, description = "validation_failed, or cart_full", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// Set how many of the goods the cart holds.
///
/// # Errors
/// 401, 403 (merchants), 404 (goods not on sale), 422 (quantity, full cart); 500 when
/// AWS fails.
pub fn put_cart_item() {}

// functions/refund-order
#[utoipa::path(
    post,
    operation_id = "refund_order",
    path = "/orders/{order_id}/refund",
    tag = "cart and orders",
    summary = "The order's merchant refunds a paid order it can't fulfil",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = shop::orders::api::RefundBody,
    responses(
        (status = 200, description = "the order, `refund_pending`", body = shop::orders::Order),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers", body = shop::error::ErrorBody),
        crate::answers::NotFound,
        (status = 409, description = "invalid_transition", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The order's merchant refunds a paid order it can't fulfil: `paid → refund_pending`,
/// its stock returns and the payment is refunded (the provider's `payment.refunded`
/// webhook then makes it `refunded`).
///
/// # Errors
/// 401, 403 (customers), 404 (not the merchant's), 409 `invalid_transition` unless paid,
/// 422; 500 when DynamoDB fails.
pub fn refund_order() {}

// functions/ship-order
#[utoipa::path(
    post,
    operation_id = "ship_order",
    path = "/orders/{order_id}/ship",
    tag = "cart and orders",
    summary = "The order's merchant ships a paid order",
    params(("order_id" = String, Path, pattern = "^[0-9A-HJKMNP-TV-Z]{26}$")),
    request_body = shop::orders::api::ShipBody,
    responses(
        (status = 200, description = "the shipped order", body = shop::orders::Order),
        crate::answers::Unauthenticated,
        (status = 403, description = "forbidden: customers", body = shop::error::ErrorBody),
        crate::answers::NotFound,
        (status = 409, description = "invalid_transition", body = shop::error::ErrorBody),
        crate::answers::JsonBody,
        crate::answers::Invalid,
        crate::answers::Internal
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
/// The order's merchant ships a paid order.
///
/// # Errors
/// 401, 403 (customers), 404 (not the merchant's), 409 `invalid_transition`, 422; 500
/// when DynamoDB fails.
pub fn ship_order() {}
