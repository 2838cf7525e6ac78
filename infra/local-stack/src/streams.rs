//! DynamoDB Streams event sources, as Lambda's mappings run them: every shard of a
//! table's stream read in order (a child shard after its parent), its records delivered
//! in batches of up to `BatchSize`; a batch retried from the first record the function
//! names as failed (`ReportBatchItemFailures`), split in two when the function itself
//! fails (`BisectBatchOnFunctionError`), and after `MaximumRetryAttempts` described to
//! the on-failure destination queue (Lambda's `DDBStreamBatchInfo` record) and skipped.
//!
//! It speaks DynamoDB Local's Streams API (DescribeTable, DescribeStream,
//! GetShardIterator, GetRecords) as JSON over HTTP, as provisioning does, rather than
//! through an SDK client: GetRecords' records are, byte for byte, the `Records` of the
//! Lambda event, so they pass through untouched (an SDK would parse every attribute
//! value only for us to write it back). `FilterCriteria` are not applied here: a consumer
//! skips the records it doesn't take (as it must anyway, should a filter change).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use serde_json::{json, Value};

use crate::runtime::Pool;
use crate::template::StreamSource;

/// How often an idle shard is read, as Lambda does (four times a second).
const IDLE_POLL: Duration = Duration::from_millis(250);
/// How often the stream's shards are listed, for new ones.
const SHARD_SCAN: Duration = Duration::from_secs(2);
/// The pause before a failed batch is retried.
const RETRY_PAUSE: Duration = Duration::from_millis(500);
/// How long one call to DynamoDB Local may take before it is made again.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// DynamoDB Local's JSON API.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    endpoint: String,
    region: String,
}

impl Api {
    async fn call(&self, target: &str, body: Value) -> Result<Value, String> {
        crate::provision::dynamodb_json(&self.http, &self.endpoint, &self.region, target, &body)
            .await
    }
}

/// Reads `source`'s stream and feeds `pool` its records, for as long as the stack runs.
pub async fn poll_stream(
    pool: Arc<Pool>,
    source: StreamSource,
    dynamodb: String,
    sqs: aws_sdk_sqs::Client,
    region: String,
) {
    let api = Api {
        http: reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .unwrap_or_default(),
        endpoint: dynamodb,
        region: region.clone(),
    };
    let arn = loop {
        match api
            .call(
                "DynamoDB_20120810.DescribeTable",
                json!({"TableName": source.table}),
            )
            .await
        {
            Ok(table) => match table["Table"]["LatestStreamArn"].as_str() {
                Some(arn) => break arn.to_owned(),
                None => {
                    eprintln!(
                        "[{}] table {} has no stream; its event source is off",
                        pool.function.name, source.table
                    );
                    return;
                }
            },
            Err(e) => {
                eprintln!("[{}] {e}", pool.function.name);
                tokio::time::sleep(SHARD_SCAN).await;
            }
        }
    };
    let failure_queue = match &source.on_failure_queue {
        Some(queue) => sqs
            .get_queue_url()
            .queue_name(queue)
            .send()
            .await
            .ok()
            .and_then(|out| out.queue_url),
        None => None,
    };
    let feeder = Arc::new(Feeder {
        pool,
        source,
        api,
        arn,
        sqs,
        failure_queue,
        done: Mutex::new(HashSet::new()),
    });
    let mut started = HashSet::new();
    loop {
        match feeder.shards().await {
            Ok(shards) => {
                let known: HashSet<&str> = shards
                    .iter()
                    .filter_map(|s| s["ShardId"].as_str())
                    .collect();
                for shard in &shards {
                    let Some(id) = shard["ShardId"].as_str() else {
                        continue;
                    };
                    let parent = shard["ParentShardId"].as_str();
                    let parent_pending = parent.is_some_and(|p| {
                        known.contains(p) && !feeder.done.lock().expect("not poisoned").contains(p)
                    });
                    if parent_pending || !started.insert(id.to_owned()) {
                        continue;
                    }
                    tokio::spawn(feeder.clone().read_shard(id.to_owned()));
                }
            }
            Err(e) => eprintln!("[{}] {e}", feeder.pool.function.name),
        }
        tokio::time::sleep(SHARD_SCAN).await;
    }
}

struct Feeder {
    pool: Arc<Pool>,
    source: StreamSource,
    api: Api,
    arn: String,
    sqs: aws_sdk_sqs::Client,
    failure_queue: Option<String>,
    /// Shards read to their end.
    done: Mutex<HashSet<String>>,
}

impl Feeder {
    async fn shards(&self) -> Result<Vec<Value>, String> {
        let mut shards = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let mut request = json!({"StreamArn": self.arn});
            if let Some(start) = &start {
                request["ExclusiveStartShardId"] = json!(start);
            }
            let out = self
                .api
                .call("DynamoDBStreams_20120810.DescribeStream", request)
                .await?;
            let description = &out["StreamDescription"];
            shards.extend(
                description["Shards"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            match description["LastEvaluatedShardId"].as_str() {
                Some(last) => start = Some(last.to_owned()),
                None => return Ok(shards),
            }
        }
    }

    /// An iterator for `shard`: after `last` (the last record delivered), or from the
    /// mapping's starting position.
    async fn iterator(&self, shard: &str, last: Option<&str>) -> Option<String> {
        let mut request = json!({"StreamArn": self.arn, "ShardId": shard});
        match last {
            Some(sequence) => {
                request["ShardIteratorType"] = json!("AFTER_SEQUENCE_NUMBER");
                request["SequenceNumber"] = json!(sequence);
            }
            None if self.source.starting_position == "LATEST" => {
                request["ShardIteratorType"] = json!("LATEST");
            }
            None => request["ShardIteratorType"] = json!("TRIM_HORIZON"),
        }
        loop {
            match self
                .api
                .call("DynamoDBStreams_20120810.GetShardIterator", request.clone())
                .await
            {
                Ok(out) => return out["ShardIterator"].as_str().map(str::to_owned),
                Err(e) => {
                    eprintln!("[{}] {e}", self.pool.function.name);
                    tokio::time::sleep(SHARD_SCAN).await;
                }
            }
        }
    }

    /// Reads a shard to its end (never, for the open one), delivering its records.
    async fn read_shard(self: Arc<Self>, shard: String) {
        let mut last: Option<String> = None;
        let mut iterator = self.iterator(&shard, None).await;
        while let Some(current) = iterator.take() {
            let limit = self.source.batch_size.min(1000);
            let out = match self
                .api
                .call(
                    "DynamoDBStreams_20120810.GetRecords",
                    json!({"ShardIterator": current, "Limit": limit}),
                )
                .await
            {
                Ok(out) => out,
                // DynamoDB Local numbers records across all tables, and refuses an
                // iterator taken on an empty shard once other tables' records have
                // passed its number ("read past the oldest stream record"); an expired
                // iterator likewise. Either way: a new one, after the last record.
                Err(e) if e.contains("TrimmedDataAccess") || e.contains("ExpiredIterator") => {
                    iterator = self.iterator(&shard, last.as_deref()).await;
                    continue;
                }
                Err(e) => {
                    eprintln!("[{}] {e}", self.pool.function.name);
                    tokio::time::sleep(SHARD_SCAN).await;
                    iterator = Some(current);
                    continue;
                }
            };
            let records: Vec<Value> = out["Records"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut record| {
                    record["eventSourceARN"] = json!(self.arn);
                    record
                })
                .collect();
            iterator = out["NextShardIterator"].as_str().map(str::to_owned);
            if iterator.is_none() && !self.closed(&shard).await {
                // DynamoDB Local may end an iterator of a shard that is still open.
                iterator = self.iterator(&shard, last.as_deref()).await;
            }
            let Some(newest) = records.last() else {
                tokio::time::sleep(IDLE_POLL).await;
                continue;
            };
            last = newest["dynamodb"]["SequenceNumber"]
                .as_str()
                .map(str::to_owned);
            self.deliver(&shard, records).await;
        }
        self.done.lock().expect("not poisoned").insert(shard);
    }

    /// Whether `shard` is closed (has an ending sequence number): read to its end, it is
    /// done. When the stream can't be described, it is taken as open.
    async fn closed(&self, shard: &str) -> bool {
        self.shards().await.is_ok_and(|shards| {
            shards.iter().any(|s| {
                s["ShardId"] == shard
                    && s["SequenceNumberRange"]["EndingSequenceNumber"].is_string()
            })
        })
    }

    /// Delivers a batch until it is done, split, or out of retries.
    async fn deliver(&self, shard: &str, records: Vec<Value>) {
        let mut queue = vec![records];
        while let Some(mut batch) = queue.pop() {
            let mut retries = 0u32;
            loop {
                let event = json!({ "Records": batch });
                // Lambda's own timeout ends every invocation; this one also covers an
                // invocation lost with an instance killed at the wrong moment, so a shard
                // never waits forever (the batch is retried, as after a timeout).
                let patience = Duration::from_secs(self.pool.function.timeout_secs + 10);
                let answer = tokio::time::timeout(
                    patience,
                    self.pool.invoke(Bytes::from(event.to_string())),
                )
                .await
                .unwrap_or(Err(crate::runtime::InvokeError::Timeout));
                let failed_from = match answer {
                    Ok(answer) if self.source.report_failures => first_failure(&answer, &batch),
                    Ok(_) => None,
                    Err(_) if self.source.bisect && batch.len() > 1 => {
                        // Split: the first half goes first, as the records' order asks.
                        let second = batch.split_off(batch.len() / 2);
                        queue.push(second);
                        queue.push(batch);
                        break;
                    }
                    Err(_) => Some(0),
                };
                let Some(from) = failed_from else {
                    break;
                };
                batch.drain(..from);
                if self.source.max_retries.is_some_and(|max| retries >= max) {
                    self.give_up(shard, &batch, retries + 1).await;
                    break;
                }
                retries += 1;
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }

    /// Describes a batch that exhausted its retries to the on-failure queue, as Lambda
    /// does (the records stay in the stream; the description says where).
    async fn give_up(&self, shard: &str, batch: &[Value], invocations: u32) {
        let sequence = |record: Option<&Value>| {
            record
                .and_then(|r| r["dynamodb"]["SequenceNumber"].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let arrival = |record: Option<&Value>| {
            record
                .and_then(|r| r["dynamodb"]["ApproximateCreationDateTime"].as_f64())
                .map(|t| shop::clock::rfc3339_from_unix(t as i64))
        };
        let now = shop::clock::rfc3339(time::OffsetDateTime::now_utc());
        let description = json!({
            "requestContext": {
                "requestId": ulid::Ulid::new().to_string().to_lowercase(),
                "functionArn": format!("arn:aws:lambda:{}:{}:function:{}", self.api.region, crate::ACCOUNT, self.pool.function.name),
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invocations,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": now,
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": sequence(batch.first()),
                "endSequenceNumber": sequence(batch.last()),
                "approximateArrivalOfFirstRecord": arrival(batch.first()),
                "approximateArrivalOfLastRecord": arrival(batch.last()),
                "batchSize": batch.len(),
                "streamArn": self.arn,
            },
        });
        eprintln!(
            "[{}] stream batch of {} record(s) gave up after {invocations} invocations",
            self.pool.function.name,
            batch.len()
        );
        if let Some(url) = &self.failure_queue {
            if let Err(e) = self
                .sqs
                .send_message()
                .queue_url(url)
                .message_body(description.to_string())
                .send()
                .await
            {
                eprintln!("[{}] on-failure destination: {e}", self.pool.function.name);
            }
        }
    }
}

/// The index in `batch` of the first record the function's answer names as failed
/// (the whole batch when it names one that isn't in it, as Lambda treats it).
fn first_failure(answer: &[u8], batch: &[Value]) -> Option<usize> {
    let answer: Value = serde_json::from_slice(answer).ok()?;
    let failed: Vec<&str> = answer["batchItemFailures"]
        .as_array()?
        .iter()
        .filter_map(|f| f["itemIdentifier"].as_str())
        .collect();
    if failed.is_empty() {
        return None;
    }
    let index = batch
        .iter()
        .position(|r| {
            r["dynamodb"]["SequenceNumber"]
                .as_str()
                .is_some_and(|s| failed.contains(&s))
        })
        .unwrap_or(0);
    Some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(sequence: &str) -> Value {
        json!({"dynamodb": {"SequenceNumber": sequence}})
    }

    #[test]
    fn a_batch_is_retried_from_the_first_record_named_failed() {
        let batch = [record("1"), record("2"), record("3")];
        let answer =
            br#"{"batchItemFailures": [{"itemIdentifier": "3"}, {"itemIdentifier": "2"}]}"#;
        assert_eq!(first_failure(answer, &batch), Some(1));
        assert_eq!(first_failure(br#"{"batchItemFailures": []}"#, &batch), None);
        let unknown = br#"{"batchItemFailures": [{"itemIdentifier": "9"}]}"#;
        assert_eq!(first_failure(unknown, &batch), Some(0));
    }
}
