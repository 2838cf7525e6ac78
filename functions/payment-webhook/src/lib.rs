//! `POST /payments/webhook`: the payment provider reports a payment's outcome; the
//! rules (signature first, each event once, business rejections recorded and answered
//! 200) are `shop::payments::webhook`'s.
use lambda_http::{Body, Request, Response};
use shop::error::ApiError;
use shop::http;
use shop::payments::api::WebhookAnswer;
use shop::payments::webhook::Webhook;

/// What the function needs, built once per cold start.
pub type Context = Webhook;

fn received() -> Result<Response<Body>, ApiError> {
    http::ok(&WebhookAnswer { received: true })
}

/// The payment provider reports an outcome (signed with Payment-Signature).
pub async fn handler(webhook: &Webhook, req: Request) -> Result<Response<Body>, ApiError> {
    let body: &[u8] = match req.body() {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    let header = req
        .headers()
        .get("payment-signature")
        .and_then(|v| v.to_str().ok());
    webhook.receive(header, body).await?;
    received()
}
#[cfg(test)]
mod tests {
    use super::*;

    /// The service with the test secret, as Secrets Manager would give it.
    fn webhook() -> Result<Context, shop::error::BoxError> {
        let secrets = shop::payments::secrets::WebhookSecrets::fixed(vec!["whsec_test".into()])?;
        Ok(Context::with_secrets(
            &shop::aws::Aws::from_env()?,
            secrets,
        )?)
    }

    async fn answer(json: &str) -> (u16, serde_json::Value) {
        shop_testing::answer(webhook, handler, json).await
    }

    #[tokio::test]
    async fn an_unsigned_event_is_refused_before_anything_is_read() {
        let (status, body) = answer(shop_testing::fixture!("unsigned")).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_signature");
    }

    #[tokio::test]
    async fn a_stale_forged_signature_is_refused() {
        let (status, body) = answer(shop_testing::fixture!("valid")).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_signature");
    }

    /// The valid fixture, signed at `timestamp` with `secret`.
    fn signed(timestamp: i64, secret: &str) -> String {
        let mut fixture: serde_json::Value =
            serde_json::from_str(shop_testing::fixture!("valid")).unwrap();
        let body = fixture["body"].as_str().unwrap().to_owned();
        fixture["headers"]["payment-signature"] =
            shop::payments::signature::sign(secret, timestamp, body.as_bytes()).into();
        fixture.to_string()
    }

    fn now() -> i64 {
        shop::clock::now().unix_timestamp()
    }

    #[test]
    fn the_valid_fixture_signed_now_with_the_secret_passes_the_check() {
        let request: serde_json::Value =
            serde_json::from_str(&signed(now(), "whsec_test")).unwrap();
        let header = request["headers"]["payment-signature"].as_str();
        let body = request["body"].as_str().unwrap().as_bytes();
        let secrets = ["whsec_test".to_owned()];
        assert!(shop::payments::signature::verify(header, body, &secrets, now()).is_ok());
    }

    #[tokio::test]
    async fn a_correct_signature_older_than_300_seconds_is_refused() {
        let (status, body) = answer(&signed(now() - 301, "whsec_test")).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_signature");
    }

    #[tokio::test]
    async fn a_fresh_signature_with_another_secret_is_refused() {
        let (status, body) = answer(&signed(now(), "whsec_someone_else")).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_signature");
    }
}
