//! Suggestions as a shopper types (`GET /search/suggest`): completions of the last, partly
//! typed word, drawn from the goods' names, the most common first.
//!
//! The indexer cuts each name into **phrases** that start at one of its words: that word
//! and the next (`Wireless Bluetooth Speaker` → `wireless bluetooth`, `bluetooth speaker`,
//! `speaker`; a compound joined by a hyphen or an apostrophe is one word: `Heart T-Light
//! Holder` → `heart t-light`, never a cut `heart t`), and, in a run of Chinese characters, up to four characters from each one
//! (`无线蓝牙耳机` → `无线蓝牙`, `线蓝牙耳`, `蓝牙耳机`, `牙耳机`, `耳机`). Each phrase
//! counts the live goods whose name has it, under each of its first [`PREFIXES`]
//! prefixes (counters moved exactly once with the document's `df` counters, by the plan
//! of [`super::index`]):
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | a phrase under a prefix | `S#{prefix}` | `{phrase}` | `sn`: goods whose name has it |
//!
//! The index's `by_prefix` GSI (`pk`, `sn`) orders each prefix's phrases by count, so a
//! prefix of up to four characters is one Query for the most common first; a longer one
//! is one Query on its first four characters' partition with `begins_with`, at most
//! [`LONG_PREFIX_READ`] phrases sorted by count in memory (four letters already narrow a
//! catalogue's phrases to a few dozen). A phrase whose goods all went is left at 0 and
//! skipped. So a suggestion is one Query, whatever the catalogue's size.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;

use super::analysis::{fold_width, is_cjk};
use super::table::SearchTable;
use crate::store::{number_value, string_value, Item, StoreError};

/// Prefix lengths (in characters) a phrase is counted under.
pub const PREFIXES: usize = 4;
/// Longest phrase kept, in characters.
pub const MAX_PHRASE: usize = 60;
/// Characters of a Chinese phrase.
const CJK_PHRASE: usize = 4;
/// Phrases read for a prefix longer than [`PREFIXES`].
pub const LONG_PREFIX_READ: i32 = 200;
/// The index that orders a prefix's phrases by count.
pub const BY_PREFIX: &str = "by_prefix";

/// A name's pieces: words of letters and digits, and runs of Chinese characters.
#[derive(Debug, PartialEq)]
enum Piece {
    Word(String),
    Cjk(Vec<char>),
}

/// Whether `c` joins two words into one when it stands between them (`t-light`,
/// `children's`): a name's compound is suggested whole, never cut after its first part.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '\u{2019}')
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    // Whether the character goes on with the last piece (nothing came between).
    let mut joined = false;
    // A joiner met right after a word: kept if a letter or digit follows it.
    let mut joiner: Option<char> = None;
    for c in text.chars().map(fold_width) {
        match (is_cjk(c), c.is_alphanumeric(), pieces.last_mut()) {
            (true, _, Some(Piece::Cjk(run))) if joined => run.push(c),
            (true, _, _) => pieces.push(Piece::Cjk(vec![c])),
            (false, true, Some(Piece::Word(word))) if joined => {
                word.extend(joiner.take());
                word.extend(c.to_lowercase());
            }
            (false, true, _) => pieces.push(Piece::Word(c.to_lowercase().collect())),
            (false, false, Some(Piece::Word(_))) if joined && joiner.is_none() && is_joiner(c) => {
                joiner = Some(c);
                continue;
            }
            (false, false, _) => {
                joined = false;
                joiner = None;
                continue;
            }
        }
        joiner = None;
        joined = true;
    }
    pieces
}

fn cut(phrase: &str) -> String {
    cut_chars(phrase, MAX_PHRASE).trim_end().to_owned()
}

/// The phrases of a goods name (see the module header).
pub fn phrases(name: &str) -> BTreeSet<String> {
    let pieces = pieces(name);
    let mut phrases = BTreeSet::new();
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Word(word) => {
                if !word.chars().next().is_some_and(char::is_alphabetic) {
                    continue;
                }
                let phrase = match pieces.get(i + 1) {
                    Some(Piece::Word(next)) => format!("{word} {next}"),
                    _ => word.clone(),
                };
                phrases.insert(cut(&phrase));
            }
            Piece::Cjk(run) => {
                for start in 0..run.len().saturating_sub(1) {
                    let end = (start + CJK_PHRASE).min(run.len());
                    phrases.insert(run[start..end].iter().collect());
                }
            }
        }
    }
    phrases
}

/// The prefixes a phrase is counted under.
pub fn prefixes(phrase: &str) -> Vec<String> {
    let chars: Vec<char> = phrase.chars().collect();
    (1..=PREFIXES.min(chars.len()))
        .map(|n| chars[..n].iter().collect())
        .collect()
}

/// A phrase's counter under `prefix`.
pub(crate) fn counter_key(prefix: &str, phrase: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), string_value(format!("S#{prefix}"))),
        ("sk".to_owned(), string_value(phrase)),
    ])
}

/// What a shopper typed, split for completion: the text before the word being typed
/// (as typed, folded), and that word's start.
#[derive(Debug, PartialEq, Eq)]
pub struct Typed {
    /// What comes before the completion.
    pub before: String,
    /// The start of the word being typed (lower case).
    pub partial: String,
}

impl Typed {
    /// Splits `q`: the completion replaces its last word (a Chinese run's last two
    /// characters, or its only one). `None` when `q` ends in nothing to complete.
    pub fn parse(q: &str) -> Option<Self> {
        let folded: String = q
            .chars()
            .map(fold_width)
            .flat_map(char::to_lowercase)
            .collect();
        let text = folded.trim_end();
        let last = text.chars().last()?;
        let cut = if is_cjk(last) {
            let run = text.chars().rev().take_while(|c| is_cjk(*c)).count();
            text.chars().count() - run.min(2)
        } else if last.is_alphanumeric() {
            // The word being typed, a compound's joiners in it (`t-l` completes to
            // `t-light`), from its first letter or digit.
            let tail: Vec<char> = text
                .chars()
                .rev()
                .take_while(|c| (c.is_alphanumeric() && !is_cjk(*c)) || is_joiner(*c))
                .collect();
            let word = tail.len() - tail.iter().rev().take_while(|c| is_joiner(**c)).count();
            text.chars().count() - word
        } else {
            return None;
        };
        let before: String = text.chars().take(cut).collect();
        let partial: String = text.chars().skip(cut).collect();
        Some(Self {
            before,
            partial: cut_chars(&partial, MAX_PHRASE),
        })
    }

    /// The suggestion a phrase makes: the text before, then the phrase.
    pub fn complete(&self, phrase: &str) -> String {
        let joined = self
            .before
            .ends_with(|c: char| !is_cjk(c) && !c.is_whitespace())
            && phrase.starts_with(|c: char| !is_cjk(c));
        let mut text = self.before.clone();
        if joined {
            text.push(' ');
        }
        text.push_str(phrase);
        text
    }
}

fn cut_chars(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

impl SearchTable {
    /// Up to `limit` phrases that start with `partial`, the most common first, with
    /// their counts.
    ///
    /// # Errors
    /// [`StoreError`] when DynamoDB fails.
    pub async fn suggest(
        &self,
        partial: &str,
        limit: usize,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let chars = partial.chars().count();
        if chars == 0 {
            return Ok(Vec::new());
        }
        let short = chars <= PREFIXES;
        let prefix = cut_chars(partial, PREFIXES);
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_values(":pk", string_value(format!("S#{prefix}")))
            .expression_attribute_values(":zero", number_value(0));
        request = if short {
            // Most common first, phrases whose goods all went left out by the key.
            request
                .index_name(BY_PREFIX)
                .key_condition_expression("pk = :pk AND sn > :zero")
                .scan_index_forward(false)
                .limit(limit as i32)
        } else {
            request
                .key_condition_expression("pk = :pk AND begins_with(sk, :partial)")
                .filter_expression("sn > :zero")
                .expression_attribute_values(":partial", string_value(partial))
                .limit(LONG_PREFIX_READ)
        };
        let out = request.send().await.map_err(StoreError::new)?;
        let mut found: Vec<(String, i64)> = out
            .items
            .unwrap_or_default()
            .into_iter()
            .filter_map(|item| {
                let phrase = match item.get("sk") {
                    Some(AttributeValue::S(s)) => s.clone(),
                    _ => return None,
                };
                let count = match item.get("sn") {
                    Some(AttributeValue::N(n)) => n.parse().ok()?,
                    _ => return None,
                };
                (count > 0).then_some((phrase, count))
            })
            .collect();
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        found.truncate(limit);
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_name_s_phrases_start_at_each_word() {
        assert_eq!(
            phrases("Wireless Bluetooth Speaker"),
            set(&["bluetooth speaker", "speaker", "wireless bluetooth"])
        );
        assert_eq!(
            phrases("无线蓝牙耳机"),
            set(&["无线蓝牙", "线蓝牙耳", "蓝牙耳机", "牙耳机", "耳机"])
        );
        assert_eq!(
            phrases("Set of 3 cake tins, 蓝牙"),
            set(&["set of", "of 3", "cake tins", "tins", "蓝牙"])
        );
        assert!(phrases("!!!").is_empty());
        // A compound stays whole; a dash between spaces or at the end joins nothing.
        assert_eq!(
            phrases("Heart T-Light Holder"),
            set(&["heart t-light", "t-light holder", "holder"])
        );
        assert_eq!(
            phrases("Children's mug - red-"),
            set(&["children's mug", "mug red", "red"])
        );
    }

    #[test]
    fn prefixes_are_the_first_characters() {
        assert_eq!(prefixes("蓝牙耳机"), ["蓝", "蓝牙", "蓝牙耳", "蓝牙耳机"]);
        assert_eq!(prefixes("ab"), ["a", "ab"]);
    }

    #[test]
    fn the_last_word_is_completed() {
        let typed = Typed::parse("Wireless BLU").unwrap();
        assert_eq!(
            typed,
            Typed {
                before: "wireless ".into(),
                partial: "blu".into()
            }
        );
        assert_eq!(
            typed.complete("bluetooth speaker"),
            "wireless bluetooth speaker"
        );
        let typed = Typed::parse("无线蓝牙").unwrap();
        assert_eq!(typed.partial, "蓝牙");
        assert_eq!(typed.complete("蓝牙耳机"), "无线蓝牙耳机");
        assert_eq!(
            Typed::parse("blu").unwrap().complete("bluetooth"),
            "bluetooth"
        );
        assert_eq!(Typed::parse("蓝").unwrap().partial, "蓝");
        let typed = Typed::parse("Heart T-L").unwrap();
        assert_eq!(
            (typed.before.as_str(), typed.partial.as_str()),
            ("heart ", "t-l")
        );
        assert_eq!(typed.complete("t-light holder"), "heart t-light holder");
        assert_eq!(Typed::parse("red -t").unwrap().partial, "t");
        assert_eq!(Typed::parse("tea, "), None);
        assert_eq!(Typed::parse("  "), None);
    }
}
