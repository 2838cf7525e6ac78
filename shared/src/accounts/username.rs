//! A username: 3–32 characters of ASCII letters, digits, `_` and `-`.
//! Unique case-insensitively, so `Alice` and `alice` can't both exist.

use std::fmt;

use serde::Serialize;

/// A valid username, as the user typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Username(String);

/// Why a username was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 3 to 32 characters of letters, digits, '_' and '-'")]
pub struct InvalidUsername;

impl Username {
    /// Parses a username.
    ///
    /// # Errors
    /// [`InvalidUsername`] for the wrong length or a character outside the allowed set.
    pub fn parse(raw: &str) -> Result<Self, InvalidUsername> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if (3..=32).contains(&raw.len()) && raw.chars().all(allowed) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidUsername)
        }
    }

    /// The username as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The uniqueness key: the lowercase form.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn letters_digits_underscore_and_dash_are_accepted() {
        assert_eq!(Username::parse("Li_Lei-99").unwrap().as_str(), "Li_Lei-99");
    }

    #[test]
    fn two_characters_are_too_short_and_33_too_long() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
        assert!(Username::parse(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn spaces_symbols_and_non_ascii_are_rejected() {
        for bad in ["li lei", "li@lei", "李雷李雷", "abc\n"] {
            assert!(Username::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn the_key_ignores_case() {
        assert_eq!(Username::parse("Alice").unwrap().key(), "alice");
    }

    proptest! {
        #[test]
        fn every_name_of_the_rule_is_accepted_as_given(raw in "[A-Za-z0-9_-]{3,32}") {
            let name = Username::parse(&raw).unwrap();
            prop_assert_eq!(name.as_str(), raw.as_str());
            prop_assert_eq!(name.key(), raw.to_lowercase());
        }

        #[test]
        fn a_name_with_any_other_character_is_refused(
            head in "[A-Za-z0-9_-]{1,15}",
            bad in "[^A-Za-z0-9_-]",
            tail in "[A-Za-z0-9_-]{1,15}",
        ) {
            let raw = format!("{head}{bad}{tail}");
            prop_assert!(Username::parse(&raw).is_err(), "{:?} was accepted", raw);
        }
    }
}
