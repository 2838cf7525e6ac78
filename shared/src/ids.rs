//! Ids: ULIDs, opaque to clients and sortable by creation time.

/// A fresh ULID, e.g. `01JDQ7X8Z3N2V5K6W9Y0A1B2C3`.
pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

/// Whether `text` has the shape of an id we issue (26 Crockford base32 characters), so
/// that anything else is a 404 without a database read.
pub fn is_id(text: &str) -> bool {
    text.len() == 26 && ulid::Ulid::from_string(text).is_ok()
}

/// Which of `shards` write shards the id `id` falls in, from its 80 random bits (so
/// shards fill evenly); a string that isn't a ULID falls in shard 0.
pub fn shard(id: &str, shards: u32) -> u32 {
    let random = ulid::Ulid::from_string(id).map_or(0, |u| u.random());
    u32::try_from(random % u128::from(shards.max(1))).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_ulids_look_like_ids() {
        assert!(super::is_id(&super::new_id()));
        for bad in [
            "",
            "abc",
            "01JDQ7X8Z3N2V5K6W9Y0A1B2C",
            "01JDQ7X8Z3N2V5K6W9Y0A1B2C!",
            "../../etc/passwd",
        ] {
            assert!(!super::is_id(bad), "{bad}");
        }
    }

    #[test]
    fn ids_are_26_characters_and_sort_by_creation() {
        let first = super::new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = super::new_id();
        assert_eq!(first.len(), 26);
        assert!(first < second);
    }
}
