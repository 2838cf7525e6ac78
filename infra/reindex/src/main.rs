//! `reindex`: brings the whole search index in line with the goods table (see the
//! library's header for when to run it).
//!
//! Usage: `reindex [--local] [--segments N] [--concurrency N] [--goods-id ID ...]`
//!
//! Reads what the functions read: `GOODS_TABLE`, `SEARCH_TABLE`, `SEARCH_BM25_K1` and
//! `SEARCH_BM25_B` (set them to the values `template.yaml` gives `index-goods`), the
//! region and credentials (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`; from a profile: `eval "$(aws configure export-credentials
//! --format env)"`) and `AWS_ENDPOINT_URL_DYNAMODB`. `--local` fills in whatever of these
//! is unset for the stack `infra/up.sh` runs (DynamoDB Local on `DYNAMODB_PORT`, 8000).
//! Defaults: 4 Scan segments, 16 goods indexed at once. Exits 1 when any goods item
//! failed to index (they are listed; running again retries them).

use std::process::ExitCode;
use std::time::Instant;

use reindex::{Options, Report};
use shop::aws::Aws;
use shop::catalogue::repo::GoodsRepo;
use shop::search::index::Indexer;

fn usage(problem: &str) -> ExitCode {
    eprintln!("reindex: {problem}");
    eprintln!("usage: reindex [--local] [--segments N] [--concurrency N] [--goods-id ID ...]");
    ExitCode::from(2)
}

/// What `infra/emulators.sh` exports for `infra/up.sh`'s stack, where unset.
fn local_defaults() {
    let port = std::env::var("DYNAMODB_PORT").unwrap_or_else(|_| "8000".to_owned());
    for (name, value) in [
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        (
            "AWS_ENDPOINT_URL_DYNAMODB",
            format!("http://127.0.0.1:{port}"),
        ),
        ("GOODS_TABLE", "GoodsTable".to_owned()),
        ("SEARCH_TABLE", "SearchTable".to_owned()),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}

/// A count option's value: 1 to 1,000.
fn count(name: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .ok_or(format!("{name} {value}: a number from 1 to 1000"))
}

fn main() -> ExitCode {
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let parsed = match arg.as_str() {
            "--local" => {
                local_defaults();
                Ok(())
            }
            "--segments" => value(&arg)
                .and_then(|v| count(&arg, &v))
                .map(|n| options.segments = n as i32),
            "--concurrency" => value(&arg)
                .and_then(|v| count(&arg, &v))
                .map(|n| options.concurrency = n),
            "--goods-id" => value("--goods-id").map(|v| options.goods_ids.push(v)),
            other => Err(format!("unknown option {other}")),
        };
        if let Err(problem) = parsed {
            return usage(&problem);
        }
    }
    let setup = Aws::from_env().and_then(|aws| {
        let dynamodb = aws.dynamodb();
        Ok((
            Indexer::with_client(dynamodb.clone())?,
            GoodsRepo::from_env(dynamodb)?,
        ))
    });
    let (indexer, goods) = match setup {
        Ok(clients) => clients,
        Err(e) => return usage(&e.to_string()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    let result = runtime.block_on(reindex::run(&indexer, &goods, &options, |r: &Report| {
        eprintln!(
            "{} goods: {} reindexed, {} up to date, {} failed",
            r.scanned,
            r.applied,
            r.up_to_date,
            r.failed.len()
        );
    }));
    match result {
        Ok(report) => {
            for (goods_id, why) in &report.failed {
                eprintln!("failed: {goods_id}: {why}");
            }
            println!(
                "{} goods in {:.1} s: {} reindexed, {} already up to date, {} failed",
                report.scanned,
                started.elapsed().as_secs_f64(),
                report.applied,
                report.up_to_date,
                report.failed.len()
            );
            if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!(
                "reindex: the goods Scan failed: {}",
                shop::error::ErrorChain(&e)
            );
            ExitCode::FAILURE
        }
    }
}
