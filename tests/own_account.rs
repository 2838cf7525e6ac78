//! Managing one's own account over HTTP: the display name, sessions (sign out
//! everywhere, a password change that keeps only the calling session), recovering a
//! forgotten password from the emailed token, a verified email change, and saved
//! addresses to order with.

use std::time::Duration;

use e2e::contract::{Session, User};
use e2e::{address, assert_refused, token_in, unique, wait_for_emails, Account, Api};
use reqwest::Method;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "a brand new staple for the horse";

async fn me(api: &Api, token: &str) -> u16 {
    api.call(Method::GET, "/me", Some(token), None).await.0
}

/// A second session of the same account.
async fn second_session(api: &Api, account: &Account) -> String {
    let session: Session = api
        .expect(
            200,
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"username": account.username, "password": account.password})),
        )
        .await;
    session.token
}

#[tokio::test]
async fn the_display_name_is_set_cleared_and_nothing_else_is_editable() {
    let api = Api::new();
    let user = api.signed_up("customer").await;
    let before: User = api
        .expect(200, Method::GET, "/me", Some(&user.token), None)
        .await;
    assert_eq!(before.display_name, None);

    let named: User = api
        .expect(
            200,
            Method::PATCH,
            "/me",
            Some(&user.token),
            Some(json!({"display_name": " 李雷 Li Lei "})),
        )
        .await;
    assert_eq!(named.display_name.as_deref(), Some("李雷 Li Lei"));
    let read: User = api
        .expect(200, Method::GET, "/me", Some(&user.token), None)
        .await;
    assert_eq!(read.display_name.as_deref(), Some("李雷 Li Lei"));

    // Read-only fields are named, and nothing changes.
    let (status, body) = api
        .call(Method::PATCH, "/me", Some(&user.token),
            Some(json!({"display_name": "x", "username": "other", "email": "o@example.com", "role": "merchant"})))
        .await;
    assert_eq!(status, 422, "{body}");
    for field in ["username", "email", "role"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    for bad in [json!(""), json!("   "), json!("x".repeat(65)), json!(5)] {
        let (status, body) = api
            .call(
                Method::PATCH,
                "/me",
                Some(&user.token),
                Some(json!({"display_name": bad})),
            )
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(
            body["error"]["fields"]["display_name"].is_string(),
            "{body}"
        );
    }
    let unchanged: User = api
        .expect(200, Method::GET, "/me", Some(&user.token), None)
        .await;
    assert_eq!(unchanged.display_name.as_deref(), Some("李雷 Li Lei"));
    assert_eq!(
        (unchanged.username, unchanged.role),
        (user.username.clone(), "customer".to_owned())
    );

    let cleared: User = api
        .expect(
            200,
            Method::PATCH,
            "/me",
            Some(&user.token),
            Some(json!({"display_name": null})),
        )
        .await;
    assert_eq!(cleared.display_name, None);
    let (status, _) = api
        .call(
            Method::PATCH,
            "/me",
            None,
            Some(json!({"display_name": "x"})),
        )
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_stolen_session_is_useless_after_logout_all() {
    let api = Api::new();
    let owner = api.signed_up("customer").await;
    let stolen = second_session(&api, &owner).await;
    let third = second_session(&api, &owner).await;
    assert_eq!(me(&api, &stolen).await, 200);

    let (status, _) = api
        .call(Method::POST, "/auth/logout-all", Some(&owner.token), None)
        .await;
    assert_eq!(status, 204);
    for token in [&owner.token, &stolen, &third] {
        assert_eq!(me(&api, token).await, 401, "every session stops working");
    }
    // Signing in again works, and the new session is live.
    let fresh = second_session(&api, &owner).await;
    assert_eq!(me(&api, &fresh).await, 200);
    // Another user's sessions are not touched.
    let other = api.signed_up("customer").await;
    let (status, _) = api
        .call(Method::POST, "/auth/logout-all", Some(&fresh), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(me(&api, &other.token).await, 200);
}

#[tokio::test]
async fn a_password_change_keeps_the_calling_session_and_kills_the_others() {
    let api = Api::new();
    let user = api.signed_up("customer").await;
    let other = second_session(&api, &user).await;

    let answer = api.call(Method::POST, "/me/password", Some(&user.token),
            Some(json!({"current_password": "not the password at all", "new_password": NEW_PASSWORD}))).await;
    assert_refused(&answer, 401, "invalid_credentials");
    let (status, body) = api
        .call(
            Method::POST,
            "/me/password",
            Some(&user.token),
            Some(json!({"current_password": user.password, "new_password": user.username})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["fields"]["new_password"].is_string(),
        "{body}"
    );
    assert_eq!(me(&api, &other).await, 200, "refusals change nothing");

    let (status, body) = api
        .call(
            Method::POST,
            "/me/password",
            Some(&user.token),
            Some(json!({"current_password": user.password, "new_password": NEW_PASSWORD})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        me(&api, &user.token).await,
        200,
        "the calling session stays"
    );
    assert_eq!(me(&api, &other).await, 401, "the other session is revoked");
    assert_eq!(api.login(&user.username, &user.password).await.0, 401);
    assert_eq!(api.login(&user.username, NEW_PASSWORD).await.0, 200);
}

/// The emails sent to `address` so far, waiting for at least `count`.
async fn tokens_sent_to(address: &str, count: usize) -> Vec<String> {
    wait_for_emails(address, count)
        .await
        .iter()
        .filter(|body| body.contains("Token: "))
        .map(|body| token_in(body))
        .collect()
}

#[tokio::test]
async fn a_forgotten_password_is_reset_from_the_emailed_token() {
    let api = Api::new();
    let user = api.signed_up("customer").await;
    let old_session = user.token.clone();
    let unknown = format!("nobody.{}@example.com", unique());
    for email in [&user.email, &unknown] {
        let (status, _) = api
            .call(
                Method::POST,
                "/auth/password-reset",
                None,
                Some(json!({"email": email})),
            )
            .await;
        assert_eq!(status, 202, "the same answer for {email}");
    }
    // A second request at once is within the resend interval: no second email.
    api.call(
        Method::POST,
        "/auth/password-reset",
        None,
        Some(json!({"email": user.email.to_uppercase()})),
    )
    .await;
    let first = tokens_sent_to(&user.email, 2).await; // activation + reset
    assert_eq!(first.len(), 1, "one reset email");

    // After the interval a new request supersedes the first token.
    tokio::time::sleep(Duration::from_millis(5_200)).await;
    api.call(
        Method::POST,
        "/auth/password-reset",
        None,
        Some(json!({"email": user.email})),
    )
    .await;
    let tokens = tokens_sent_to(&user.email, 3).await;
    assert_eq!(tokens.len(), 2, "two reset emails in all, not three");
    assert!(
        e2e::emails_to(&unknown).await.is_empty(),
        "nothing goes to an unknown address"
    );
    let (superseded, latest) = (&tokens[0], &tokens[1]);

    let confirm = |token: &str, password: &str| json!({"token": token, "new_password": password});
    // A superseded token and an unknown one.
    for token in [superseded.as_str(), "not-a-token"] {
        let answer = api
            .call(
                Method::POST,
                "/auth/password-reset/confirm",
                None,
                Some(confirm(token, NEW_PASSWORD)),
            )
            .await;
        assert_refused(&answer, 400, "invalid_token");
    }
    let (status, body) = api
        .call(
            Method::POST,
            "/auth/password-reset/confirm",
            None,
            Some(confirm(latest, "password123")),
        )
        .await;
    assert_eq!(status, 422, "a weak password: {body}");
    assert_eq!(me(&api, &old_session).await, 200, "refusals change nothing");

    let (status, body) = api
        .call(
            Method::POST,
            "/auth/password-reset/confirm",
            None,
            Some(confirm(latest, NEW_PASSWORD)),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(me(&api, &old_session).await, 401, "old sessions are dead");
    assert_eq!(api.login(&user.username, &user.password).await.0, 401);
    assert_eq!(api.login(&user.email, NEW_PASSWORD).await.0, 200);
    let (status, _) = api
        .call(
            Method::POST,
            "/auth/password-reset/confirm",
            None,
            Some(confirm(latest, "yet another horse staple battery")),
        )
        .await;
    assert_eq!(status, 400, "a token works once");
}

#[tokio::test]
async fn a_reset_clears_the_login_lock_of_the_confirming_client() {
    let api = Api::new();
    let user = api.signed_up("customer").await;
    let mut last = 0;
    for _ in 0..6 {
        last = api.login(&user.username, "wrong password entirely").await.0;
    }
    assert_eq!(last, 429);
    api.call(
        Method::POST,
        "/auth/password-reset",
        None,
        Some(json!({"email": user.email})),
    )
    .await;
    let token = tokens_sent_to(&user.email, 2).await.pop().unwrap();
    let (status, _) = api
        .call(
            Method::POST,
            "/auth/password-reset/confirm",
            None,
            Some(json!({"token": token, "new_password": NEW_PASSWORD})),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(api.login(&user.username, NEW_PASSWORD).await.0, 200);
}

#[tokio::test]
async fn the_email_changes_only_once_the_new_address_confirms_it() {
    let api = Api::new();
    let user = api.signed_up("customer").await;
    let taken = api.signed_up("customer").await;
    let new_email = format!("moved.{}@example.com", unique());
    let ask = |email: &str, password: &str| json!({"new_email": email, "password": password});

    let answer = api
        .call(
            Method::POST,
            "/me/email",
            Some(&user.token),
            Some(ask(&new_email, "wrong password entirely")),
        )
        .await;
    assert_refused(&answer, 401, "invalid_credentials");
    let answer = api
        .call(
            Method::POST,
            "/me/email",
            Some(&user.token),
            Some(ask(&taken.email.to_uppercase(), &user.password)),
        )
        .await;
    assert_refused(&answer, 409, "email_taken");
    let (status, body) = api
        .call(
            Method::POST,
            "/me/email",
            Some(&user.token),
            Some(ask("not an address", &user.password)),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["new_email"].is_string());

    let (status, body) = api
        .call(
            Method::POST,
            "/me/email",
            Some(&user.token),
            Some(ask(&new_email, &user.password)),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let token = tokens_sent_to(&new_email, 1).await.pop().unwrap();
    let notices = wait_for_emails(&user.email, 2).await;
    assert!(
        notices.last().unwrap().contains("change its email address"),
        "the old address is told"
    );
    assert!(
        !notices.last().unwrap().contains(&token),
        "the notice carries no token"
    );
    // Nothing changed yet.
    assert_eq!(api.login(&user.email, &user.password).await.0, 200);
    assert_eq!(api.login(&new_email, &user.password).await.0, 401);

    let (status, _) = api
        .call(
            Method::POST,
            "/auth/email-change/confirm",
            None,
            Some(json!({"token": "unknown"})),
        )
        .await;
    assert_eq!(status, 400);
    let moved: User = api
        .expect(
            200,
            Method::POST,
            "/auth/email-change/confirm",
            None,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(moved.email, new_email);
    assert_eq!(
        api.login(&user.email, &user.password).await.0,
        401,
        "the old address stops signing in"
    );
    assert_eq!(api.login(&new_email, &user.password).await.0, 200);
    let read: User = api
        .expect(200, Method::GET, "/me", Some(&user.token), None)
        .await;
    assert_eq!(read.email, new_email);
    let (status, _) = api
        .call(
            Method::POST,
            "/auth/email-change/confirm",
            None,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(status, 400, "a token works once");
    // The old address is free again.
    let (status, body) = api
        .register(
            &format!("reuse_{}", unique()),
            &user.email,
            "correct horse battery staple",
            "customer",
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn an_address_taken_meanwhile_is_refused_at_confirmation() {
    let api = Api::new();
    let user = api.signed_up("customer").await;
    let contested = format!("contested.{}@example.com", unique());
    let (status, _) = api
        .call(
            Method::POST,
            "/me/email",
            Some(&user.token),
            Some(json!({"new_email": contested, "password": user.password})),
        )
        .await;
    assert_eq!(status, 202);
    let token = tokens_sent_to(&contested, 1).await.pop().unwrap();
    let (status, _) = api
        .register(
            &format!("quick_{}", unique()),
            &contested,
            "correct horse battery staple",
            "customer",
        )
        .await;
    assert_eq!(status, 201);
    let answer = api
        .call(
            Method::POST,
            "/auth/email-change/confirm",
            None,
            Some(json!({"token": token})),
        )
        .await;
    assert_refused(&answer, 409, "email_taken");
    assert_eq!(
        api.login(&user.email, &user.password).await.0,
        200,
        "the account keeps its address"
    );
}

fn saved(label: &str, city: &str) -> Value {
    let mut body = address();
    body["label"] = json!(label);
    body["city"] = json!(city);
    body
}

#[tokio::test]
async fn saved_addresses_are_listed_ordered_with_and_private() {
    let api = Api::new();
    let buyer = api.signed_up("customer").await;
    let rival = api.signed_up("customer").await;
    let merchant = api.signed_up("merchant").await;
    let goods = api.create_goods(&merchant, 100, 10, "CNY").await.goods_id;

    let (status, home) = api
        .call(
            Method::POST,
            "/me/addresses",
            Some(&buyer.token),
            Some(saved("家", "北京")),
        )
        .await;
    assert_eq!(status, 201, "{home}");
    let (status, office) = api
        .call(
            Method::POST,
            "/me/addresses",
            Some(&buyer.token),
            Some(saved("office", "上海")),
        )
        .await;
    assert_eq!(status, 201, "{office}");
    let (status, list) = api
        .call(Method::GET, "/me/addresses", Some(&buyer.token), None)
        .await;
    assert_eq!(status, 200);
    let cities: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["city"].as_str().unwrap())
        .collect();
    assert_eq!(cities, ["北京", "上海"], "oldest first");
    assert_eq!(list["items"][0]["label"], "家");
    let office_id = office["address_id"].as_str().unwrap().to_owned();

    // Bad addresses are named as for an order, without a prefix.
    let mut bad = saved("x", "北京");
    bad["country"] = json!("ZZ");
    let (status, body) = api
        .call(Method::POST, "/me/addresses", Some(&buyer.token), Some(bad))
        .await;
    assert_eq!(status, 422);
    assert!(body["error"]["fields"]["country"].is_string(), "{body}");

    // Order with a saved address: the order carries its copy.
    let order_with = |id: &str| json!({"items": [{"goods_id": goods, "quantity": 1}], "address_id": id, "payment_method": "card"});
    let (status, order) = api
        .call(
            Method::POST,
            "/orders",
            Some(&buyer.token),
            Some(order_with(&office_id)),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let order_id = order["order_id"].as_str().unwrap().to_owned();
    // Another customer can't use it, nor see it, nor delete it.
    let (status, body) = api
        .call(
            Method::POST,
            "/orders",
            Some(&rival.token),
            Some(order_with(&office_id)),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["address_id"].is_string());
    let (_, theirs) = api
        .call(Method::GET, "/me/addresses", Some(&rival.token), None)
        .await;
    assert_eq!(theirs["items"], json!([]));
    let path = format!("/me/addresses/{office_id}");
    assert_eq!(
        api.call(Method::DELETE, &path, Some(&rival.token), None)
            .await
            .0,
        404
    );
    // Both or neither of shipping_address and address_id: 422.
    let mut both = order_with(&office_id);
    both["shipping_address"] = address();
    assert_eq!(
        api.call(Method::POST, "/orders", Some(&buyer.token), Some(both))
            .await
            .0,
        422
    );
    let neither = json!({"items": [{"goods_id": goods, "quantity": 1}], "payment_method": "card"});
    assert_eq!(
        api.call(Method::POST, "/orders", Some(&buyer.token), Some(neither))
            .await
            .0,
        422
    );

    assert_eq!(
        api.call(Method::DELETE, &path, Some(&buyer.token), None)
            .await
            .0,
        204
    );
    assert_eq!(
        api.call(Method::DELETE, &path, Some(&buyer.token), None)
            .await
            .0,
        404
    );
    let (_, list) = api
        .call(Method::GET, "/me/addresses", Some(&buyer.token), None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (status, kept) = api
        .call(
            Method::GET,
            &format!("/orders/{order_id}"),
            Some(&buyer.token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        kept["shipping_address"]["city"], "上海",
        "the order keeps its copy"
    );
    assert_eq!(kept["shipping_address"]["recipient"], "李雷");
    // Merchants have no address book.
    assert_eq!(
        api.call(Method::GET, "/me/addresses", Some(&merchant.token), None)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn at_most_twenty_addresses_even_when_saved_at_once() {
    let api = Api::new();
    let buyer = api.signed_up("customer").await;
    let saves = (0..26).map(|i| {
        let api = api.clone();
        let token = buyer.token.clone();
        async move {
            api.call(
                Method::POST,
                "/me/addresses",
                Some(&token),
                Some(saved(&format!("n{i}"), "北京")),
            )
            .await
        }
    });
    let answers = futures::future::join_all(saves).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let refused: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 409)
        .map(|(_, b)| b)
        .collect();
    assert_eq!((created, refused.len()), (20, 6), "{answers:?}");
    assert!(refused
        .iter()
        .all(|b| b["error"]["code"] == "too_many_addresses"));
    let (_, list) = api
        .call(Method::GET, "/me/addresses", Some(&buyer.token), None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 20);
}

/// A reset token stops working 30 minutes after it was issued: issued through the
/// repository with the clock moved back, since a test can't wait half an hour (the
/// control, issued now, works).
#[tokio::test]
async fn a_reset_token_expires_after_thirty_minutes() {
    use shop::accounts::SecretToken;
    let api = Api::new();
    let user = api.signed_up("customer").await;
    let users = shop::accounts::repo::UsersRepo::new(
        shop::aws::Aws::from_env().unwrap().dynamodb(),
        "UsersTable",
    );
    let now = shop::clock::now().unix_timestamp();
    let confirm =
        |token: &SecretToken| json!({"token": token.expose(), "new_password": NEW_PASSWORD});
    let stale = SecretToken::generate();
    assert!(users
        .issue_reset(&user.user_id, &stale.hash(), now - 31 * 60, 0)
        .await
        .unwrap());
    let answer = api
        .call(
            Method::POST,
            "/auth/password-reset/confirm",
            None,
            Some(confirm(&stale)),
        )
        .await;
    assert_refused(&answer, 400, "invalid_token");
    assert_eq!(me(&api, &user.token).await, 200, "nothing changed");

    let fresh = SecretToken::generate();
    assert!(users
        .issue_reset(&user.user_id, &fresh.hash(), now - 29 * 60, 0)
        .await
        .unwrap());
    let (status, body) = api
        .call(
            Method::POST,
            "/auth/password-reset/confirm",
            None,
            Some(confirm(&fresh)),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(api.login(&user.username, NEW_PASSWORD).await.0, 200);
}
