//! Ids: ULIDs, opaque to clients and sortable by creation time.

/// A fresh ULID, e.g. `01JDQ7X8Z3N2V5K6W9Y0A1B2C3`.
pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_26_characters_and_sort_by_creation() {
        let first = super::new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = super::new_id();
        assert_eq!(first.len(), 26);
        assert!(first < second);
    }
}
