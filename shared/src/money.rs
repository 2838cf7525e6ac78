//! Money: an integer count of minor units (fen, cents, pence) and an ISO 4217 currency.
//! No floats anywhere near money.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The largest price accepted, in minor units (one billion major units): far above any
/// real price, far below where sums of order lines could overflow an `i64`.
pub const MAX_PRICE: i64 = 100_000_000_000;

/// A price in minor units, `0..=MAX_PRICE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Price(i64);

/// Why a price was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer number of minor units from 0 to {MAX_PRICE}")]
pub struct InvalidPrice;

impl Price {
    /// Parses minor units.
    ///
    /// # Errors
    /// [`InvalidPrice`] when negative or above [`MAX_PRICE`].
    pub fn new(minor: i64) -> Result<Self, InvalidPrice> {
        (0..=MAX_PRICE)
            .contains(&minor)
            .then_some(Self(minor))
            .ok_or(InvalidPrice)
    }

    /// Minor units.
    pub fn minor(self) -> i64 {
        self.0
    }
}

/// An ISO 4217 currency code, upper case (`CNY`, `GBP`, `USD` …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Currency(String);

/// Why a currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an ISO 4217 currency code such as CNY or USD")]
pub struct InvalidCurrency;

impl Currency {
    /// The contract's default currency.
    pub fn cny() -> Self {
        Self("CNY".to_owned())
    }

    /// Parses a code; case-sensitive, as ISO 4217 writes codes in upper case.
    ///
    /// # Errors
    /// [`InvalidCurrency`] when it is not an ISO 4217 code.
    pub fn parse(code: &str) -> Result<Self, InvalidCurrency> {
        iso_currency::Currency::from_code(code)
            .map(|c| Self(c.code().to_owned()))
            .ok_or(InvalidCurrency)
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn zero_is_a_price_and_a_negative_is_not() {
        assert_eq!(Price::new(0).unwrap().minor(), 0);
        assert!(Price::new(-1).is_err());
        assert!(Price::new(MAX_PRICE + 1).is_err());
    }

    #[test]
    fn iso_codes_are_currencies_and_others_are_not() {
        for code in ["CNY", "GBP", "USD", "JPY", "EUR"] {
            assert_eq!(Currency::parse(code).unwrap().as_str(), code);
        }
        for code in ["XXXX", "cny", "", "ABC", "RMB"] {
            assert!(Currency::parse(code).is_err(), "{code}");
        }
    }

    proptest! {
        #[test]
        fn every_price_in_range_is_accepted_as_given(minor in 0..=MAX_PRICE) {
            prop_assert_eq!(Price::new(minor).unwrap().minor(), minor);
        }

        #[test]
        fn every_price_out_of_range_is_refused(
            minor in prop_oneof![i64::MIN..0, (MAX_PRICE + 1)..=i64::MAX]
        ) {
            prop_assert!(Price::new(minor).is_err());
        }
    }
}
