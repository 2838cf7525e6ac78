//! Secrets stay secret: a whole journey (register, activate, log in, order, pay through
//! the signed webhook, cancel and be refunded through the provider, change the email,
//! reset the password, log in again, log out)
//! while every function's logs are captured, then no password, session token,
//! activation, reset or email-change token, webhook secret, signature or full email
//! address may appear in them.

use e2e::{activation_link, token_in, token_of, unique, wait_for_emails, webhook_secret, Api};
use reqwest::Method;
use serde_json::json;

/// The functions' lines of the local stack's log (the stack's own console lines, such as
/// the emails it shows, are not function logs).
fn function_logs() -> String {
    let path = std::env::var("SHOP_STACK_LOG")
        .expect("SHOP_STACK_LOG names the local stack's log (infra/test.sh sets it)");
    std::fs::read_to_string(path)
        .expect("the local stack's log is readable")
        .lines()
        .filter(|l| {
            l.starts_with('[') && l.split(']').next().is_some_and(|p| p.ends_with("Function"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn no_secret_appears_in_any_function_log() {
    // Its money goes through the provider (a refund, or the checkout page).
    let _turn = e2e::provider_turn().await;
    let api = Api::new();
    let suffix = unique();
    let password = format!("pw-{suffix}-never-logged");
    let email = format!("secret.{suffix}@example.com");
    let username = format!("secret_{suffix}");
    assert_eq!(
        api.register(&username, &email, &password, "customer")
            .await
            .0,
        201
    );
    let activation = token_of(&activation_link(&email).await);
    assert_eq!(api.activate(&email).await.0, 200);
    let wrong = api
        .login(&username, "a wrong password, also never logged")
        .await;
    assert_eq!(wrong.0, 401);
    let (status, session) = api.login(&username, &password).await;
    assert_eq!(status, 200);
    let token = session["token"].as_str().unwrap().to_owned();
    let buyer = e2e::Account {
        username,
        email: email.clone(),
        password: password.clone(),
        token: token.clone(),
        user_id: String::new(),
    };

    let merchant = api.signed_up("merchant").await;
    let goods = api.create_goods(&merchant, 500, 10, "CNY").await.goods_id;
    let order = api.place(&buyer, &[(&goods, 1)]).await;
    let event = api.payment_event(&buyer, &order).await;
    let body = serde_json::to_string(&event).unwrap();
    let signature = shop::payments::signature::sign(
        &webhook_secret(),
        shop::clock::now().unix_timestamp(),
        body.as_bytes(),
    );
    let response = api
        .request(Method::POST, "/payments/webhook")
        .header("payment-signature", &signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // Cancelled once paid: the refund is asked of the provider with the shop's API key.
    let cancel = format!("/orders/{}/cancel", order.order_id);
    assert_eq!(
        api.call(Method::POST, &cancel, Some(&token), None).await.0,
        200
    );
    e2e::eventually(30, "the refund", || async {
        let view = api.order_view(&buyer, &order.order_id).await;
        (view.order.status == "refunded").then_some(())
    })
    .await;
    let forged = api
        .request(Method::POST, "/payments/webhook")
        .header("payment-signature", "t=1,v1=00")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    // The email moves, then the password is reset from the new address.
    let new_email = format!("moved.{suffix}@example.com");
    let (status, _) = api
        .call(
            Method::POST,
            "/me/email",
            Some(&token),
            Some(json!({"new_email": new_email, "password": password})),
        )
        .await;
    assert_eq!(status, 202);
    let change_token = token_in(&wait_for_emails(&new_email, 1).await[0]);
    let (status, _) = api
        .call(
            Method::POST,
            "/auth/email-change/confirm",
            None,
            Some(json!({"token": change_token})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .call(
            Method::POST,
            "/auth/password-reset",
            None,
            Some(json!({"email": new_email})),
        )
        .await;
    assert_eq!(status, 202);
    let reset_token = token_in(&wait_for_emails(&new_email, 2).await[1]);
    let new_password = format!("another-{suffix}-never-logged");
    let (status, _) = api
        .call(
            Method::POST,
            "/auth/password-reset/confirm",
            None,
            Some(json!({"token": reset_token, "new_password": new_password})),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        api.call(Method::GET, "/me", Some(&token), None).await.0,
        401,
        "the reset revoked the session"
    );
    let (status, session) = api.login(&new_email, &new_password).await;
    assert_eq!(status, 200);
    let token = session["token"].as_str().unwrap().to_owned();
    assert_eq!(
        api.call(Method::POST, "/auth/logout", Some(&token), None)
            .await
            .0,
        204
    );
    assert_eq!(
        api.call(Method::GET, "/me", Some(&token), Some(json!({})))
            .await
            .0,
        401
    );
    // A positive marker instead of a pause: the logout's own line, naming the buyer,
    // has reached the stack's log.
    let user_id = session["user"]["user_id"].as_str().unwrap().to_owned();
    e2e::eventually(10, "the logout's log line", || async {
        function_logs()
            .lines()
            .any(|l| l.contains("logged out") && l.contains(&user_id))
            .then_some(())
    })
    .await;

    let logs = function_logs();
    assert!(
        logs.contains("request done"),
        "the functions' logs were captured"
    );
    let hex_signature = signature.split("v1=").nth(1).unwrap().to_owned();
    let provider_key = std::env::var("LOCAL_PAYMENT_PROVIDER_API_KEY")
        .unwrap_or_else(|_| "pk_local_development_key".to_owned());
    for (what, secret) in [
        ("password", password.as_str()),
        ("wrong password", "a wrong password, also never logged"),
        ("session token", token.as_str()),
        ("merchant session token", merchant.token.as_str()),
        ("activation token", activation.as_str()),
        ("webhook secret", webhook_secret().as_str()),
        ("payment provider API key", provider_key.as_str()),
        ("webhook signature", hex_signature.as_str()),
        ("email address", email.as_str()),
        ("new email address", new_email.as_str()),
        ("new password", new_password.as_str()),
        ("reset token", reset_token.as_str()),
        ("email-change token", change_token.as_str()),
    ] {
        assert!(
            !logs.contains(secret),
            "the {what} appears in a function's log"
        );
    }
}

/// The webhook's signing secrets live in Secrets Manager (moto here), read at cold
/// start: rotating them there (the new secret beside the old) reaches a warm instance
/// without a restart, once its copy is older than the refresh interval (1 s in the
/// tests, 5 min in AWS); the old secret keeps working meanwhile.
#[tokio::test]
async fn a_rotated_webhook_secret_reaches_the_warm_function() {
    let api = Api::new();
    let merchant = api.signed_up("merchant").await;
    let buyer = api.signed_up("customer").await;
    let goods = api.create_goods(&merchant, 300, 10, "CNY").await.goods_id;
    let order = api.place(&buyer, &[(&goods, 1)]).await;
    let event = api.payment_event(&buyer, &order).await;
    let now = shop::clock::now().unix_timestamp();
    // Warm the function with the current secret: a forged delivery is refused.
    let rotated = format!("whsec_rotated_{}", unique());
    let (status, _) = api.webhook(&event, &rotated, now).await;
    assert_eq!(status, 400, "the new secret is not known yet");

    let manager = shop::aws::Aws::from_env().unwrap().secrets_manager();
    let secret_id = "shop/payment-webhook";
    let before = manager
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .expect("the local stack created the webhook secret from the template")
        .secret_string()
        .unwrap()
        .to_owned();
    let both = json!({"secrets": [rotated.clone(), webhook_secret()]}).to_string();
    manager
        .put_secret_value()
        .secret_id(secret_id)
        .secret_string(&both)
        .send()
        .await
        .unwrap();
    // If this times out the old secret is still listed: nothing else breaks.
    e2e::eventually(15, "the rotated secret to be accepted", || async {
        let now = shop::clock::now().unix_timestamp();
        (api.webhook(&event, &rotated, now).await.0 == 200).then_some(())
    })
    .await;
    manager
        .put_secret_value()
        .secret_id(secret_id)
        .secret_string(&before)
        .send()
        .await
        .unwrap();
    assert_eq!(api.order_of(&buyer, &order.order_id).await.status, "paid");
    // The old secret still signs (other orders, other tests).
    let order = api.place(&buyer, &[(&goods, 1)]).await;
    let event = api.payment_event(&buyer, &order).await;
    let now = shop::clock::now().unix_timestamp();
    assert_eq!(api.webhook(&event, &webhook_secret(), now).await.0, 200);
}

/// A webhook whose secret lists no signing secret refuses to start (in Lambda's init
/// phase), naming the problem, rather than refusing every delivery later.
#[tokio::test]
async fn the_webhook_refuses_to_start_without_a_signing_secret() {
    let manager = shop::aws::Aws::from_env().unwrap().secrets_manager();
    let name = format!("shop/empty-{}", unique());
    manager
        .create_secret()
        .name(&name)
        .secret_string(r#"{"secrets": []}"#)
        .send()
        .await
        .unwrap();
    let binary = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/debug/payment-webhook"
    );
    let run = tokio::process::Command::new(binary)
        .env("PAYMENT_WEBHOOK_SECRET_ARN", &name)
        // Nowhere to fetch invocations from: a started function would wait here.
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(20), run)
        .await
        .expect("it stops at once")
        .expect("the function binary is built (infra/test.sh builds it)");
    let stderr = String::from_utf8_lossy(&out.stderr) + String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("lists no signing secret"),
        "the reason is named: {stderr}"
    );
}
