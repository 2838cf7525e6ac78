//! An email address, validated per RFC 5321/5322 (without comments or quoted local
//! parts) and at most 254 characters. Compared case-insensitively.

use std::fmt;
use std::str::FromStr;

use email_address::{EmailAddress, Options};
use serde::Serialize;

/// A valid email address, as the user typed it (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a valid email address")]
pub struct InvalidEmail;

impl Email {
    /// Parses an email address.
    ///
    /// # Errors
    /// [`InvalidEmail`] when it is not a plain `local@domain.tld` address of at most
    /// 254 characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let raw = raw.trim();
        let options = Options::default()
            .without_display_text()
            .without_domain_literal();
        let parsed = EmailAddress::parse_with_options(raw, options).map_err(|_| InvalidEmail)?;
        let domain_has_dot = parsed.domain().contains('.');
        let plain = !raw.contains(['"', '(', ')', ' ']);
        if raw.len() <= 254 && domain_has_dot && plain && EmailAddress::from_str(raw).is_ok() {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidEmail)
        }
    }

    /// Parses a request body's `email` field.
    ///
    /// # Errors
    /// 422 naming `email` when it is not an address [`Email::parse`] takes.
    pub fn field(raw: &str) -> Result<Self, crate::error::ApiError> {
        Self::parse(raw).map_err(|e| crate::error::FieldErrors::single("email", e.to_string()))
    }

    /// The address as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The uniqueness key: the lowercase form.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// A form safe for logs: the first character of the local part and the domain.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or(("", &self.0));
        let first = local.chars().next().unwrap_or('*');
        format!("{first}***@{domain}")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_address_is_accepted() {
        assert_eq!(
            Email::parse(" Li.Lei+shop@Example.com ").unwrap().as_str(),
            "Li.Lei+shop@Example.com"
        );
    }

    #[test]
    fn addresses_compare_case_insensitively() {
        let a = Email::parse("Li@Example.COM").unwrap();
        let b = Email::parse("li@example.com").unwrap();
        assert_eq!(a.key(), b.key());
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@@example.com",
            "\"quoted\"@example.com",
            "Name <a@example.com>",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn an_address_over_254_characters_is_rejected() {
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(200));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn the_masked_form_hides_the_local_part() {
        assert_eq!(
            Email::parse("lilei@example.com").unwrap().masked(),
            "l***@example.com"
        );
    }
}
