//! The payment provider's webhook signature:
//! `Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
//!
//! Verified before anything is parsed. Several `v1=` values may come (the provider
//! signs with each of its active secrets while rotating) and several secrets may be
//! configured (ours, while rotating): any match passes. Comparison is constant-time;
//! `t` more than 300 s from now fails, so a captured request can't be replayed later.
//!
//! What a forged request can make us compute is bounded before any MAC: a header of
//! more than [`MAX_SIGNATURES`] values or over [`MAX_HEADER_BYTES`], or a body over
//! [`MAX_BODY_BYTES`], is refused as it stands; then one MAC per secret is computed and
//! compared with each signature, so the cost is at most (secrets) MACs over 64 KiB.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far `t` may be from now, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// The most `v1=` values a header may carry (the contract's limit).
pub const MAX_SIGNATURES: usize = 5;

/// The longest header accepted: a timestamp and [`MAX_SIGNATURES`] hex signatures fit
/// with room to spare.
pub const MAX_HEADER_BYTES: usize = 512;

/// The largest body a delivery may have, as for every other body (64 KiB).
pub const MAX_BODY_BYTES: usize = crate::http::MAX_BODY_BYTES;

/// Why a signature was refused (all are a 400 `invalid_signature`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No header, or not `t=…,v1=…`.
    #[error("the Payment-Signature header is missing or malformed")]
    Malformed,
    /// `t` is too far from now.
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    /// More than [`MAX_SIGNATURES`] values, or a header over [`MAX_HEADER_BYTES`].
    #[error("the Payment-Signature header carries too many signatures")]
    TooManySignatures,
    /// A body over [`MAX_BODY_BYTES`].
    #[error("the body is too large to be an event")]
    TooLarge,
    /// No `v1` matches any secret.
    #[error("no signature matches")]
    Mismatch,
}

/// Checks `header` against the raw `body` with any of `secrets`, at `now`.
///
/// # Errors
/// [`SignatureError`] saying why not.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[String],
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Malformed)?;
    if header.len() > MAX_HEADER_BYTES {
        return Err(SignatureError::TooManySignatures);
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(SignatureError::TooLarge);
    }
    let mut timestamp = None;
    let mut signatures = Vec::with_capacity(MAX_SIGNATURES);
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", _)) if signatures.len() == MAX_SIGNATURES => {
                return Err(SignatureError::TooManySignatures)
            }
            Some(("v1", value)) => {
                signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?)
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    // One MAC per secret, each compared with every signature. `verify_slice` on a clone
    // compares in constant time.
    let matches = secrets.iter().any(|secret| {
        let expected = mac(secret, timestamp, body);
        signatures
            .iter()
            .any(|signature| expected.clone().verify_slice(signature).is_ok())
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The header a provider sends for `body` at `timestamp` (for the simulator and tests).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let signature = hex::encode(mac(secret, timestamp, body).finalize().into_bytes());
    format!("t={timestamp},v1={signature}")
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"event_id":"evt_1","type":"payment.succeeded"}"#;

    fn secrets() -> Vec<String> {
        vec!["whsec_current".into(), "whsec_previous".into()]
    }

    #[test]
    fn a_fresh_signature_with_either_secret_passes() {
        for secret in ["whsec_current", "whsec_previous"] {
            assert_eq!(
                verify(Some(&sign(secret, 1000, BODY)), BODY, &secrets(), 1100),
                Ok(())
            );
        }
    }

    #[test]
    fn any_of_several_v1_values_may_match() {
        let good = sign("whsec_current", 1000, BODY);
        let header = format!(
            "t=1000,v1={},{}",
            "ab".repeat(32),
            good.split(',').nth(1).unwrap()
        );
        assert_eq!(verify(Some(&header), BODY, &secrets(), 1000), Ok(()));
    }

    #[test]
    fn too_many_signatures_or_too_large_a_body_are_refused_as_they_stand() {
        let good = sign("whsec_current", 1000, BODY);
        let v1 = good.split(',').nth(1).unwrap();
        let five = format!("t=1000,{}", [v1; 5].join(","));
        assert_eq!(verify(Some(&five), BODY, &secrets(), 1000), Ok(()));
        let six = format!("t=1000,{}", [v1; 6].join(","));
        assert_eq!(
            verify(Some(&six), BODY, &secrets(), 1000),
            Err(SignatureError::TooManySignatures)
        );
        let flood = format!("t=1000,{}", vec!["v1=00"; 2000].join(","));
        assert_eq!(
            verify(Some(&flood), BODY, &secrets(), 1000),
            Err(SignatureError::TooManySignatures)
        );
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(
            verify(
                Some(&sign("whsec_current", 1000, &big)),
                &big,
                &secrets(),
                1000
            ),
            Err(SignatureError::TooLarge)
        );
    }

    #[test]
    fn another_body_secret_or_time_fails() {
        let header = sign("whsec_current", 1000, BODY);
        assert_eq!(
            verify(Some(&header), b"{}", &secrets(), 1000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                Some(&sign("whsec_other", 1000, BODY)),
                BODY,
                &secrets(),
                1000
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, &secrets(), 1000 + TOLERANCE_SECS + 1),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&header), BODY, &secrets(), 1000 - TOLERANCE_SECS - 1),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn malformed_headers_fail() {
        for header in ["", "t=1000", "v1=abcd", "t=x,v1=ab", "t=1000,v1=zz"] {
            assert_eq!(
                verify(Some(header), BODY, &secrets(), 1000),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
        assert_eq!(
            verify(None, BODY, &secrets(), 1000),
            Err(SignatureError::Malformed)
        );
    }
}
