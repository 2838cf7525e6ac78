//! Environment variables, read once per cold start.
//!
//! A missing or empty variable is a deployment error: it fails the cold start with the
//! variable's name instead of failing the first request.

use thiserror::Error;

/// The configuration could not be read from the environment.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A required variable is not set (or is empty).
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    /// A variable is set but its value is not usable.
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid {
        /// The variable's name.
        name: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
}

/// Reads a required variable.
///
/// # Errors
/// [`ConfigError::Missing`] when it is unset or empty.
pub fn required(name: &'static str) -> Result<String, ConfigError> {
    optional(name).ok_or(ConfigError::Missing(name))
}

/// Reads an optional variable; an empty value counts as unset.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Reads an optional variable parsed with [`str::parse`], or `default` when unset.
///
/// # Errors
/// [`ConfigError::Invalid`] when it is set but does not parse.
pub fn parsed_or<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match optional(name) {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError::Invalid {
            name,
            reason: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_is_named_in_the_error() {
        let err = required("SHOP_TEST_SURELY_UNSET_VARIABLE").unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable SHOP_TEST_SURELY_UNSET_VARIABLE is not set"
        );
    }

    #[test]
    fn an_unset_number_falls_back_to_its_default() {
        assert_eq!(parsed_or("SHOP_TEST_SURELY_UNSET_NUMBER", 7u32).unwrap(), 7);
    }
}
