//! What a load leaves behind, sampled while it runs: every queue's depth (visible and in
//! flight, dead-letter queues apart) and the resident memory of the local stack and the
//! emulators it talks to.
//!
//! The queues say whether the consumers keep up; the memory, whether anything grows
//! with the requests it has served (moto and the local stack both kept every message and
//! email they had seen, once).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;

/// One sample: when, each queue's depth, each process's resident memory (kB).
#[derive(Debug, Clone)]
pub struct Sample {
    pub at: Duration,
    pub depths: BTreeMap<String, u64>,
    pub rss_kb: BTreeMap<&'static str, u64>,
}

/// The processes whose memory is sampled, as (name, how to recognise its command line).
fn processes() -> Vec<(&'static str, String)> {
    let port = |var: &str| {
        std::env::var(var)
            .ok()
            .and_then(|url| url.rsplit(':').next().map(str::to_owned))
            .unwrap_or_default()
    };
    vec![
        ("local stack", "local-stack".to_owned()),
        ("moto (SQS)", format!("-p {}", port("AWS_ENDPOINT_URL"))),
        (
            "DynamoDB Local",
            format!("-port {}", port("AWS_ENDPOINT_URL_DYNAMODB")),
        ),
    ]
}

/// The `/proc` directory of the first process whose command line matches `pattern`: an
/// option (`-p 5000`) it contains, or the name its executable ends with.
fn process_dir(pattern: &str) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let matches = if pattern.starts_with('-') {
            cmdline.contains(&format!("{pattern} ")) || cmdline.trim_end().ends_with(pattern)
        } else {
            cmdline
                .split(' ')
                .next()
                .is_some_and(|exe| exe.ends_with(pattern))
        };
        if matches {
            return Some(entry.path());
        }
    }
    None
}

/// Resident memory (`VmRSS`, kB) of the process matching `pattern`.
fn rss_of(pattern: &str) -> Option<u64> {
    crate::status_kb(&process_dir(pattern)?, "VmRSS")
}

/// CPU time (user + system, its own and its waited-for children's) of the process
/// matching `pattern`.
fn cpu_of(pattern: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(process_dir(pattern)?.join("stat")).ok()?;
    // Fields after the command's closing parenthesis: utime is the 12th, then stime,
    // cutime, cstime; in clock ticks (100 a second on Linux).
    let fields: Vec<u64> = stat[stat.rfind(')')? + 2..]
        .split(' ')
        .skip(11)
        .take(4)
        .filter_map(|f| f.parse().ok())
        .collect();
    Some(Duration::from_millis(fields.iter().sum::<u64>() * 10))
}

/// CPU time of the local stack and each emulator, by name.
pub fn cpu_times() -> BTreeMap<&'static str, Duration> {
    processes()
        .iter()
        .filter_map(|(name, pattern)| Some((*name, cpu_of(pattern)?)))
        .collect()
}

/// Every process's CPU time (user + system), for the whole machine's share.
pub fn all_cpu() -> Duration {
    let ticks: u64 = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            let line = s.lines().next()?.to_owned();
            Some(
                line.split_whitespace()
                    .skip(1)
                    .take(3) // user, nice, system
                    .filter_map(|f| f.parse::<u64>().ok())
                    .sum(),
            )
        })
        .unwrap_or_default();
    Duration::from_millis(ticks * 10)
}

/// Each queue's depth (visible + in flight), dead-letter queues left out.
pub async fn depths(sqs: &aws_sdk_sqs::Client) -> Result<BTreeMap<String, u64>, String> {
    let urls = sqs
        .list_queues()
        .send()
        .await
        .map_err(|e| format!("ListQueues: {e}"))?
        .queue_urls
        .unwrap_or_default();
    let mut depths = BTreeMap::new();
    for url in urls {
        let name = url.rsplit('/').next().unwrap_or_default().to_owned();
        if name.contains("DeadLetter") {
            continue;
        }
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .map_err(|e| format!("GetQueueAttributes {name}: {e}"))?
            .attributes
            .unwrap_or_default();
        let depth: u64 = attributes
            .values()
            .filter_map(|v| v.parse::<u64>().ok())
            .sum();
        depths.insert(name, depth);
    }
    Ok(depths)
}

/// Waits until every queue is empty (what an earlier load left is consumed), at most
/// `limit`; how long that took.
pub async fn drain(sqs: &aws_sdk_sqs::Client, limit: Duration) -> Result<Duration, String> {
    let started = Instant::now();
    loop {
        if depths(sqs).await?.values().all(|d| *d == 0) {
            return Ok(started.elapsed());
        }
        if started.elapsed() > limit {
            return Err(format!("queues not drained after {limit:?}"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Samples queues and memory every `every` until dropped.
pub struct Watch {
    samples: Arc<Mutex<Vec<Sample>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Watch {
    pub fn start(sqs: aws_sdk_sqs::Client, every: Duration) -> Self {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn({
            let samples = samples.clone();
            async move {
                let started = Instant::now();
                let processes = processes();
                let mut ticker = tokio::time::interval(every);
                loop {
                    ticker.tick().await;
                    let depths = depths(&sqs).await.unwrap_or_default();
                    let rss_kb = processes
                        .iter()
                        .filter_map(|(name, pattern)| Some((*name, rss_of(pattern)?)))
                        .collect();
                    samples.lock().unwrap().push(Sample {
                        at: started.elapsed(),
                        depths,
                        rss_kb,
                    });
                }
            }
        });
        Self { samples, task }
    }

    /// The samples so far, and stops sampling.
    pub async fn stop(self) -> Vec<Sample> {
        self.task.abort();
        let _ = self.task.await;
        self.samples.lock().unwrap().clone()
    }
}

/// The samples as a Markdown table: a row per sample, a column per queue and process.
pub fn table(samples: &[Sample]) -> String {
    let Some(first) = samples.first() else {
        return String::new();
    };
    let queues: Vec<&String> = first.depths.keys().collect();
    let names: Vec<&&str> = first.rss_kb.keys().collect();
    let mut out = String::from("| at |");
    for queue in &queues {
        out += &format!(" `{queue}` depth |");
    }
    for name in &names {
        out += &format!(" {name} RSS |");
    }
    out += "\n|---:|";
    out += &"---:|".repeat(queues.len() + names.len());
    out += "\n";
    for sample in samples {
        out += &format!("| {} s |", sample.at.as_secs());
        for queue in &queues {
            let depth = sample.depths.get(*queue).copied().unwrap_or_default();
            out += &format!(" {depth} |");
        }
        for name in &names {
            let kb = sample.rss_kb.get(**name).copied().unwrap_or_default();
            out += &format!(" {:.0} MiB |", kb as f64 / 1024.0);
        }
        out += "\n";
    }
    out
}
