//! Accounts end to end: register, the activation email, activation, login, the
//! profile, logout; the refusals the contract names; concurrency; bad input.

use std::time::Duration;

use e2e::{activation_link, emails_to, token_of, unique, wait_for_emails, Api};
use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn a_user_registers_activates_logs_in_reads_the_profile_and_logs_out() {
    let api = Api::new();
    let suffix = unique();
    let (username, email) = (
        format!("Li_Lei_{suffix}"),
        format!("Li.Lei.{suffix}@Example.com"),
    );

    let (status, user) = api.register(&username, &email, PASSWORD, "merchant").await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["username"], username.as_str());
    assert_eq!(user["role"], "merchant");
    assert_eq!(user["status"], "pending_activation");
    assert!(user.get("password_hash").is_none());

    let (status, body) = api.activate(&email).await;
    assert_eq!((status, body), (200, json!({"status": "active"})));

    let (status, session) = api.login(&email.to_uppercase(), PASSWORD).await;
    assert_eq!(status, 200, "{session}");
    let token = session["token"].as_str().unwrap().to_owned();
    assert_eq!(session["user"]["user_id"], user["user_id"]);
    assert!(session["expires_at"].as_str().unwrap().ends_with('Z'));

    let (status, me) = api.call(Method::GET, "/me", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(me["user_id"], user["user_id"]);
    assert_eq!(me["status"], "active");
    assert!(me.get("password_hash").is_none());

    let (status, body) = api
        .call(Method::POST, "/auth/logout", Some(&token), None)
        .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = api.call(Method::GET, "/me", Some(&token), None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn the_session_cookie_set_by_login_authenticates() {
    let api = Api::new();
    let account = api.signed_up("customer").await;
    let response = api
        .send(
            Method::POST,
            "/auth/login",
            None,
            Some(&json!({"username": account.username, "password": account.password})),
        )
        .await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let pair = cookie.split(';').next().unwrap().to_owned();
    let me = api
        .request(Method::GET, "/me")
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn login_before_activation_is_forbidden_only_with_the_right_password() {
    let api = Api::new();
    let suffix = unique();
    let (username, email) = (
        format!("pending_{suffix}"),
        format!("pending.{suffix}@example.com"),
    );
    assert_eq!(
        api.register(&username, &email, PASSWORD, "customer")
            .await
            .0,
        201
    );

    let (status, body) = api.login(&username, "wrong password here").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "invalid_credentials");

    let (status, body) = api.login(&username, PASSWORD).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "account_not_activated");
}

#[tokio::test]
async fn an_activation_link_works_once() {
    let api = Api::new();
    let suffix = unique();
    let email = format!("once.{suffix}@example.com");
    assert_eq!(
        api.register(&format!("once_{suffix}"), &email, PASSWORD, "customer")
            .await
            .0,
        201
    );
    let link = activation_link(&email).await;
    let path = format!("/auth/activate?token={}", token_of(&link));

    assert_eq!(api.call(Method::GET, &path, None, None).await.0, 200);
    let (status, body) = api.call(Method::GET, &path, None, None).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_token");
}

#[tokio::test]
async fn unknown_and_missing_activation_tokens_are_invalid() {
    let api = Api::new();
    for path in [
        "/auth/activate?token=nonsense",
        "/auth/activate",
        "/auth/activate?token=",
    ] {
        let (status, body) = api.call(Method::GET, path, None, None).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["error"]["code"], "invalid_token");
    }
}

#[tokio::test]
async fn an_expired_activation_token_is_invalid() {
    let api = Api::new();
    let suffix = unique();
    let email = format!("expired.{suffix}@example.com");
    let (status, _) = api
        .register(&format!("expired_{suffix}"), &email, PASSWORD, "customer")
        .await;
    assert_eq!(status, 201);
    wait_for_emails(&email, 1).await;

    // The emailed token, presented 24 hours and a second after it was issued: the clock
    // moves, not the calendar.
    let link = activation_link(&email).await;
    let hash = shop::accounts::TokenHash::of(&token_of(&link));
    let users = users_repo();
    let now = shop::clock::now().unix_timestamp();
    let expired = users
        .activate(&hash, now + shop::accounts::repo::ACTIVATION_TTL_SECS + 1)
        .await
        .unwrap();
    assert!(!expired, "an expired token activates nothing");
    assert_eq!(
        api.login(&email, PASSWORD).await.0,
        403,
        "still not activated"
    );

    // The control: the same token, now, over HTTP, still works — so the refusal above
    // was its age and nothing else.
    let (status, body) = api.activate(&email).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(api.login(&email, PASSWORD).await.0, 200);
}

/// Stores a pending account registered `age` ago, with `PASSWORD` (the clock moves for
/// its registration, not the calendar).
async fn pending_account_registered(age: time::Duration) -> (String, String) {
    use shop::accounts::{Email, Password, Role, SecretToken, Username};
    let suffix = unique();
    let (username, email) = (
        format!("aged_{suffix}"),
        format!("aged.{suffix}@example.com"),
    );
    let user = shop::accounts::repo::NewUser {
        user_id: shop::ids::new_id(),
        username: Username::parse(&username).unwrap(),
        email: Email::parse(&email).unwrap(),
        role: Role::Customer,
        password_hash: Password::parse(PASSWORD).unwrap().hash().unwrap(),
        created_at: shop::clock::now() - age,
    };
    users_repo()
        .create(&user, &SecretToken::generate().hash())
        .await
        .unwrap();
    (username, email)
}

fn users_repo() -> shop::accounts::repo::UsersRepo {
    shop::accounts::repo::UsersRepo::new(
        shop::aws::Aws::from_env().unwrap().dynamodb(),
        "UsersTable",
    )
}

#[tokio::test]
async fn an_account_left_unactivated_for_seven_days_frees_its_username_and_email() {
    let api = Api::new();
    // The control: six days old, still pending, still holds both names.
    let (young_name, young_email) = pending_account_registered(time::Duration::days(6)).await;
    let other = format!("other.{}@example.com", unique());
    let (status, body) = api
        .register(&young_name, &other, PASSWORD, "customer")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("username_taken"))
    );
    let (status, body) = api
        .register(
            &format!("other_{}", unique()),
            &young_email,
            PASSWORD,
            "customer",
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("email_taken"))
    );
    assert_eq!(
        api.login(&young_name, PASSWORD).await.0,
        403,
        "pending, not activated"
    );

    // Eight days old: expired. It signs in as nobody, gets no new link, and a new
    // registration of both its username and its email succeeds.
    let (old_name, old_email) = pending_account_registered(time::Duration::days(8)).await;
    let (status, body) = api.login(&old_name, PASSWORD).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    let (status, _) = api
        .call(
            Method::POST,
            "/auth/activation-email",
            None,
            Some(json!({"email": old_email})),
        )
        .await;
    assert_eq!(status, 202);
    let (status, user) = api
        .register(&old_name, &old_email, PASSWORD, "merchant")
        .await;
    assert_eq!(status, 201, "{user}");
    // The only email the address got is the new account's link, and it works.
    assert_eq!(wait_for_emails(&old_email, 1).await.len(), 1);
    let (status, body) = api.activate(&old_email).await;
    assert_eq!(status, 200, "{body}");
    let (status, session) = api.login(&old_name, PASSWORD).await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["user"]["user_id"], user["user_id"]);
    assert_eq!(session["user"]["role"], "merchant");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_answer_identically() {
    let api = Api::new();
    let account = api.signed_up("customer").await;
    let wrong = api.login(&account.username, "not the password").await;
    let unknown = api
        .login(&format!("nobody_{}", unique()), "not the password")
        .await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong, unknown);
}

/// Another client: requests from another loopback address.
fn elsewhere() -> Api {
    Api::from_address(Some(std::net::Ipv4Addr::new(127, 0, 0, 2).into()))
}

#[tokio::test]
async fn repeated_failures_lock_a_name_for_that_client_only_and_unknown_names_alike() {
    let api = Api::new();
    let account = api.signed_up("customer").await;
    let nobody = format!("nobody_{}", unique());
    for _ in 0..5 {
        assert_eq!(
            api.login(&account.username, "guess guess guess").await.0,
            401
        );
        assert_eq!(api.login(&nobody, "guess guess guess").await.0, 401);
    }
    let body = json!({"username": account.username, "password": account.password});
    let response = api
        .send(Method::POST, "/auth/login", None, Some(&body))
        .await;
    assert_eq!(response.status(), 429, "even the right password waits");
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let (status, locked) = e2e::status_and_json(response).await;
    assert_eq!(
        (status, locked["error"]["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
    // An unknown name locks exactly like a real one.
    assert_eq!(
        api.login(&nobody, "guess guess guess").await,
        (status, locked)
    );

    // The owner, from another client, is not locked out.
    assert_eq!(
        elsewhere()
            .login(&account.username, &account.password)
            .await
            .0,
        200
    );
    // The same account by its email counts apart, so the lock can't tell that the two
    // names belong together.
    assert_eq!(api.login(&account.email, &account.password).await.0, 200);
}

#[tokio::test]
async fn twenty_simultaneous_wrong_passwords_get_five_guesses_while_the_owner_signs_in_elsewhere() {
    let api = Api::new();
    let account = api.signed_up("customer").await;
    let guesses = (0..20).map(|i| {
        let (api, username) = (api.clone(), account.username.clone());
        async move { api.login(&username, &format!("guess number {i}")).await.0 }
    });
    let owner = async {
        elsewhere()
            .login(&account.username, &account.password)
            .await
    };
    let (answers, owner) = tokio::join!(join_all(guesses), owner);
    let counted = answers.iter().filter(|s| **s == 401).count();
    let refused = answers.iter().filter(|s| **s == 429).count();
    assert_eq!((counted, refused), (5, 15), "{answers:?}");
    assert_eq!(owner.0, 200, "{}", owner.1);
    assert_eq!(api.login(&account.username, &account.password).await.0, 429);
}

#[tokio::test]
async fn twenty_simultaneous_registrations_of_one_username_create_one_account() {
    let api = Api::new();
    let username = format!("race_{}", unique());
    let attempts = (0..20).map(|i| {
        let api = api.clone();
        let username = username.clone();
        async move {
            api.register(
                &username,
                &format!("race{i}.{username}@example.com"),
                PASSWORD,
                "customer",
            )
            .await
        }
    });
    let answers = join_all(attempts).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let taken = answers
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "username_taken")
        .count();
    assert_eq!((created, taken), (1, 19), "{answers:?}");
}

#[tokio::test]
async fn twenty_simultaneous_registrations_of_one_email_create_one_account() {
    let api = Api::new();
    let suffix = unique();
    let email = format!("Race.{suffix}@example.com");
    let attempts = (0..20).map(|i| {
        let api = api.clone();
        // Cases differ: emails compare case-insensitively.
        let email = if i % 2 == 0 {
            email.clone()
        } else {
            email.to_lowercase()
        };
        let username = format!("race{i}_{suffix}");
        async move { api.register(&username, &email, PASSWORD, "customer").await }
    });
    let answers = join_all(attempts).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let taken = answers
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "email_taken")
        .count();
    assert_eq!((created, taken), (1, 19), "{answers:?}");
}

#[tokio::test]
async fn usernames_are_unique_regardless_of_case() {
    let api = Api::new();
    let suffix = unique();
    let first = api
        .register(
            &format!("Case_{suffix}"),
            &format!("a.{suffix}@example.com"),
            PASSWORD,
            "customer",
        )
        .await;
    assert_eq!(first.0, 201);
    let second = api
        .register(
            &format!("case_{suffix}"),
            &format!("b.{suffix}@example.com"),
            PASSWORD,
            "customer",
        )
        .await;
    assert_eq!(second.0, 409);
    assert_eq!(second.1["error"]["code"], "username_taken");
}

/// Sends a bad registration and checks the answer names what is wrong; then proves
/// nothing was written by registering the same username and email for real.
async fn refused_without_a_trace(
    raw: Vec<u8>,
    status: u16,
    code: &str,
    field: Option<&str>,
    suffix: &str,
) {
    let api = Api::new();
    let (got, body) =
        e2e::status_and_json(api.send_raw(Method::POST, "/auth/register", raw).await).await;
    assert_eq!(got, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string());
    if let Some(field) = field {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field} in {body}"
        );
    }
    let (status, body) = api
        .register(
            &format!("clean_{suffix}"),
            &format!("clean.{suffix}@example.com"),
            PASSWORD,
            "customer",
        )
        .await;
    assert_eq!(
        status, 201,
        "nothing was written by the bad request: {body}"
    );
}

fn body(value: Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

#[tokio::test]
async fn bad_registrations_get_the_contract_error_and_write_nothing() {
    let valid = |suffix: &str| json!({"username": format!("clean_{suffix}"), "email": format!("clean.{suffix}@example.com"), "password": PASSWORD});
    type MakeBody<'a> = Box<dyn Fn(&str) -> Vec<u8> + 'a>;
    let cases: Vec<(MakeBody, u16, &str, Option<&str>)> = vec![
        (
            Box::new(|s| format!("{{\"username\": \"clean_{s}\", ").into_bytes()),
            400,
            "invalid_json",
            None,
        ),
        (
            Box::new(|_| b"not json at all".to_vec()),
            400,
            "invalid_json",
            None,
        ),
        (Box::new(|_| Vec::new()), 400, "invalid_json", None),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["username"] = json!(42);
                body(v)
            }),
            422,
            "validation_failed",
            Some("username"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["password"] = json!(["a"]);
                body(v)
            }),
            422,
            "validation_failed",
            Some("password"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v.as_object_mut().unwrap().remove("email");
                body(v)
            }),
            422,
            "validation_failed",
            Some("email"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["admin"] = json!(true);
                body(v)
            }),
            422,
            "validation_failed",
            Some("admin"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["username"] = json!("x".repeat(33));
                body(v)
            }),
            422,
            "validation_failed",
            Some("username"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["email"] = json!(format!("{}@example.com", "a".repeat(250)));
                body(v)
            }),
            422,
            "validation_failed",
            Some("email"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["email"] = json!("clean@@example");
                body(v)
            }),
            422,
            "validation_failed",
            Some("email"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["password"] = json!("short");
                body(v)
            }),
            422,
            "validation_failed",
            Some("password"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["password"] = json!("password123");
                body(v)
            }),
            422,
            "weak_password",
            Some("password"),
        ),
        (
            // Strong on its own, weak for this account: it is the username plus a little.
            Box::new(|s| {
                let mut v = valid(s);
                v["password"] = json!(format!("clean_{s}abc"));
                body(v)
            }),
            422,
            "weak_password",
            Some("password"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["password"] = json!("p".repeat(300));
                body(v)
            }),
            422,
            "validation_failed",
            Some("password"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["role"] = json!("admin");
                body(v)
            }),
            422,
            "validation_failed",
            Some("role"),
        ),
        (
            Box::new(|_| b"[1, 2, 3]".to_vec()),
            422,
            "validation_failed",
            Some("body"),
        ),
        (
            Box::new(|s| {
                let mut v = valid(s);
                v["padding"] = json!("x".repeat(1024 * 1024));
                body(v)
            }),
            413,
            "payload_too_large",
            None,
        ),
    ];
    for (make, status, code, field) in cases {
        let suffix = unique();
        refused_without_a_trace(make(&suffix), status, code, field, &suffix).await;
    }
}

#[tokio::test]
async fn every_unknown_field_of_a_body_is_named_and_nothing_is_written() {
    let api = Api::new();
    let name = format!("typos_{}", unique());
    let response = api
        .request(Method::POST, "/auth/register")
        .json(&json!({
            "username": name, "email": format!("{name}@example.com"), "password": PASSWORD,
            "rol": "merchant", "admin": true, "emial": "x@example.com"
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = e2e::status_and_json(response).await;
    assert_eq!(status, 422);
    let fields = body["error"]["fields"].as_object().unwrap();
    let mut named: Vec<&str> = fields.keys().map(String::as_str).collect();
    named.sort_unstable();
    assert_eq!(named, ["admin", "emial", "rol"]);
    assert!(fields.values().all(|m| m == "is not a known field"));
    let login = api
        .request(Method::POST, "/auth/login")
        .json(&json!({"username": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.status(),
        401,
        "the refused registration created an account"
    );
}

#[tokio::test]
async fn a_non_json_content_type_is_refused() {
    let api = Api::new();
    let response = api
        .request(Method::POST, "/auth/register")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=a&password=b")
        .send()
        .await
        .unwrap();
    let (status, body) = e2e::status_and_json(response).await;
    assert_eq!(status, 415);
    assert_eq!(body["error"]["code"], "unsupported_media_type");
}

#[tokio::test]
async fn bad_logins_get_the_contract_error() {
    let api = Api::new();
    let cases = [
        (json!({"username": "someone"}), "password"),
        (json!({"username": "someone", "password": 5}), "password"),
        (json!({"username": "", "password": "x"}), "username"),
        (
            json!({"username": "someone", "password": "x", "remember": true}),
            "remember",
        ),
        (
            json!({"username": "u".repeat(300), "password": "x"}),
            "username",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = api
            .call(Method::POST, "/auth/login", None, Some(body))
            .await;
        assert_eq!(status, 422, "{answer}");
        assert!(answer["error"]["fields"][field].is_string(), "{answer}");
    }
}

#[tokio::test]
async fn resending_activation_is_accepted_for_anyone_and_mails_only_pending_accounts() {
    // The stack's resend interval (infra/test.sh shortens it from a minute).
    let interval = Duration::from_secs(
        std::env::var("LOCAL_ENV_ACTIVATION_RESEND_INTERVAL_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5),
    );
    let api = Api::new();
    let suffix = unique();
    let email = format!("resend.{suffix}@example.com");
    assert_eq!(
        api.register(&format!("resend_{suffix}"), &email, PASSWORD, "customer")
            .await
            .0,
        201
    );
    wait_for_emails(&email, 1).await;

    let resend = |address: String| {
        let api = api.clone();
        async move {
            api.call(
                Method::POST,
                "/auth/activation-email",
                None,
                Some(json!({"email": address})),
            )
            .await
        }
    };
    // Unknown addresses get the same answer as known ones.
    assert_eq!(
        resend(format!("nobody.{suffix}@example.com")).await,
        (202, json!({}))
    );
    // Within the resend interval nothing more is sent. The function sends before it
    // answers, so its 202 is the marker that anything it sent is already in SES.
    assert_eq!(resend(email.clone()).await, (202, json!({})));
    assert_eq!(emails_to(&email).await.len(), 1);

    tokio::time::sleep(interval).await;
    assert_eq!(resend(email.to_uppercase()).await, (202, json!({})));
    let emails = wait_for_emails(&email, 2).await;
    let (first, second) = (e2e::link_in(&emails[0]), e2e::link_in(&emails[1]));
    assert_ne!(first, second, "a fresh token");
    assert_eq!(api.activate(&email).await.0, 200);

    // An active account gets nothing more.
    tokio::time::sleep(interval).await;
    assert_eq!(resend(email.clone()).await, (202, json!({})));
    assert_eq!(emails_to(&email).await.len(), 2);
}

#[tokio::test]
async fn a_session_is_required_and_must_be_well_formed_and_live() {
    let api = Api::new();
    let forged = "A".repeat(43);
    for token in [None, Some("garbage"), Some(forged.as_str())] {
        for (method, path) in [(Method::GET, "/me"), (Method::POST, "/auth/logout")] {
            let (status, body) = api.call(method, path, token, None).await;
            assert_eq!(status, 401, "{path} with {token:?}");
            assert_eq!(body["error"]["code"], "unauthenticated");
        }
    }
}

/// A burst of CPU-heavy requests (argon2id, zxcvbn, cold instances) queues in the local
/// stack instead of timing out: 50 registrations at once all answer 201.
#[tokio::test]
async fn a_burst_of_fifty_registrations_all_succeed() {
    let api = Api::new();
    let suffix = unique();
    let answers = join_all((0..50).map(|i| {
        let api = &api;
        let (username, email) = (
            format!("burst_{i}_{suffix}"),
            format!("burst.{i}.{suffix}@example.com"),
        );
        async move { api.register(&username, &email, PASSWORD, "customer").await }
    }))
    .await;
    let failed: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status != 201)
        .collect();
    assert!(
        failed.is_empty(),
        "{} of 50 failed: {failed:?}",
        failed.len()
    );
}
