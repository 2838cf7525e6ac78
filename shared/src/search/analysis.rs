//! Text analysis: the same for documents and queries, so that what a shopper types meets
//! what a merchant wrote.
//!
//! - Full-width ASCII (`ＡＢＣ１２３`) folds to ASCII, then everything is lower-cased.
//! - Runs of letters and digits are words; an English word is stemmed with Snowball's
//!   English (Porter 2) stemmer (`headphones` and `headphone` both become `headphon`).
//! - Runs of Han characters (and kana) have no spaces to split on: they become
//!   overlapping character bigrams (`无线蓝牙耳机` → `无线 线蓝 蓝牙 牙耳 耳机`), so any
//!   two-character substring of a query can meet the same in a document
//!   (`蓝牙耳机` → `蓝牙 牙耳 耳机`, all inside `无线蓝牙耳机`). Documents also index each
//!   character alone, so a one-character query (`茶`) finds `绿茶`; a longer query uses
//!   its bigrams only, which are far more selective.
//!
//! Why bigrams and not a dictionary segmenter (jieba): a segmenter can split a query and a
//! product name differently (`蓝牙耳机` as one word, `无线/蓝牙/耳机` in a name) and
//! then they never meet, while bigrams match every substring; and jieba's dictionary
//! (several MB, parsed at cold start) would cost every search cold start tens of
//! milliseconds. The price of bigrams is a longer posting list per document. Measured
//! (`infra/bench/benches/chinese.rs`, in BENCHMARKS.md): on generated Chinese product names
//! with the same BM25, jieba ranks a query of two whole dictionary words a little better,
//! and bigrams rank a fragment of a compound (`蓝牙耳`, `降噪蓝牙`) far better.
//! - Words longer than [`MAX_WORD`] characters are cut there (nobody searches for a 200
//!   character word, and a key must stay small).

use std::collections::BTreeSet;

use rust_stemmers::{Algorithm, Stemmer};

/// Longest word kept, in characters.
pub const MAX_WORD: usize = 40;

/// Whether a character is written without spaces between words (CJK).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}')
}

/// Folds full-width ASCII forms to ASCII.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Whether a document or a query is being analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Index every term a query could use.
    Document,
    /// Only the most selective terms.
    Query,
}

/// The analyser: holds the stemmer, built once.
pub struct Analyzer {
    stemmer: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// An English-stemming, CJK-bigram analyser.
    pub fn new() -> Self {
        Self {
            stemmer: Stemmer::create(Algorithm::English),
        }
    }

    /// The terms of `text`, in order, repeated as often as they occur.
    pub fn terms(&self, text: &str, mode: Mode) -> Vec<String> {
        let mut terms = Vec::new();
        self.analyse(text, mode, |term, _| terms.push(term));
        terms
    }

    /// A query's distinct terms, in order, each with the word the shopper typed for it
    /// (lower case) when that is a word of letters, and an empty string for numbers,
    /// model numbers and Chinese bigrams: what typo tolerance goes by.
    pub fn query_words(&self, text: &str) -> Vec<(String, String)> {
        let mut words: Vec<(String, String)> = Vec::new();
        self.analyse(text, Mode::Query, |term, typed| {
            match words.iter_mut().find(|(t, _)| *t == term) {
                Some(seen) if seen.1.len() < typed.len() => seen.1 = typed,
                Some(_) => {}
                None => words.push((term, typed)),
            }
        });
        words
    }

    /// The neighbouring words of a name, as terms, from its phrases (a word and the
    /// next, lower case: [`super::suggest::phrases`]).
    pub fn neighbours(&self, phrases: &BTreeSet<String>) -> Vec<(String, String)> {
        phrases
            .iter()
            .filter_map(|phrase| {
                let (a, b) = phrase.split_once(' ')?;
                let stem = |w: &str| self.stemmer.stem(w).into_owned();
                (!b.contains(' ')).then(|| (stem(a), stem(b)))
            })
            .collect()
    }

    /// Calls `emit` with each term of `text` and the word of letters it was made from
    /// (see [`Self::query_words`]).
    fn analyse(&self, text: &str, mode: Mode, mut emit: impl FnMut(String, String)) {
        let mut word = String::new();
        let mut cjk: Vec<char> = Vec::new();
        for c in text.chars().map(fold_width) {
            if is_cjk(c) {
                self.flush_word(&mut word, &mut emit);
                cjk.push(c);
            } else if c.is_alphanumeric() {
                flush_cjk(&mut cjk, mode, &mut emit);
                if word.chars().count() < MAX_WORD {
                    word.extend(c.to_lowercase());
                }
            } else {
                self.flush_word(&mut word, &mut emit);
                flush_cjk(&mut cjk, mode, &mut emit);
            }
        }
        self.flush_word(&mut word, &mut emit);
        flush_cjk(&mut cjk, mode, &mut emit);
    }

    fn flush_word(&self, word: &mut String, emit: &mut impl FnMut(String, String)) {
        if word.is_empty() {
            return;
        }
        let stem = self.stemmer.stem(word).into_owned();
        if word.chars().all(char::is_alphabetic) {
            emit(stem, std::mem::take(word));
        } else {
            emit(stem, String::new());
            word.clear();
        }
    }
}

fn flush_cjk(run: &mut Vec<char>, mode: Mode, emit: &mut impl FnMut(String, String)) {
    match run.len() {
        0 => return,
        1 => emit(run[0].to_string(), String::new()),
        _ => {
            for pair in run.windows(2) {
                emit(pair.iter().collect(), String::new());
            }
            if mode == Mode::Document {
                for c in run.iter() {
                    emit(c.to_string(), String::new());
                }
            }
        }
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn query(text: &str) -> Vec<String> {
        Analyzer::new().terms(text, Mode::Query)
    }

    fn document(text: &str) -> Vec<String> {
        Analyzer::new().terms(text, Mode::Document)
    }

    #[test]
    fn english_words_are_case_folded_and_stemmed() {
        assert_eq!(query("Bluetooth Headphones!"), ["bluetooth", "headphon"]);
        assert_eq!(query("bluetooth headphone"), ["bluetooth", "headphon"]);
        assert_eq!(query("T-LIGHT holders"), ["t", "light", "holder"]);
    }

    #[test]
    fn chinese_queries_meet_longer_names_through_bigrams() {
        let doc = document("无线蓝牙耳机");
        for term in query("蓝牙耳机") {
            assert!(doc.contains(&term), "{term} not in {doc:?}");
        }
        assert_eq!(query("蓝牙耳机"), ["蓝牙", "牙耳", "耳机"]);
        assert!(document("绿茶").contains(&"茶".to_owned()));
        assert_eq!(query("茶"), ["茶"]);
    }

    #[test]
    fn mixed_scripts_and_full_width_forms_split_cleanly() {
        assert_eq!(query("iPhone15手机壳"), ["iphone15", "手机", "机壳"]);
        assert_eq!(query("ＵＳＢ　充电器"), ["usb", "充电", "电器"]);
    }

    #[test]
    fn a_name_s_neighbouring_words_come_back_as_terms() {
        let analyzer = Analyzer::new();
        let phrases = crate::search::suggest::phrases("Wireless Bluetooth Speakers, 蓝牙");
        assert_eq!(
            analyzer.neighbours(&phrases),
            [
                ("bluetooth".to_owned(), "speaker".to_owned()),
                ("wireless".to_owned(), "bluetooth".to_owned()),
            ]
        );
    }

    #[test]
    fn query_words_keep_the_word_typed_for_words_of_letters_only() {
        let words = Analyzer::new().query_words("Headphone bluetoth iPhone15 蓝牙 headphones");
        let typed = |term: &str, word: &str| (term.to_owned(), word.to_owned());
        assert_eq!(
            words,
            [
                typed("headphon", "headphones"),
                typed("bluetoth", "bluetoth"),
                typed("iphone15", ""),
                typed("蓝牙", ""),
            ]
        );
    }

    #[test]
    fn punctuation_alone_has_no_terms() {
        assert!(query("!!! ... ,,, ？？").is_empty());
        assert!(query("").is_empty());
    }

    proptest! {
        #[test]
        fn every_term_is_short_and_non_empty(text in "\\PC{0,300}") {
            for term in document(&text) {
                prop_assert!(!term.is_empty());
                prop_assert!(term.chars().count() <= MAX_WORD);
            }
        }

        #[test]
        fn a_query_taken_from_a_document_meets_it(text in "[a-zA-Z蓝牙耳机无线 ]{1,60}") {
            let doc = document(&text);
            for term in query(&text) {
                prop_assert!(doc.contains(&term));
            }
        }
    }
}
