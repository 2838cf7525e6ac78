//! Brings the whole search index in line with the goods table.
//!
//! `index-goods` keeps the index current from the goods table's stream, one change at a
//! time. Two things it can't do are this job's:
//! - **Tuning**: impacts are computed at indexing time with `k1`, `b` and fixed
//!   reference lengths (`shop::search`), so after changing
//!   `SEARCH_BM25_K1`/`SEARCH_BM25_B` (or the references) every document has to be
//!   indexed again.
//! - **Upgrades**: a document indexed before the index counted its terms per field
//!   (`shop::search::table::Counts`) is rewritten so that they are; until every document
//!   of a term is, searches weigh it with its `df` over whole documents.
//! - **Repair**: a batch of the stream that `index-goods` gave up on after its retries
//!   (described in `GoodsIndexDeadLetterQueue`), or a change older than the stream's 24
//!   hours when the consumer was down that long, is missing from the index until the
//!   goods change again.
//!
//! It Scans the goods table in parallel segments and runs
//! [`Indexer::refresh`] on every id: the same plan-based update `index-goods` runs, so
//! it is safe while the shop is live and `index-goods` works on the same goods, and a
//! second run right after the first changes nothing.

use std::sync::Mutex;

use futures::stream::{self, StreamExt};
use shop::catalogue::repo::GoodsRepo;
use shop::search::index::{Indexer, Outcome};
use shop::store::StoreError;

/// What to reindex, and how hard to push.
#[derive(Debug, Clone)]
pub struct Options {
    /// Parallel Scan segments of the goods table.
    pub segments: i32,
    /// Goods being indexed at once, over all segments.
    pub concurrency: usize,
    /// Only these goods (no Scan) when not empty.
    pub goods_ids: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            segments: 4,
            concurrency: 16,
            goods_ids: Vec::new(),
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Goods ids looked at.
    pub scanned: u64,
    /// Documents rewritten.
    pub applied: u64,
    /// Documents that were already right.
    pub up_to_date: u64,
    /// Goods whose indexing failed, with why (the rest of the run goes on).
    pub failed: Vec<(String, String)>,
}

impl Report {
    fn count(&mut self, goods_id: String, outcome: Result<Outcome, StoreError>) {
        self.scanned += 1;
        match outcome {
            Ok(Outcome::Applied) => self.applied += 1,
            Ok(Outcome::UpToDate) => self.up_to_date += 1,
            Err(e) => self
                .failed
                .push((goods_id, shop::error::ErrorChain(&e).to_string())),
        }
    }
}

/// Reindexes every goods item (or `options.goods_ids`), calling `progress` after each
/// page of the Scan.
///
/// # Errors
/// [`StoreError`] when the Scan itself fails; a goods item that fails to index is
/// counted in [`Report::failed`] instead.
pub async fn run(
    indexer: &Indexer,
    goods: &GoodsRepo,
    options: &Options,
    progress: impl Fn(&Report) + Sync,
) -> Result<Report, StoreError> {
    let report = Mutex::new(Report::default());
    let concurrency = options.concurrency.max(1);
    if !options.goods_ids.is_empty() {
        refresh_all(indexer, options.goods_ids.clone(), concurrency, &report).await;
        return Ok(report.into_inner().unwrap_or_else(|e| e.into_inner()));
    }
    let segments = options.segments.max(1);
    let per_segment = concurrency.div_ceil(segments as usize);
    let scans = (0..segments).map(|segment| {
        let (report, progress) = (&report, &progress);
        async move {
            let mut start = None;
            loop {
                let (ids, next) = goods.scan_ids(segment, segments, start).await?;
                refresh_all(indexer, ids, per_segment, report).await;
                progress(&report.lock().unwrap_or_else(|e| e.into_inner()));
                if next.is_none() {
                    return Ok::<(), StoreError>(());
                }
                start = next;
            }
        }
    });
    for result in futures::future::join_all(scans).await {
        result?;
    }
    Ok(report.into_inner().unwrap_or_else(|e| e.into_inner()))
}

async fn refresh_all(
    indexer: &Indexer,
    ids: Vec<String>,
    concurrency: usize,
    report: &Mutex<Report>,
) {
    stream::iter(ids)
        .map(|id| async move {
            let outcome = indexer.refresh(&id).await;
            (id, outcome)
        })
        .buffer_unordered(concurrency)
        .for_each(|(id, outcome)| {
            report
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .count(id, outcome);
            async {}
        })
        .await;
}
