//! Time as the API speaks it: RFC 3339 strings in UTC, and Unix seconds for expiries.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The current instant.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Formats an instant as RFC 3339 in UTC, e.g. `2026-11-25T12:00:00.123Z`.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .expect("a UTC date within years 0..=9999 always formats as RFC 3339")
}

/// Parses an RFC 3339 timestamp.
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// Formats Unix seconds as RFC 3339.
pub fn rfc3339_from_unix(seconds: i64) -> String {
    rfc3339(OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_format_as_utc_rfc3339() {
        assert_eq!(rfc3339_from_unix(1_764_072_000), "2025-11-25T12:00:00Z");
    }
}
