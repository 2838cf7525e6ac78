//! The authorization matrix: for every route of `template.yaml`, who may call it, tried
//! with no session, a revoked session, the wrong role, and another owner's resource —
//! and, for every route that needs a session, the caller it admits, who gets the answer
//! the route gives them.
//! The table must name every route of the template, so a new route can't be forgotten.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use e2e::{order_body, Account, Api};
use local_stack::template::{self, LocalValues};
use reqwest::Method;
use serde_json::{json, Value};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// Anyone (the webhook proves itself with its signature instead).
    Public,
    /// Any signed-in user.
    AnyUser,
    /// Customers only.
    Customer,
    /// Merchants only.
    Merchant,
    /// Customers, and only for their own resource; someone else's answers this status.
    OwnCustomer(u16),
    /// Merchants, and only for their own resource; someone else's answers this status.
    OwnMerchant(u16),
}

fn matrix() -> BTreeMap<&'static str, Access> {
    use Access::*;
    BTreeMap::from([
        ("POST /auth/register", Public),
        ("GET /auth/activate", Public),
        ("POST /auth/activation-email", Public),
        ("POST /auth/login", Public),
        ("POST /auth/logout", AnyUser),
        ("GET /me", AnyUser),
        ("PATCH /me", AnyUser),
        ("POST /me/password", AnyUser),
        ("POST /auth/logout-all", AnyUser),
        ("POST /auth/password-reset", Public),
        ("POST /auth/password-reset/confirm", Public),
        ("POST /me/email", AnyUser),
        ("POST /auth/email-change/confirm", Public),
        ("GET /me/addresses", Customer),
        ("POST /me/addresses", Customer),
        ("DELETE /me/addresses/{address_id}", OwnCustomer(404)),
        ("GET /goods", Public),
        ("GET /goods/{goods_id}", Public),
        ("POST /goods", Merchant),
        ("PATCH /goods/{goods_id}", OwnMerchant(403)),
        ("DELETE /goods/{goods_id}", OwnMerchant(403)),
        ("POST /goods/{goods_id}/images", OwnMerchant(403)),
        (
            "DELETE /goods/{goods_id}/images/{image_id}",
            OwnMerchant(403),
        ),
        ("GET /cart", Customer),
        ("PUT /cart/items/{goods_id}", Customer),
        ("DELETE /cart/items/{goods_id}", Customer),
        ("POST /orders", Customer),
        ("GET /orders", Customer),
        ("GET /orders/{order_id}", OwnCustomer(404)),
        ("POST /orders/{order_id}/cancel", OwnCustomer(404)),
        ("POST /orders/{order_id}/payments", OwnCustomer(404)),
        ("POST /orders/{order_id}/confirm-delivery", OwnCustomer(404)),
        ("POST /payments/webhook", Public),
        ("GET /merchant/orders", Merchant),
        ("POST /orders/{order_id}/ship", OwnMerchant(404)),
        ("POST /orders/{order_id}/refund", OwnMerchant(404)),
        ("GET /goods/{goods_id}/reviews", Public),
        ("POST /goods/{goods_id}/reviews", OwnCustomer(403)),
        ("POST /reviews/{review_id}/reply", OwnMerchant(403)),
        ("GET /search", Public),
        ("GET /search/suggest", Public),
        ("GET /recommendations", AnyUser),
        ("GET /goods/{goods_id}/similar", Public),
    ])
}

fn template_routes() -> BTreeSet<String> {
    let local = LocalValues {
        parameters: Default::default(),
        region: "us-east-1".into(),
        account: local_stack::ACCOUNT.into(),
        sqs_endpoint: "http://127.0.0.1:5000".into(),
    };
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml"));
    template::load(path, &local)
        .unwrap()
        .functions
        .iter()
        .flat_map(|f| f.routes.iter().map(|r| format!("{} {}", r.method, r.path)))
        .collect()
}

#[test]
fn the_matrix_names_every_route_of_the_template() {
    let named: BTreeSet<String> = matrix().keys().map(|k| k.to_string()).collect();
    assert_eq!(named, template_routes());
}

/// Resources owned by one merchant and one customer, and their rivals.
struct World {
    merchant: Account,
    customer: Account,
    rival_merchant: Account,
    rival_customer: Account,
    revoked: Account,
    ids: BTreeMap<&'static str, String>,
}

async fn world(api: &Api) -> World {
    let (merchant, customer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let (rival_merchant, rival_customer) = (
        api.signed_up("merchant").await,
        api.signed_up("customer").await,
    );
    let revoked = api.signed_up("customer").await;
    assert_eq!(
        api.call(Method::POST, "/auth/logout", Some(&revoked.token), None)
            .await
            .0,
        204
    );
    let goods = api.create_goods(&merchant, 100, 100, "CNY").await.goods_id;
    let (status, with_image) = api
        .call(
            Method::PATCH,
            &format!("/goods/{goods}"),
            Some(&merchant.token),
            Some(json!({"images": ["https://img.example.com/a.jpg"]})),
        )
        .await;
    assert_eq!(status, 200, "{with_image}");
    api.buy(&customer, &goods).await;
    let (_, review) = api
        .call(
            Method::POST,
            &format!("/goods/{goods}/reviews"),
            Some(&customer.token),
            Some(json!({"rating": 5, "comment": "ok"})),
        )
        .await;
    let order = api.place(&customer, &[(&goods, 1)]).await;
    let (status, saved) = api
        .call(
            Method::POST,
            "/me/addresses",
            Some(&customer.token),
            Some(e2e::address()),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    let ids = BTreeMap::from([
        (
            "{address_id}",
            saved["address_id"].as_str().unwrap().to_owned(),
        ),
        ("{goods_id}", goods),
        (
            "{image_id}",
            with_image["image_details"][0]["image_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
        ("{order_id}", order.order_id),
        (
            "{review_id}",
            review["review_id"].as_str().unwrap().to_owned(),
        ),
    ]);
    World {
        merchant,
        customer,
        rival_merchant,
        rival_customer,
        revoked,
        ids,
    }
}

/// A body that would be accepted, so that only who calls can be the reason to refuse.
fn body_for(route: &str, goods_id: &str) -> Option<Value> {
    Some(match route {
        "POST /goods" => {
            json!({"name": "n", "description": "d", "price": 1, "category": "c", "stock": 1})
        }
        "PATCH /goods/{goods_id}" => json!({"stock": 5}),
        "POST /goods/{goods_id}/images" => {
            json!({"content_type": "image/png", "content_length": 100})
        }
        "PUT /cart/items/{goods_id}" => json!({"quantity": 1}),
        "POST /orders" => order_body(&[(goods_id, 1)]),
        "POST /orders/{order_id}/payments" => json!({"method": "card"}),
        "POST /orders/{order_id}/ship" => json!({"carrier": "SF", "tracking_number": "1"}),
        "POST /orders/{order_id}/refund" => json!({"reason": "out of stock after all"}),
        "POST /goods/{goods_id}/reviews" => json!({"rating": 4, "comment": "fine"}),
        "POST /reviews/{review_id}/reply" => json!({"reply": "thanks"}),
        "PATCH /me" => json!({"display_name": "李雷"}),
        "POST /me/password" => json!({
            "current_password": "correct horse battery staple",
            "new_password": "correct horse battery staple",
        }),
        "POST /auth/password-reset" => json!({"email": "nobody@example.com"}),
        "POST /auth/password-reset/confirm" => {
            json!({"token": "unknown", "new_password": "a brand new staple for the horse"})
        }
        "POST /me/email" => json!({
            "new_email": format!("moved.{}@example.com", e2e::unique()),
            "password": "correct horse battery staple",
        }),
        "POST /auth/email-change/confirm" => json!({"token": "unknown"}),
        "POST /me/addresses" => e2e::address(),
        _ => return None,
    })
}

#[tokio::test]
async fn every_route_refuses_whoever_may_not_call_it() {
    let api = Api::new();
    let world = world(&api).await;
    let mut failures = Vec::new();
    for (route, access) in matrix() {
        let (method, template_path) = route.split_once(' ').unwrap();
        let mut path = template_path.to_owned();
        for (param, id) in &world.ids {
            path = path.replace(param, id);
        }
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = body_for(route, &world.ids["{goods_id}"]);
        let mut attempts: Vec<(&str, Option<&str>, u16)> = Vec::new();
        if access != Access::Public {
            attempts.push(("no session", None, 401));
            attempts.push(("a revoked session", Some(world.revoked.token.as_str()), 401));
        }
        match access {
            Access::Customer | Access::OwnCustomer(_) => {
                attempts.push(("a merchant", Some(world.merchant.token.as_str()), 403))
            }
            Access::Merchant | Access::OwnMerchant(_) => {
                attempts.push(("a customer", Some(world.customer.token.as_str()), 403))
            }
            _ => {}
        }
        match access {
            Access::OwnCustomer(status) => attempts.push((
                "another customer",
                Some(world.rival_customer.token.as_str()),
                status,
            )),
            Access::OwnMerchant(status) => attempts.push((
                "another merchant",
                Some(world.rival_merchant.token.as_str()),
                status,
            )),
            _ => {}
        }
        for (who, token, expected) in attempts {
            let (status, answer) = api.call(method.clone(), &path, token, body.clone()).await;
            if status != expected {
                failures.push(format!(
                    "{route} as {who}: {status} (expected {expected}) {answer}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "refusals missing:\n{}",
        failures.join("\n")
    );
}

/// What the admitted caller gets on each route that needs a session, given the world's
/// state: a success, or the state conflict that only an admitted caller can reach (the
/// world's order is unpaid, its goods already reviewed).
fn admitted_answer(route: &str) -> u16 {
    match route {
        "POST /goods" | "POST /orders" | "POST /orders/{order_id}/payments" => 201,
        "POST /goods/{goods_id}/images" => 201,
        "DELETE /goods/{goods_id}/images/{image_id}" => 204,
        "DELETE /goods/{goods_id}" | "POST /auth/logout" | "POST /auth/logout-all" => 204,
        "POST /me/password" | "DELETE /me/addresses/{address_id}" => 204,
        "POST /me/addresses" => 201,
        "POST /me/email" => 202,
        "POST /goods/{goods_id}/reviews" => 409,
        "POST /orders/{order_id}/confirm-delivery"
        | "POST /orders/{order_id}/ship"
        | "POST /orders/{order_id}/refund" => 409,
        _ => 200,
    }
}

/// Routes that change what the others act on, run last in this order.
const LAST: [&str; 2] = ["POST /orders/{order_id}/cancel", "DELETE /goods/{goods_id}"];

#[tokio::test]
async fn every_route_admits_whoever_may_call_it() {
    let api = Api::new();
    let world = world(&api).await;
    // Logging out ends the session that does it (logging out everywhere, every
    // session of the user): accounts of their own.
    let leaving = api.signed_up("customer").await;
    let leaving_all = api.signed_up("customer").await;
    let mut routes: Vec<(&str, Access)> = matrix()
        .into_iter()
        .filter(|(route, access)| *access != Access::Public && !LAST.contains(route))
        .collect();
    routes.extend(LAST.iter().map(|route| (*route, matrix()[route])));
    let mut failures = Vec::new();
    for (route, access) in routes {
        let (method, template_path) = route.split_once(' ').unwrap();
        let mut path = template_path.to_owned();
        for (param, id) in &world.ids {
            path = path.replace(param, id);
        }
        let caller = match access {
            _ if route == "POST /auth/logout" => &leaving,
            _ if route == "POST /auth/logout-all" => &leaving_all,
            Access::Merchant | Access::OwnMerchant(_) => &world.merchant,
            _ => &world.customer,
        };
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = body_for(route, &world.ids["{goods_id}"]);
        let (status, answer) = api.call(method, &path, Some(&caller.token), body).await;
        let expected = admitted_answer(route);
        if status != expected {
            failures.push(format!("{route}: {status} (expected {expected}) {answer}"));
        }
    }
    assert!(
        failures.is_empty(),
        "admissions missing:\n{}",
        failures.join("\n")
    );
}
