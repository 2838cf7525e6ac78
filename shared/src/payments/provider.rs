//! The payment provider as the shop calls it: the checkout page a payment sends the buyer
//! to, and the refunds API.
//!
//! - **Checkout**: `checkout_url` is `<PAYMENT_PROVIDER_URL>/checkout?payment_id=…&order_id=…
//!   &amount=…&currency=…&expires_at=…&sig=…`, its parameters signed with the shop's API key
//!   (`sig` = hex HMAC-SHA256 over them, as Alipay's page-pay links carry theirs), so the
//!   provider knows what to charge and until when without a call from the shop, and no
//!   buyer can change the amount in the link.
//! - **Refunds**: `POST <PAYMENT_PROVIDER_URL>/refunds {payment_id, amount, currency}` (and
//!   `order_id` as metadata, which the provider echoes in its webhook) with
//!   `Authorization: Bearer <api key>` and `Idempotency-Key: refund-<payment_id>` (one
//!   refund per payment, so a retried request never refunds twice). A 2xx answer
//!   `{refund_id}` means accepted; the provider confirms later with `payment.refunded`.
//!
//! The API key lives in Secrets Manager (`PAYMENT_PROVIDER_SECRET_ARN`, `{"api_key": "…"}`),
//! read once at cold start, never logged.

use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use sha2::Sha256;

use crate::aws::Aws;
use crate::config;
use crate::error::BoxError;

/// How long one call to the provider may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a refund request was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached or did not answer in time: worth retrying.
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    /// The provider answered with an error status.
    #[error("the provider answered {status}")]
    Refused {
        /// The HTTP status.
        status: u16,
    },
}

impl ProviderError {
    /// Whether asking again may succeed (5xx, 429, 409 and no answer; a 4xx says the
    /// request itself is wrong).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable(_) => true,
            Self::Refused { status } => *status >= 500 || *status == 429 || *status == 409,
        }
    }
}

#[derive(Deserialize)]
struct StoredKey {
    api_key: String,
}

#[derive(Deserialize)]
struct Accepted {
    refund_id: String,
}

/// The provider's endpoint and the shop's key for it.
pub struct Provider {
    base_url: String,
    api_key: String,
    http: HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// Reads `PAYMENT_PROVIDER_URL` and the API key from the secret named by
    /// `PAYMENT_PROVIDER_SECRET_ARN`.
    ///
    /// # Errors
    /// A missing variable, named; a secret that can't be read or holds no key.
    pub async fn load(aws: &Aws) -> Result<Self, BoxError> {
        let base_url = config::required("PAYMENT_PROVIDER_URL")?;
        let secret_id = config::required("PAYMENT_PROVIDER_SECRET_ARN")?;
        let out = aws
            .secrets_manager()
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(|e| format!("the payment provider's key could not be read: {e}"))?;
        let stored: StoredKey = serde_json::from_str(out.secret_string().unwrap_or_default())
            .map_err(|_| "the payment provider's secret is not {\"api_key\": \"…\"}")?;
        if stored.api_key.trim().is_empty() {
            return Err("the payment provider's secret holds no api_key".into());
        }
        Ok(Self::new(base_url, stored.api_key))
    }

    /// A provider at `base_url` with `api_key` (tests).
    pub fn new(base_url: String, api_key: String) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            http: HyperClient::builder(TokioExecutor::new()).build(crate::aws::https_connector()),
        }
    }

    /// The page where the buyer pays, its parameters signed with the API key.
    pub fn checkout_url(&self, parameters: &CheckoutParameters<'_>) -> String {
        let query = parameters.query();
        let sig = sign(&self.api_key, &query);
        format!("{}/checkout?{query}&sig={sig}", self.base_url)
    }

    /// Asks the provider to refund the whole of `payment_id`; answers the provider's id
    /// for the refund.
    ///
    /// # Errors
    /// [`ProviderError`]: unreachable, or an error status.
    pub async fn refund(
        &self,
        payment_id: &str,
        order_id: &str,
        amount: i64,
        currency: &str,
    ) -> Result<String, ProviderError> {
        let body = serde_json::json!({
            "payment_id": payment_id,
            "amount": amount,
            "currency": currency,
            "order_id": order_id,
        });
        let request = http::Request::post(format!("{}/refunds", self.base_url))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", self.api_key))
            .header("idempotency-key", format!("refund-{payment_id}"))
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| ProviderError::Unreachable(e.to_string()))?;
        let call = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| ProviderError::Unreachable(e.to_string()))?;
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| ProviderError::Unreachable(e.to_string()))?
                .to_bytes();
            if !status.is_success() {
                return Err(ProviderError::Refused {
                    status: status.as_u16(),
                });
            }
            let accepted: Accepted = serde_json::from_slice(&bytes).map_err(|e| {
                ProviderError::Unreachable(format!("an answer that is not a refund: {e}"))
            })?;
            Ok(accepted.refund_id)
        };
        tokio::time::timeout(CALL_TIMEOUT, call)
            .await
            .map_err(|_| ProviderError::Unreachable("no answer in time".into()))?
    }
}

/// What a checkout link says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutParameters<'a> {
    /// Our payment id.
    pub payment_id: &'a str,
    /// Our order id.
    pub order_id: &'a str,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: &'a str,
    /// RFC 3339: after this the provider must not take the money.
    pub expires_at: &'a str,
}

impl CheckoutParameters<'_> {
    /// The query string the signature covers, in this fixed order.
    pub fn query(&self) -> String {
        let encode = |v: &str| {
            percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        format!(
            "payment_id={}&order_id={}&amount={}&currency={}&expires_at={}",
            encode(self.payment_id),
            encode(self.order_id),
            self.amount,
            encode(self.currency),
            encode(self.expires_at),
        )
    }
}

/// Hex HMAC-SHA256 of `query` with `api_key`: a checkout link's `sig`.
pub fn sign(api_key: &str, query: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(api_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(query.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `sig` signs `query` with `api_key`, compared in constant time.
pub fn verify(api_key: &str, query: &str, sig: &str) -> bool {
    let Ok(given) = hex::decode(sig) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(api_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(query.as_bytes());
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameters() -> CheckoutParameters<'static> {
        CheckoutParameters {
            payment_id: "01J0000000000000000000000P",
            order_id: "01J0000000000000000000000O",
            amount: 4200,
            currency: "CNY",
            expires_at: "2026-12-06T12:29:00Z",
        }
    }

    #[test]
    fn a_checkout_link_carries_its_parameters_signed() {
        let provider = Provider::new("http://pay.test/".into(), "key".into());
        let url = provider.checkout_url(&parameters());
        let (query, sig) = url
            .strip_prefix("http://pay.test/checkout?")
            .unwrap()
            .rsplit_once("&sig=")
            .unwrap();
        assert_eq!(query, parameters().query());
        assert!(
            query.contains("amount=4200")
                && query.contains("expires_at=2026%2D12%2D06T12%3A29%3A00Z")
        );
        assert!(verify("key", query, sig));
    }

    #[test]
    fn a_changed_amount_or_another_key_breaks_the_signature() {
        let query = parameters().query();
        let sig = sign("key", &query);
        assert!(!verify("key", &query.replace("4200", "1"), &sig));
        assert!(!verify("other", &query, &sig));
        assert!(!verify("key", &query, "not hex"));
    }

    #[test]
    fn only_transient_refusals_are_retried() {
        assert!(ProviderError::Unreachable("x".into()).is_retryable());
        assert!(ProviderError::Refused { status: 503 }.is_retryable());
        assert!(ProviderError::Refused { status: 429 }.is_retryable());
        assert!(!ProviderError::Refused { status: 400 }.is_retryable());
        assert!(!ProviderError::Refused { status: 401 }.is_retryable());
    }
}
