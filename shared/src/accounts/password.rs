//! Passwords: at least 10 characters (at most 256) and, for a new one, not easily
//! guessed — zxcvbn's estimate at least [`MIN_SCORE`] (about 10^8 guesses or more), with
//! the username and email as words an attacker would try first. Only new passwords are
//! scored (register, and later a change or reset); login never pays for it. Hashed with argon2id at OWASP's
//! minimum cost (m = 19 MiB, t = 2, p = 1) into a PHC string that records its own
//! parameters, so the cost can be raised later without breaking old hashes.
//!
//! Hashing and verifying are CPU-bound (tens of milliseconds) and allocate the 19 MiB
//! block each time. A Lambda instance serves one invocation at a time, so `register` and
//! `login` run them inline on their single runtime thread: on tokio's blocking pool, each
//! new pool thread got its own malloc arena and kept a 19 MiB block in it, and `register`
//! peaked at 366 MiB after 1,000 invocations (24 MiB inline; `infra/bench`'s cold-start
//! measures it).

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Memory cost in KiB (19 MiB).
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Iterations.
pub const ITERATIONS: u32 = 2;
/// Lanes.
pub const PARALLELISM: u32 = 1;

/// The weakest zxcvbn score a new password may have (3: "safely unguessable:
/// moderate protection from an offline slow-hash scenario", more than 10^8 guesses).
pub const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// A PHC hash of a password nobody has, verified against when the user is unknown so
/// that an unknown user and a wrong password take the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hvcC1kdW1teS1zYWx0$\
                          E0uHzRzp3m9cHNeEezaTNIIzl6YHRPRoVDbtWu/UJRs";

/// A password that meets the rules; never logged, never stored.
#[derive(Clone)]
pub struct Password(String);

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPassword {
    /// Fewer than 10 characters.
    #[error("must be at least 10 characters")]
    TooShort,
    /// More than 256 characters.
    #[error("must be at most 256 characters")]
    TooLong,
    /// Too easy to guess; the reason says why, as zxcvbn found it.
    #[error("is too easy to guess: {0}")]
    Weak(String),
}

impl Password {
    /// Parses a new password (characters are counted, not bytes).
    ///
    /// # Errors
    /// [`InvalidPassword`] when shorter than 10 or longer than 256 characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidPassword> {
        match raw.chars().count() {
            0..=9 => Err(InvalidPassword::TooShort),
            10..=256 => Ok(Self(raw.to_owned())),
            _ => Err(InvalidPassword::TooLong),
        }
    }

    /// Parses a password being chosen now, and refuses one that is easy to guess given
    /// `user_inputs` (the account's username and email).
    ///
    /// # Errors
    /// [`InvalidPassword`]: the length rules, then [`InvalidPassword::Weak`].
    pub fn parse_new(raw: &str, user_inputs: &[&str]) -> Result<Self, InvalidPassword> {
        let password = Self::parse(raw)?;
        let estimate = zxcvbn::zxcvbn(raw, user_inputs);
        if estimate.score() >= MIN_SCORE {
            return Ok(password);
        }
        let reason = estimate
            .feedback()
            .and_then(|feedback| feedback.warning())
            .map_or_else(
                || "add another word or two; uncommon words are better".to_owned(),
                |warning| warning.to_string().trim_end_matches('.').to_lowercase(),
            );
        Err(InvalidPassword::Weak(reason))
    }

    /// [`Self::parse_new`] for a request field named `field`, as the API answers it.
    ///
    /// # Errors
    /// 422 `weak_password` when easy to guess, 422 `validation_failed` for the length
    /// rules, naming `field` either way.
    pub fn parse_new_field(
        field: &str,
        raw: &str,
        user_inputs: &[&str],
    ) -> Result<Self, crate::error::ApiError> {
        use crate::error::{ApiError, FieldErrors};
        let parsed = Self::parse_new(raw, user_inputs);
        let weak = matches!(parsed, Err(InvalidPassword::Weak(_)));
        let mut fields = FieldErrors::new();
        match fields.check(field, parsed) {
            Some(password) => Ok(password),
            None if weak => Err(ApiError::WeakPassword(fields)),
            None => Err(ApiError::Validation(fields)),
        }
    }

    /// Hashes the password with a fresh random salt.
    ///
    /// # Errors
    /// Only if argon2 rejects its own parameters (a bug).
    pub fn hash(&self) -> Result<String, argon2::password_hash::Error> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).expect("the OS random number generator is available");
        let salt = SaltString::encode_b64(&salt)?;
        Ok(hasher()
            .hash_password(self.0.as_bytes(), &salt)?
            .to_string())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Whether `candidate` matches the stored PHC hash (constant-time comparison).
/// A malformed stored hash never matches.
pub fn verify(candidate: &str, stored_phc: &str) -> bool {
    PasswordHash::new(stored_phc)
        .map(|parsed| {
            hasher()
                .verify_password(candidate.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the time of one verification without any account: for unknown users.
pub fn verify_nobody(candidate: &str) {
    let _ = verify(candidate, DUMMY_HASH);
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("OWASP's argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_must_be_hard_to_guess() {
        let inputs = ["li_lei", "li.lei@example.com"];
        assert!(Password::parse_new("correct horse battery staple", &inputs).is_ok());
        assert!(Password::parse_new("Tr0ub4dor&3-zebra-kiwi", &inputs).is_ok());
        for weak in ["password123", "qwertyuiop", "1234567890", "aaaaaaaaaaaa"] {
            assert!(
                matches!(
                    Password::parse_new(weak, &inputs),
                    Err(InvalidPassword::Weak(_))
                ),
                "{weak}"
            );
        }
    }

    #[test]
    fn the_username_and_email_count_as_guessable_words() {
        let password = "zhangwei_2026abc";
        assert!(Password::parse_new(password, &["someone", "someone@example.com"]).is_ok());
        let Err(InvalidPassword::Weak(reason)) =
            Password::parse_new(password, &["zhangwei_2026", "z.wei@example.com"])
        else {
            panic!("the account's own names are the first guesses");
        };
        assert!(!reason.is_empty());
    }

    #[test]
    fn nine_characters_are_too_short_and_ten_enough() {
        assert_eq!(
            Password::parse("123456789").unwrap_err(),
            InvalidPassword::TooShort
        );
        assert!(Password::parse("1234567890").is_ok());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(Password::parse("密码密码密码密码密码").is_ok());
        assert!(Password::parse(&"密".repeat(257)).is_err());
    }

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let password = Password::parse("correct horse battery").unwrap();
        let stored = password.hash().unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
    }

    #[test]
    fn the_dummy_hash_is_well_formed_with_the_same_cost() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.params.get_decimal("m"), Some(MEMORY_KIB));
        assert_eq!(parsed.params.get_decimal("t"), Some(ITERATIONS));
        assert!(parsed.hash.is_some());
    }

    #[test]
    fn a_malformed_stored_hash_never_matches() {
        assert!(!verify("anything at all", "not a phc string"));
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let password = Password::parse("hunter2hunter2").unwrap();
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
