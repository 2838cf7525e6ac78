//! Where an order goes: a shipping address, checked field by field so that a 422 names
//! every bad one (`shipping_address.country`).

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// Where to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippingAddress {
    /// Who receives it.
    #[schema(min_length = 1, max_length = 100)]
    pub recipient: String,
    /// A phone number for the carrier.
    #[schema(min_length = 5, max_length = 30, example = "+86 138 0000 0000")]
    pub phone: String,
    /// First address line.
    #[schema(min_length = 1, max_length = 200)]
    pub line1: String,
    /// Second address line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub line2: Option<String>,
    /// City.
    #[schema(min_length = 1, max_length = 100)]
    pub city: String,
    /// Province, state or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100)]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(pattern = "^[A-Z]{2}$", example = "CN")]
    pub country: String,
}

impl ShippingAddress {
    /// Checks every field, naming each bad one as `shipping_address.<field>`.
    pub fn check(&self, errors: &mut FieldErrors) {
        self.check_as("shipping_address.", errors);
    }

    /// Checks every field, naming each bad one as `<prefix><field>` (a saved address's
    /// fields sit at the top of its body: no prefix).
    pub fn check_as(&self, prefix: &str, errors: &mut FieldErrors) {
        let mut text = |field: &str, value: &str, min: usize, max: usize| {
            let count = value.trim().chars().count();
            if count < min || count > max || value.chars().any(char::is_control) {
                errors.add(
                    format!("{prefix}{field}"),
                    format!("must be {min} to {max} characters"),
                );
            }
        };
        text("recipient", &self.recipient, 1, 100);
        text("line1", &self.line1, 1, 200);
        text("city", &self.city, 1, 100);
        for (field, value, max) in [
            ("line2", &self.line2, 200),
            ("region", &self.region, 100),
            ("postal_code", &self.postal_code, 20),
        ] {
            if let Some(value) = value {
                text(field, value, 0, max);
            }
        }
        let phone_ok = (5..=30).contains(&self.phone.len())
            && self
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()".contains(c))
            && self.phone.chars().filter(char::is_ascii_digit).count() >= 5;
        if !phone_ok {
            errors.add(
                format!("{prefix}phone"),
                "must be a phone number of 5 to 30 characters",
            );
        }
        if !is_country(&self.country) {
            errors.add(
                format!("{prefix}country"),
                "must be an ISO 3166-1 alpha-2 code such as CN",
            );
        }
    }
}

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO \
BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER \
ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN \
IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH \
MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN \
PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ \
TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Whether `code` is an ISO 3166-1 alpha-2 country code.
pub fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.split_whitespace().any(|c| c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address() -> ShippingAddress {
        ShippingAddress {
            recipient: "李雷".into(),
            phone: "+86 138-0000-0000".into(),
            line1: "朝阳区建国路 1 号".into(),
            line2: None,
            city: "北京".into(),
            region: None,
            postal_code: Some("100000".into()),
            country: "CN".into(),
        }
    }

    #[test]
    fn a_chinese_address_is_valid() {
        let mut errors = FieldErrors::new();
        address().check(&mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn bad_address_fields_are_named() {
        let mut errors = FieldErrors::new();
        ShippingAddress {
            country: "ZZ".into(),
            phone: "call me".into(),
            city: " ".into(),
            ..address()
        }
        .check(&mut errors);
        let names: Vec<&String> = errors.as_map().keys().collect();
        assert_eq!(
            names,
            [
                "shipping_address.city",
                "shipping_address.country",
                "shipping_address.phone"
            ]
        );
    }
}
