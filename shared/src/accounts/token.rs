//! Random secrets handed to clients (session and activation tokens).
//!
//! A token is 256 random bits, URL-safe base64. Only its SHA-256 is stored, so a leaked
//! table reveals no usable token, and a lookup by hash takes no time that depends on
//! how much of a guessed token is right.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A freshly generated token, shown to its owner once.
pub struct SecretToken(String);

/// The stored form of a token: hex SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHash(String);

impl SecretToken {
    /// 256 bits from the operating system's CSPRNG.
    ///
    /// # Panics
    /// If the operating system has no randomness to give (nothing sensible can go on).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS random number generator is available");
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The token text, to hand to the client.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The stored form.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

impl TokenHash {
    /// Hashes a token presented by a client.
    pub fn of(token: &str) -> Self {
        Self(hex::encode(Sha256::digest(token.as_bytes())))
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 400 `invalid_token` for a token of `what` ("activation link", "reset token" …) that
/// is unknown, used, superseded or expired: one answer for all, so none is told apart.
pub fn invalid_token(what: &str) -> crate::error::ApiError {
    crate::error::ApiError::BadRequest {
        code: "invalid_token",
        message: format!("The {what} is unknown, already used, superseded or expired."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_carries_256_bits() {
        let token = SecretToken::generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(token.expose()).unwrap().len(), 32);
    }

    #[test]
    fn two_tokens_differ() {
        assert_ne!(
            SecretToken::generate().expose(),
            SecretToken::generate().expose()
        );
    }

    #[test]
    fn the_stored_hash_is_the_sha256_of_the_token() {
        let token = SecretToken::generate();
        assert_eq!(token.hash(), TokenHash::of(token.expose()));
        assert_eq!(token.hash().as_str().len(), 64);
        assert!(!token.hash().as_str().contains(token.expose()));
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let token = SecretToken::generate();
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
