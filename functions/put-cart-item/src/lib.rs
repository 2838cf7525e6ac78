//! `PUT /cart/items/{goods_id}` `{quantity}`: sets how many of the goods the cart
//! holds (adding the line if new) and publishes a `cart` event.
//!
//! Only goods on sale can be added (404 otherwise); a cart holds at most 100 lines.

use lambda_http::{Body, Request, Response};
use shop::auth::Customer;
use shop::cart::api::PutBody;
use shop::cart::repo::{CartLine, MAX_CART_LINES};
use shop::clock;
use shop::error::{ApiError, FieldErrors};
use shop::events::{AddedToCart, Envelope, Event};
use shop::http;
use shop::orders::order::Quantity;

/// What the function needs, built once per cold start.
pub type Context = shop::cart::Carts;

/// Set how many of the goods the cart holds.
pub async fn handler(ctx: &Context, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = Customer::from_request(&ctx.sessions, &req).await?;
    let goods_id = http::id_param(&req, "goods_id")?;
    let body: PutBody = http::json_body(&req)?;
    let quantity =
        Quantity::new(body.quantity).map_err(|e| FieldErrors::single("quantity", e.to_string()))?;
    let (goods, lines) = tokio::join!(ctx.goods.get(&goods_id), ctx.carts.lines(&caller.user_id));
    goods?.ok_or(ApiError::NotFound)?;
    let mut lines = lines?;
    let line = CartLine {
        user_id: caller.user_id.clone(),
        goods_id: goods_id.clone(),
        quantity: quantity.get(),
        added_at: clock::rfc3339(clock::now()),
    };
    let count = lines.len();
    match lines.iter_mut().find(|l| l.goods_id == goods_id) {
        Some(existing) => existing.quantity = line.quantity,
        None if count >= MAX_CART_LINES => {
            return Err(ApiError::Unprocessable {
                code: "cart_full",
                message: format!("A cart holds at most {MAX_CART_LINES} different goods."),
            })
        }
        None => lines.push(line.clone()),
    }
    ctx.carts.put(&line).await?;
    let added = Event::Cart(AddedToCart {
        quantity: line.quantity,
    });
    let event = Envelope::new(added, Some(&caller.user_id), Some(&goods_id));
    ctx.events.publish_or_log(&event).await;
    http::ok(&ctx.view(lines).await?)
}
