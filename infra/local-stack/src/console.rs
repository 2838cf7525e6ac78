//! What the stack prints, as `sam local` does: one line per request (time, method, path,
//! status, duration, function, AWS requests), one per consumer batch (function, messages,
//! failures), each email as a block with its links and tokens, and a function's warnings
//! and errors as they come. Every function's full JSON logs go to
//! `<LOCAL_LOG_DIR>/<Function>.log` (`.local/logs` by default); a 5xx, a crash or a
//! timeout prints the function's last lines inline.
//!
//! `LOCAL_LOG=all` streams every line of every function as well, `[Function] {json}`
//! (what `infra/test.sh`, the benchmarks and the policy audit read).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use time::macros::format_description;
use time::OffsetDateTime;

/// How many of a function's last lines a failure prints.
const TAIL: usize = 12;

/// Lines of one kind (route and status, or a consumer's batches) shown in one second; the
/// rest of that second's are summed into one line (a demo load makes thousands).
const SHOWN_PER_SECOND: u32 = 5;

/// What the console shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One line per request and per batch, emails, warnings and errors.
    Summary,
    /// Every line of every function too.
    All,
}

struct Console {
    mode: Mode,
    dir: PathBuf,
    files: Mutex<HashMap<String, File>>,
    recent: Mutex<HashMap<String, VecDeque<String>>>,
    burst: Mutex<Burst>,
}

/// This second's lines by kind: how many were shown, and what the others add up to.
#[derive(Default)]
struct Burst {
    second: i64,
    shown: HashMap<String, u32>,
    hidden: BTreeMap<String, Hidden>,
}

/// The lines of one kind not shown this second.
#[derive(Default)]
struct Hidden {
    count: u32,
    durations_ms: Vec<f64>,
}

impl Burst {
    /// Whether a line of `kind` that came in `second` is shown; when it isn't, it is
    /// counted (with its duration) for that second's summary. A new second first prints
    /// the last one's.
    fn admit(&mut self, second: i64, kind: &str, duration_ms: Option<f64>) -> bool {
        if second != self.second {
            self.flush();
            self.second = second;
        }
        let shown = self.shown.entry(kind.to_owned()).or_default();
        if *shown < SHOWN_PER_SECOND {
            *shown += 1;
            return true;
        }
        let hidden = self.hidden.entry(kind.to_owned()).or_default();
        hidden.count += 1;
        hidden.durations_ms.extend(duration_ms);
        false
    }

    /// Prints one line per kind of this second's lines that were not shown.
    fn flush(&mut self) {
        for (kind, mut hidden) in std::mem::take(&mut self.hidden) {
            let median = if hidden.durations_ms.is_empty() {
                String::new()
            } else {
                hidden.durations_ms.sort_by(f64::total_cmp);
                let p50 = hidden.durations_ms[hidden.durations_ms.len() / 2];
                format!(", median {p50:.1} ms")
            };
            println!(
                "{} … and {} more {kind} this second{median}",
                now(),
                hidden.count
            );
        }
        self.shown.clear();
    }
}

/// Prints the last second's summary when no new line came to do it.
pub async fn flush_every_second() {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let mut burst = console().burst.lock().expect("lock");
        let second = OffsetDateTime::now_utc().unix_timestamp();
        if burst.second != second {
            burst.flush();
        }
    }
}

static CONSOLE: OnceLock<Console> = OnceLock::new();

/// Sets the console up once: `LOCAL_LOG` (`all` for every line) and `LOCAL_LOG_DIR`.
pub fn init_from_env() {
    let mode = match std::env::var("LOCAL_LOG").as_deref() {
        Ok("all") => Mode::All,
        _ => Mode::Summary,
    };
    let dir = PathBuf::from(
        std::env::var("LOCAL_LOG_DIR")
            .ok()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| ".local/logs".to_owned()),
    );
    let _ = std::fs::create_dir_all(&dir);
    let _ = CONSOLE.set(Console::new(mode, dir));
}

/// The console; before [`init_from_env`] (in tests), every line as it comes.
fn console() -> &'static Console {
    CONSOLE.get_or_init(|| Console::new(Mode::All, PathBuf::from(".local/logs")))
}

impl Console {
    fn new(mode: Mode, dir: PathBuf) -> Self {
        Self {
            mode,
            dir,
            files: Mutex::new(HashMap::new()),
            recent: Mutex::new(HashMap::new()),
            burst: Mutex::new(Burst::default()),
        }
    }
}

/// The console's mode.
pub fn mode() -> Mode {
    console().mode
}

/// One line a function's process wrote: kept in its file and its recent lines, and shown
/// as its kind asks.
pub fn function_line(function: &str, line: &str) {
    let console = console();
    {
        let mut files = console.files.lock().expect("lock");
        if !files.contains_key(function) {
            if let Ok(file) = File::options()
                .create(true)
                .append(true)
                .open(console.dir.join(format!("{function}.log")))
            {
                files.insert(function.to_owned(), file);
            }
        }
        if let Some(file) = files.get_mut(function) {
            let _ = writeln!(file, "{line}");
        }
    }
    {
        let mut recent = console.recent.lock().expect("lock");
        let lines = recent.entry(function.to_owned()).or_default();
        if lines.len() == TAIL {
            lines.pop_front();
        }
        lines.push_back(line.to_owned());
    }
    if console.mode == Mode::All {
        println!("[{function}] {line}");
        return;
    }
    if let Some(summary) = summarise(function, line) {
        let shown = match &summary.kind {
            Some(kind) => {
                let second = OffsetDateTime::now_utc().unix_timestamp();
                (console.burst.lock().expect("lock")).admit(second, kind, summary.duration_ms)
            }
            None => true,
        };
        if shown {
            println!("{}", summary.line);
        }
    }
}

/// A line for the console: its text, and for request and batch lines their kind (what
/// a burst sums up) and duration.
#[derive(Debug, PartialEq)]
struct Summary {
    line: String,
    kind: Option<String>,
    duration_ms: Option<f64>,
}

impl Summary {
    fn alone(line: String) -> Self {
        Self {
            line,
            kind: None,
            duration_ms: None,
        }
    }
}

/// The console line for one log line of `function`, when it has one.
fn summarise(function: &str, line: &str) -> Option<Summary> {
    let Ok(entry) = serde_json::from_str::<Value>(line) else {
        // Not JSON: a panic message or a raw print.
        return Some(Summary::alone(format!("{} {function}: {line}", now())));
    };
    let fields = &entry["fields"];
    let level = entry["level"].as_str().unwrap_or_default();
    match fields["message"].as_str().unwrap_or_default() {
        "request done" => Some(request_line(function, fields)),
        "batch done" => Some(Summary {
            line: format!(
                "{} batch {:<34} {} messages, {} failed{}",
                now(),
                function,
                fields["messages"],
                fields["failed"],
                aws_requests(fields),
            ),
            kind: Some(format!("{function} batches")),
            duration_ms: None,
        }),
        message if level == "ERROR" || level == "WARN" => Some(Summary::alone(format!(
            "{} {level:<5} {function}: {message}",
            now()
        ))),
        _ => None,
    }
}

/// `12:00:01 POST /auth/register  201    48.3 ms  RegisterFunction  dynamodb 3, ses 1`.
fn request_line(function: &str, fields: &Value) -> Summary {
    let route = fields["route"].as_str().unwrap_or("?");
    let status = fields["status"].as_u64().unwrap_or_default();
    let ms = fields["duration_us"].as_f64().unwrap_or_default() / 1000.0;
    Summary {
        line: format!(
            "{} {route:<40} {status} {ms:>7.1} ms  {function}{}",
            now(),
            aws_requests(fields)
        ),
        kind: Some(format!("{route} {status}")),
        duration_ms: Some(ms),
    }
}

/// `  dynamodb 3, ses 1`: the AWS requests the invocation made, by service.
fn aws_requests(fields: &Value) -> String {
    let counts: Vec<String> = ["dynamodb", "sqs", "ses", "secretsmanager"]
        .into_iter()
        .filter_map(|service| {
            let n = fields[service].as_u64().filter(|n| *n > 0)?;
            Some(format!("{service} {n}"))
        })
        .collect();
    if counts.is_empty() {
        String::new()
    } else {
        format!("  {}", counts.join(", "))
    }
}

/// A failed invocation of `function` (`what`: its status, a crash or a timeout): its last
/// lines, inline.
pub fn failure(function: &str, what: &str) {
    let console = console();
    if console.mode == Mode::All {
        return;
    }
    let recent = console.recent.lock().expect("lock");
    let lines = recent.get(function).cloned().unwrap_or_default();
    drop(recent);
    let mut block = format!("{} ✗ {function}: {what}; its last lines:\n", now());
    for line in &lines {
        block.push_str("  │ ");
        block.push_str(line);
        block.push('\n');
    }
    block.push_str(&format!(
        "  └ all of it: {}",
        console.dir.join(format!("{function}.log")).display()
    ));
    println!("{block}");
}

/// An email SES "sent": a block with its addressees, subject, links and tokens.
pub fn email(to: &str, subject: &str, body: &str) {
    let mut block = format!("{} ┌ email to {to}: {subject}\n", now());
    for link in body.split_whitespace().filter(|w| w.starts_with("http")) {
        block.push_str(&format!("         │ {link}\n"));
    }
    for line in body.lines().filter(|l| l.starts_with("Token: ")) {
        block.push_str(&format!("         │ {line}\n"));
    }
    block.push_str("         └");
    println!("{block}");
}

fn now() -> String {
    OffsetDateTime::now_utc()
        .format(format_description!("[hour]:[minute]:[second]"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_one_line_with_its_route_status_time_and_aws_requests() {
        let line = r#"{"timestamp":"2026-12-01T18:36:27Z","level":"INFO","fields":{"message":"request done","route":"POST /auth/register","status":201,"duration_us":48250,"dynamodb":3,"sqs":0,"ses":1}}"#;
        let summary = summarise("RegisterFunction", line).unwrap();
        let text = &summary.line;
        assert!(text.contains("POST /auth/register"), "{text}");
        assert!(text.contains(" 201 "), "{text}");
        assert!(text.contains("48.2 ms"), "{text}");
        assert!(
            text.ends_with("RegisterFunction  dynamodb 3, ses 1"),
            "{text}"
        );
        assert_eq!(summary.kind.as_deref(), Some("POST /auth/register 201"));
    }

    #[test]
    fn a_batch_is_one_line_and_ordinary_lines_are_not_shown() {
        let batch = r#"{"level":"INFO","fields":{"message":"batch done","function":"index-goods","messages":10,"failed":1,"dynamodb":42,"sqs":0,"ses":0}}"#;
        let summary = summarise("IndexGoodsFunction", batch).unwrap().line;
        assert!(summary.contains("IndexGoodsFunction"), "{summary}");
        assert!(
            summary.contains("10 messages, 1 failed  dynamodb 42"),
            "{summary}"
        );
        let info = r#"{"level":"INFO","fields":{"message":"goods created"}}"#;
        assert_eq!(summarise("CreateGoodsFunction", info), None);
        let error = r#"{"level":"ERROR","fields":{"message":"indexing failed"}}"#;
        assert!(summarise("IndexGoodsFunction", error)
            .unwrap()
            .line
            .contains("ERROR IndexGoodsFunction: indexing failed"));
        let panic = "thread 'main' panicked at src/main.rs:1:1";
        assert!(summarise("MeFunction", panic)
            .unwrap()
            .line
            .contains("panicked"));
    }

    #[test]
    fn past_five_a_second_lines_of_one_kind_are_summed_up() {
        let mut burst = Burst::default();
        let shown = (0..8)
            .filter(|i| burst.admit(100, "POST /goods 201", Some(f64::from(*i))))
            .count();
        assert_eq!(shown, 5);
        assert_eq!(burst.hidden["POST /goods 201"].count, 3);
        assert_eq!(
            burst.hidden["POST /goods 201"].durations_ms,
            [5.0, 6.0, 7.0]
        );
        assert!(
            burst.admit(100, "GET /goods 200", None),
            "another kind has its own five"
        );
        assert!(
            burst.admit(101, "POST /goods 201", None),
            "a new second starts again"
        );
        assert!(
            burst.hidden.is_empty(),
            "and the last one's summary was printed"
        );
    }
}
