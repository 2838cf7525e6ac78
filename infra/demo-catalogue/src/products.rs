//! Products from the UCI Online Retail data set (`online_retail.csv.gz`): one per stock
//! code, named by its latest description, priced at its latest unit price (in pence,
//! GBP), with a category derived from words in the name and a stock level from how
//! much of it sold.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;

/// A product as the demo shop will sell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// The data set's stock code.
    pub stock_code: String,
    /// Title-cased description.
    pub name: String,
    /// Latest unit price, in pence.
    pub price_pence: i64,
    /// Derived category.
    pub category: &'static str,
    /// Derived stock level.
    pub stock: i64,
}

#[derive(Default)]
struct Seen {
    latest_date: String,
    description: String,
    price_pence: i64,
    units_sold: i64,
}

impl Product {
    /// The goods' description, as the demo catalogue writes it: the name and where it
    /// comes from. A word every description shares weighs nothing in search (its `idf`
    /// is nil, in names too), so the words added are ones shoppers don't search for —
    /// not `set` or `stock`, which names use (`Set Of 3 …`, `Christmas Stocking`).
    pub fn description(&self) -> String {
        Self::describe(&self.name, &self.stock_code)
    }

    /// The description of `name` under `code` (also for the benchmark's copies, which
    /// have codes of their own).
    pub fn describe(name: &str, code: &str) -> String {
        format!("{name} (UCI Online Retail {code})")
    }
}

/// Reads the gzipped CSV and returns its products, in stock-code order, one per name.
///
/// # Errors
/// When the file can't be read or isn't the expected CSV.
pub fn load(path: &Path) -> Result<Vec<Product>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    parse(text.as_bytes())
}

/// Parses the CSV (see [`load`]).
///
/// # Errors
/// When a line isn't the expected CSV.
pub fn parse(csv_bytes: &[u8]) -> Result<Vec<Product>, String> {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let mut by_code: BTreeMap<String, Seen> = BTreeMap::new();
    for record in reader.records() {
        let r = record.map_err(|e| e.to_string())?;
        let (invoice, code, description, quantity, date, price) =
            (&r[0], &r[1], r[2].trim(), &r[3], &r[4], &r[5]);
        let quantity: i64 = quantity.parse().unwrap_or(0);
        let price_pence = price
            .parse::<f64>()
            .map(|p| (p * 100.0).round() as i64)
            .unwrap_or(0);
        let is_product = code.starts_with(|c: char| c.is_ascii_digit())
            && !invoice.starts_with('C')
            && quantity > 0
            && price_pence > 0
            && description.len() > 3
            && description.chars().any(|c| c.is_ascii_uppercase())
            && !description.chars().any(|c| c.is_ascii_lowercase());
        if !is_product {
            continue;
        }
        let seen = by_code.entry(code.to_owned()).or_default();
        seen.units_sold += quantity;
        if date >= seen.latest_date.as_str() {
            seen.latest_date = date.to_owned();
            seen.description = description.to_owned();
            seen.price_pence = price_pence;
        }
    }
    let mut names = HashSet::new();
    Ok(by_code
        .into_iter()
        .filter_map(|(code, seen)| {
            let name = title_case(&seen.description);
            names.insert(name.to_lowercase()).then(|| Product {
                category: category_of(&seen.description),
                stock: (seen.units_sold / 12).clamp(5, 500),
                stock_code: code,
                name,
                price_pence: seen.price_pence,
            })
        })
        .collect())
}

fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first category whose words appear in the description.
fn category_of(description: &str) -> &'static str {
    const RULES: &[(&str, &[&str])] = &[
        (
            "Christmas",
            &[
                "CHRISTMAS",
                "XMAS",
                "ADVENT",
                "SANTA",
                "REINDEER",
                "SNOWFLAKE",
            ],
        ),
        ("Bags", &["BAG", "PURSE", "TOTE"]),
        (
            "Lighting",
            &[
                "LIGHT",
                "LANTERN",
                "CANDLE",
                "LAMP",
                "T-LIGHT",
                "NIGHTLIGHT",
            ],
        ),
        (
            "Kitchen",
            &[
                "MUG", "CUP", "TEAPOT", "PLATE", "BOWL", "JAR", "CAKE", "BAKING", "LUNCH", "TEA",
                "SPOON", "TIN", "APRON", "NAPKIN", "GLASS",
            ],
        ),
        (
            "Stationery",
            &[
                "CARD", "WRAP", "PAPER", "NOTEBOOK", "PEN", "PENCIL", "STICKER", "ENVELOPE",
                "TAPE", "CALENDAR",
            ],
        ),
        (
            "Toys & Games",
            &[
                "TOY",
                "GAME",
                "DOLL",
                "PUZZLE",
                "SPACEBOY",
                "SKIPPING",
                "PLAYHOUSE",
                "BALLOON",
            ],
        ),
        (
            "Garden",
            &[
                "GARDEN",
                "PLANT",
                "FLOWER POT",
                "BIRD",
                "WATERING",
                "PLANTER",
            ],
        ),
        ("Clocks", &["CLOCK"]),
        (
            "Jewellery",
            &["NECKLACE", "BRACELET", "EARRINGS", "RING", "HAIR", "BROOCH"],
        ),
        (
            "Textiles",
            &["CUSHION", "BLANKET", "THROW", "TOWEL", "CLOTH", "QUILT"],
        ),
        (
            "Storage",
            &[
                "BOX", "BASKET", "DRAWER", "CABINET", "HOLDER", "HANGER", "HOOK", "RACK",
            ],
        ),
        (
            "Home Decor",
            &[
                "HEART",
                "SIGN",
                "DECORATION",
                "FRAME",
                "MIRROR",
                "ORNAMENT",
                "WREATH",
                "GARLAND",
                "BUNTING",
                "VASE",
            ],
        ),
    ];
    let words: Vec<&str> = description
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .collect();
    RULES
        .iter()
        .find(|(_, keys)| {
            keys.iter().any(|key| {
                if key.contains(' ') {
                    description.contains(key)
                } else {
                    words
                        .iter()
                        .any(|w| w == key || w.strip_suffix('S') == Some(key))
                }
            })
        })
        .map_or("Gifts", |(category, _)| category)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str =
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2011-01-01 08:26:00,2.95,17850.0,United Kingdom
C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-1,2011-02-01 09:41:00,9.99,14527.0,United Kingdom
536367,POST,POSTAGE,1,2010-12-01 08:34:00,18.0,13047.0,France
536368,22633,HAND WARMER UNION JACK,6,2010-12-01 08:34:00,1.85,13047.0,United Kingdom
536369,22634,damaged,6,2010-12-01 08:34:00,1.85,13047.0,United Kingdom
536370,84029G,KNITTED UNION FLAG HOT WATER BOTTLE,6,2010-12-01 08:26:00,3.39,,United Kingdom
";

    #[test]
    fn each_product_takes_its_latest_price_and_skips_the_rest() {
        let products = parse(CSV.as_bytes()).unwrap();
        let names: Vec<&str> = products.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Hand Warmer Union Jack",
                "Knitted Union Flag Hot Water Bottle",
                "White Hanging Heart T-light Holder"
            ]
        );
        let heart = products.iter().find(|p| p.stock_code == "85123A").unwrap();
        assert_eq!(
            heart.price_pence, 295,
            "the latest price, not the cancelled line's"
        );
        assert_eq!(heart.category, "Lighting");
    }

    #[test]
    fn categories_come_from_words_in_the_name() {
        assert_eq!(category_of("JUMBO BAG RED RETROSPOT"), "Bags");
        assert_eq!(category_of("REGENCY CAKESTAND 3 TIER"), "Gifts");
        assert_eq!(category_of("SET OF 3 CAKE TINS PANTRY DESIGN"), "Kitchen");
        assert_eq!(category_of("PAPER CHAIN KIT 50'S CHRISTMAS"), "Christmas");
    }
}
