//! Chinese text analysis: character bigrams (what `shop::search::analysis` does) against
//! word segmentation by `jieba-rs`, on the same ranking.
//!
//! The data set has no Chinese text, so the catalogue is generated: 2,000 product names
//! in the way Chinese shops write them, without spaces — brand, one or two selling points,
//! the product, a colour and sometimes a size (`小米无线降噪蓝牙耳机黑色`), drawn with a
//! fixed seed from the vocabulary below. Two kinds of known-item queries, 500 each:
//! - *words*: two of the name's words as jieba cuts it (the words a segmenter knows; this
//!   favours jieba, which made them);
//! - *fragments*: 2–4 consecutive characters of the name, without the brand, the way a
//!   shopper types part of a compound (`蓝牙耳`, `降噪蓝牙`) — aligned to no segmentation.
//!
//! Both analyses feed the same BM25 (tantivy 0.25, k1 1.2, b 0.75) over the analysed terms,
//! so only the analysis differs. Prints Markdown: MRR and hit@10 per analysis and kind.
//!
//! Usage: `cargo bench -p bench --bench chinese`.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, TantivyDocument, Term};

use shop::search::analysis::{Analyzer, Mode};

const BRANDS: [&str; 12] = [
    "小米",
    "华为",
    "美的",
    "苏泊尔",
    "罗技",
    "安克",
    "李宁",
    "飞利浦",
    "九阳",
    "格力",
    "海尔",
    "倍思",
];
const POINTS: [&str; 24] = [
    "无线",
    "降噪",
    "便携",
    "智能",
    "超薄",
    "大容量",
    "防水",
    "静音",
    "快充",
    "不锈钢",
    "加厚",
    "轻量",
    "迷你",
    "家用",
    "运动",
    "儿童",
    "折叠",
    "多功能",
    "护眼",
    "保温",
    "恒温",
    "蓝牙",
    "机械",
    "充电式",
];
const PRODUCTS: [&str; 30] = [
    "耳机",
    "蓝牙耳机",
    "保温杯",
    "手机壳",
    "充电宝",
    "电饭煲",
    "空气净化器",
    "键盘",
    "鼠标",
    "台灯",
    "双肩包",
    "跑步鞋",
    "羽绒服",
    "咖啡机",
    "电动牙刷",
    "吹风机",
    "电热水壶",
    "料理机",
    "加湿器",
    "电风扇",
    "音箱",
    "手表",
    "数据线",
    "充电器",
    "行李箱",
    "保温饭盒",
    "吸尘器",
    "剃须刀",
    "榨汁机",
    "体脂秤",
];
const COLOURS: [&str; 8] = [
    "黑色", "白色", "红色", "蓝色", "灰色", "粉色", "绿色", "银色",
];
const SIZES: [&str; 8] = [
    "500毫升",
    "1升",
    "大号",
    "小号",
    "两件套",
    "标准版",
    "升级版",
    "礼盒装",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// A product name, and where its brand ends (in characters).
fn name(rng: &mut Rng) -> (String, usize) {
    let brand = rng.pick(&BRANDS);
    let mut name = brand.to_owned();
    let first = rng.pick(&POINTS);
    name.push_str(first);
    if rng.next() % 2 == 0 {
        let second = rng.pick(&POINTS);
        if second != first {
            name.push_str(second);
        }
    }
    name.push_str(rng.pick(&PRODUCTS));
    name.push_str(rng.pick(&COLOURS));
    if rng.next() % 3 == 0 {
        name.push_str(rng.pick(&SIZES));
    }
    (name, brand.chars().count())
}

/// A way of turning text into terms, for documents and for queries.
trait Analysis {
    fn document(&self, text: &str) -> Vec<String>;
    fn query(&self, text: &str) -> Vec<String>;
}

struct Bigrams(Analyzer);

impl Analysis for Bigrams {
    fn document(&self, text: &str) -> Vec<String> {
        self.0.terms(text, Mode::Document)
    }
    fn query(&self, text: &str) -> Vec<String> {
        self.0.terms(text, Mode::Query)
    }
}

struct Jieba(jieba_rs::Jieba);

impl Analysis for Jieba {
    fn document(&self, text: &str) -> Vec<String> {
        self.0
            .cut_for_search(text, true)
            .into_iter()
            .map(|t| t.word.to_owned())
            .collect()
    }
    fn query(&self, text: &str) -> Vec<String> {
        self.document(text)
    }
}

/// BM25 over pre-analysed terms, so only the analysis differs.
struct Ranking {
    searcher: tantivy::Searcher,
    field: tantivy::schema::Field,
    id: tantivy::schema::Field,
}

impl Ranking {
    fn build(names: &[String], analysis: &dyn Analysis) -> Self {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING | STORED);
        let field = schema.add_text_field(
            "name",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("terms")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        );
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(
            "terms",
            TextAnalyzer::builder(WhitespaceTokenizer::default()).build(),
        );
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 30_000_000)
            .expect("writer");
        for (i, name) in names.iter().enumerate() {
            let mut document = TantivyDocument::default();
            document.add_text(id, i.to_string());
            document.add_text(field, analysis.document(name).join(" "));
            writer.add_document(document).expect("added");
        }
        writer.commit().expect("committed");
        Self {
            searcher: index.reader().expect("reader").searcher(),
            field,
            id,
        }
    }

    fn rank_of(&self, terms: &[String], target: usize) -> Option<usize> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| {
                let query = TermQuery::new(
                    Term::from_field_text(self.field, t),
                    IndexRecordOption::WithFreqs,
                );
                (Occur::Should, Box::new(query) as Box<dyn Query>)
            })
            .collect();
        let top = self
            .searcher
            .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(10))
            .expect("searched");
        top.into_iter().position(|(_, address)| {
            self.searcher
                .doc::<TantivyDocument>(address)
                .ok()
                .and_then(|d| {
                    d.get_first(self.id)
                        .and_then(|v| v.as_str().map(str::to_owned))
                })
                == Some(target.to_string())
        })
    }
}

fn main() {
    let mut rng = Rng(0x5eed_c0de);
    let names: Vec<(String, usize)> = (0..2000).map(|_| name(&mut rng)).collect();
    let texts: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
    let jieba = jieba_rs::Jieba::new();

    // Known-item queries.
    let mut words = Vec::new();
    let mut fragments = Vec::new();
    while words.len() < 500 {
        let target = (rng.next() % names.len() as u64) as usize;
        let cut: Vec<&str> = jieba
            .cut(&names[target].0, false)
            .into_iter()
            .map(|t| t.word)
            .filter(|w| w.chars().count() >= 2)
            .collect();
        if cut.len() < 2 {
            continue;
        }
        let a = (rng.next() % cut.len() as u64) as usize;
        let b = (a + 1 + (rng.next() % (cut.len() as u64 - 1)) as usize) % cut.len();
        words.push((format!("{}{}", cut[a], cut[b]), target));
    }
    while fragments.len() < 500 {
        let target = (rng.next() % names.len() as u64) as usize;
        let (name, brand) = &names[target];
        let chars: Vec<char> = name.chars().skip(*brand).collect();
        let length = 2 + (rng.next() % 3) as usize;
        if chars.len() < length {
            continue;
        }
        let start = (rng.next() % (chars.len() - length + 1) as u64) as usize;
        fragments.push((
            chars[start..start + length].iter().collect::<String>(),
            target,
        ));
    }

    let analyses: [(&str, Box<dyn Analysis>); 2] = [
        (
            "character bigrams (+ single characters in documents): `shop::search::analysis`",
            Box::new(Bigrams(Analyzer::new())),
        ),
        (
            "jieba-rs 0.11 `cut_for_search` (HMM on), documents and queries",
            Box::new(Jieba(jieba_rs::Jieba::new())),
        ),
    ];
    println!("| analysis | word queries: MRR | hit@10 | fragment queries: MRR | hit@10 |");
    println!("|---|---:|---:|---:|---:|");
    for (label, analysis) in &analyses {
        let ranking = Ranking::build(&texts, analysis.as_ref());
        let score = |queries: &[(String, usize)]| {
            let ranks: Vec<Option<usize>> = queries
                .iter()
                .map(|(q, target)| ranking.rank_of(&analysis.query(q), *target))
                .collect();
            let mrr = ranks
                .iter()
                .map(|r| r.map_or(0.0, |r| 1.0 / (r + 1) as f64))
                .sum::<f64>()
                / ranks.len() as f64;
            let hits = ranks.iter().filter(|r| r.is_some()).count() as f64 / ranks.len() as f64;
            (mrr, hits)
        };
        let (word_mrr, word_hits) = score(&words);
        let (fragment_mrr, fragment_hits) = score(&fragments);
        println!(
            "| {label} | {word_mrr:.3} | {:.1} % | {fragment_mrr:.3} | {:.1} % |",
            100.0 * word_hits,
            100.0 * fragment_hits
        );
    }
    println!();
    println!(
        "{} generated names, {} word queries (e.g. `{}`), {} fragment queries (e.g. `{}`).",
        names.len(),
        words.len(),
        words[0].0,
        fragments.len(),
        fragments[0].0
    );
}
