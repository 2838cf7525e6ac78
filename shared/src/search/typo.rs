//! Typo tolerance over the index's own vocabulary: a symmetric-delete dictionary
//! (SymSpell's idea) kept in the index table by the indexer.
//!
//! The contract's rule: an English query word of 5–8 letters also matches words one edit
//! away, of 9 or more letters two edits (an edit: a letter inserted, deleted, replaced, or
//! two neighbours swapped — the optimal-string-alignment distance). Two words within `d`
//! edits of each other share a string obtained from each by deleting at most `d` letters,
//! so the indexer files every term of the vocabulary under its *deletes*, and a query
//! looks up the deletes of its word: one BatchGetItem of at most
//! `1 + n + n(n−1)/2` keys for an `n`-letter word (56 for a 10-letter one), whatever the
//! size of the vocabulary. The candidates met there are checked with the true distance.
//! The dictionary holds the terms of the goods' names and categories (what shoppers
//! type; descriptions would mostly add noise, and write cost).
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | a delete | `V#{delete}` | `V` | `t`: the set of terms filed under it |
//!
//! The distance is measured between the analysed terms (stems), the number of edits
//! allowed by the letters the shopper typed. The dictionary only grows: a term whose
//! last goods went away stays filed, and a query drops it because its `df` is 0. Terms
//! are filed under their one-letter deletes from 4 letters, and under their two-letter
//! deletes too from 8 to 12 letters (where stems of words of 9 or more letters fall),
//! which bounds what a term costs to file (79 keys at most, a 12-letter term; about 10
//! for a typical one), paid once per term of the vocabulary, not per goods. So every
//! one-edit typo is found, and a two-edit one whenever the term is 8 to 12 letters long
//! or the typo's edits include an extra letter (the query's deletes take it out); two
//! letters missing or wrong in a longer or shorter term are not.
//!
//! Only words of letters are corrected: a model number (`iphone15`, `85123a`) is matched
//! exactly, as are Chinese bigrams. Typo tolerance for Chinese would mean pinyin (a
//! shopper types `lanya` and an input method picks the characters; a wrong character is a
//! wrong pick, homophones), which needs a pinyin dictionary at cold start: not done, and
//! character bigrams already match any two characters typed right.

use std::collections::{BTreeSet, HashMap};

use crate::store::{string_value, Item};

/// Terms filed under their two-letter deletes: 8 to 12 letters (shorter stems are of
/// words allowed one edit; a longer one costs a hundred entries or more).
const TWO_EDITS: std::ops::RangeInclusive<usize> = 8..=12;

/// Edits a query word of `letters` letters may be away from a term it matches.
pub fn max_edits(letters: usize) -> usize {
    match letters {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Whether a term is a word of letters, long enough to be filed for correction.
fn correctable(term: &str) -> bool {
    term.chars().count() >= 4 && term.chars().all(char::is_alphabetic)
}

/// Every string made from `term` by deleting at most `edits` characters, `term` itself
/// included.
pub fn deletes(term: &str, edits: usize) -> BTreeSet<String> {
    let mut all = BTreeSet::from([term.to_owned()]);
    let mut frontier = vec![term.to_owned()];
    for _ in 0..edits {
        let mut next = Vec::new();
        for word in &frontier {
            let chars: Vec<char> = word.chars().collect();
            if chars.len() <= 1 {
                continue;
            }
            for skip in 0..chars.len() {
                let shorter: String = chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, c)| c)
                    .collect();
                if all.insert(shorter.clone()) {
                    next.push(shorter);
                }
            }
        }
        frontier = next;
    }
    all
}

/// The deletes an indexed term is filed under (none for a term that isn't corrected).
pub fn filed_under(term: &str) -> BTreeSet<String> {
    if !correctable(term) {
        return BTreeSet::new();
    }
    let length = term.chars().count();
    deletes(term, if TWO_EDITS.contains(&length) { 2 } else { 1 })
}

/// The edits between two terms, if at most `edits`.
pub fn distance(a: &str, b: &str, edits: usize) -> Option<usize> {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.abs_diff(lb) > edits {
        return None;
    }
    Some(strsim::osa_distance(a, b)).filter(|&d| d <= edits)
}

/// A delete item's key.
pub(crate) fn delete_key(delete: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), string_value(format!("V#{delete}"))),
        ("sk".to_owned(), string_value("V")),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_contract_s_rule_by_length() {
        assert_eq!(max_edits(4), 0);
        assert_eq!(max_edits(5), 1);
        assert_eq!(max_edits(8), 1);
        assert_eq!(max_edits(9), 2);
    }

    #[test]
    fn a_missing_letter_meets_its_word_through_a_shared_delete() {
        let query = deletes("bluetoth", 1);
        let filed = filed_under("bluetooth");
        assert!(query.intersection(&filed).next().is_some());
        assert_eq!(distance("bluetoth", "bluetooth", 1), Some(1));
        assert_eq!(distance("blutooht", "bluetooth", 1), None);
        assert_eq!(distance("blutoohth", "bluetooth", 2), Some(2));
        // A swap of neighbours is one edit.
        assert_eq!(distance("cadnle", "candle", 1), Some(1));
    }

    #[test]
    fn numbers_and_short_words_are_not_filed() {
        assert!(filed_under("iphone15").is_empty());
        assert!(filed_under("mug").is_empty());
        assert_eq!(filed_under("cake").len(), 5);
    }

    /// `word` with one edit at `at`: 0 deletes, 1 swaps with the next, 2 replaces, 3
    /// inserts.
    fn edit(word: &str, at: usize, kind: u8) -> String {
        let mut chars: Vec<char> = word.chars().collect();
        let at = at % (chars.len() - 1);
        match kind {
            0 => {
                chars.remove(at);
            }
            1 => chars.swap(at, at + 1),
            2 => chars[at] = if chars[at] == 'z' { 'a' } else { 'z' },
            _ => chars.insert(at, 'q'),
        }
        chars.into_iter().collect()
    }

    proptest! {
        #[test]
        fn one_edit_always_shares_a_delete(word in "[a-z]{4,16}", at in 0usize..16, kind in 0u8..4) {
            let typo = edit(&word, at, kind);
            let filed = filed_under(&word);
            prop_assert!(deletes(&typo, 1).iter().any(|d| filed.contains(d)));
        }

        #[test]
        fn two_edits_share_a_delete_in_a_term_of_8_to_12_letters(
            word in "[a-z]{8,12}", at in 0usize..12, kinds in (0u8..4, 0u8..4)
        ) {
            let typo = edit(&edit(&word, at, kinds.0), at + 3, kinds.1);
            let filed = filed_under(&word);
            prop_assert!(deletes(&typo, 2).iter().any(|d| filed.contains(d)));
        }
    }
}
