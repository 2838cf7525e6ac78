//! What invokes functions besides HTTP: SQS event source mappings (batches, partial
//! batch failures, redrive by the queue's own policy) and schedules; and the console
//! view of the emails SES "sent".

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::types::MessageSystemAttributeName;
use axum::body::Bytes;
use serde_json::{json, Value};

use crate::runtime::Pool;
use crate::template::SqsSource;

/// Seconds a poller waits for messages: under the SDK client's 10 s response timeout
/// (see the note in [`poll_queue`]).
const LONG_POLL_SECS: i32 = 8;

/// Polls a queue and feeds its batches to a function, as an event source mapping does:
/// messages the function reports as failed (or all, when it fails) stay on the queue,
/// to come back after their visibility timeout and, past `maxReceiveCount`, move to the
/// dead-letter queue.
pub async fn poll_queue(
    pool: Arc<Pool>,
    source: SqsSource,
    sqs: aws_sdk_sqs::Client,
    region: String,
) {
    let url = loop {
        match sqs.get_queue_url().queue_name(&source.queue).send().await {
            Ok(out) => break out.queue_url.unwrap_or_default(),
            Err(e) => {
                eprintln!("[{}] queue {}: {e}", pool.function.name, source.queue);
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    };
    let arn = format!("arn:aws:sqs:{region}:123456789012:{}", source.queue);
    loop {
        let messages = match gather(&sqs, &url, &source).await {
            Ok(messages) => messages,
            Err(e) => {
                eprintln!(
                    "[{}] receive from {}: {e}",
                    pool.function.name, source.queue
                );
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        let records: Vec<Value> = messages
            .iter()
            .map(|m| {
                let attributes: HashMap<String, String> = m
                    .attributes()
                    .map(|a| {
                        a.iter()
                            .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                json!({
                    "messageId": m.message_id(),
                    "receiptHandle": m.receipt_handle(),
                    "body": m.body().unwrap_or_default(),
                    "attributes": attributes,
                    "messageAttributes": {},
                    "md5OfBody": m.md5_of_body(),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": arn,
                    "awsRegion": region,
                })
            })
            .collect();
        let event = json!({ "Records": records });
        let failed: Vec<String> = match pool.invoke(Bytes::from(event.to_string())).await {
            Ok(answer) if source.report_failures => serde_json::from_slice::<Value>(&answer)
                .ok()
                .and_then(|v| v["batchItemFailures"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned))
                .collect(),
            Ok(_) => Vec::new(),
            Err(_) => messages
                .iter()
                .filter_map(|m| m.message_id.clone())
                .collect(),
        };
        let done: Vec<aws_sdk_sqs::types::DeleteMessageBatchRequestEntry> = messages
            .iter()
            .enumerate()
            .filter(|(_, m)| !failed.iter().any(|f| Some(f.as_str()) == m.message_id()))
            .filter_map(|(i, m)| {
                aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .set_receipt_handle(m.receipt_handle.clone())
                    .build()
                    .ok()
            })
            .collect();
        // DeleteMessageBatch takes ten entries at most.
        for chunk in done.chunks(10) {
            let _ = sqs
                .delete_message_batch()
                .queue_url(&url)
                .set_entries(Some(chunk.to_vec()))
                .send()
                .await;
        }
    }
}

/// One batch, as a mapping's poller gathers it: a long poll for the first messages, then
/// (for a `BatchSize` over what one receive returns) more until the batch is full or its
/// batching window has passed since the first arrived.
async fn gather(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    source: &SqsSource,
) -> Result<Vec<aws_sdk_sqs::types::Message>, String> {
    let mut messages = receive(sqs, url, source.batch_size, LONG_POLL_SECS).await?;
    let deadline = tokio::time::Instant::now() + source.batching_window;
    while !messages.is_empty() && messages.len() < source.batch_size {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            break;
        }
        // Whole seconds of long poll while a second or more is left, short polls after.
        let wait = i32::try_from(left.as_secs())
            .unwrap_or(LONG_POLL_SECS)
            .min(LONG_POLL_SECS);
        let more = receive(sqs, url, source.batch_size - messages.len(), wait).await?;
        if more.is_empty() && wait == 0 {
            tokio::time::sleep(left.min(Duration::from_millis(50))).await;
        }
        messages.extend(more);
    }
    Ok(messages)
}

/// Up to `wanted` messages (ten at most: SQS's limit for one receive).
async fn receive(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    wanted: usize,
    wait_secs: i32,
) -> Result<Vec<aws_sdk_sqs::types::Message>, String> {
    let out = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(wanted.min(10) as i32)
        // Long polls, as an event source mapping's pollers make: moto answers one as
        // soon as a message arrives, and an idle queue costs it little. (Short polls
        // every 200 ms from 5 pollers on each of 3 queues were 75 calls a second,
        // 40 % of a core of moto's while the shop stood idle.) Shorter than the SDK
        // client's 10 s response timeout (`shop::aws`): a poll that outlived it was
        // abandoned, and a message moto handed to it just then stayed in flight, unseen,
        // for the queue's visibility timeout.
        .wait_time_seconds(wait_secs)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .message_attribute_names("All")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(out.messages.unwrap_or_default())
}

/// Invokes a function on a fixed interval with an EventBridge scheduled event.
pub async fn run_schedule(pool: Arc<Pool>, every: Duration, region: String) {
    let mut ticker = tokio::time::interval(every);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let now = time::OffsetDateTime::now_utc();
        let event = json!({
            "version": "0",
            "id": ulid::Ulid::new().to_string(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": crate::ACCOUNT,
            "time": shop::clock::rfc3339(now),
            "region": region,
            "resources": [format!("arn:aws:events:{region}:123456789012:rule/{}", pool.function.name)],
            "detail": {},
        });
        if let Err(e) = pool.invoke(Bytes::from(event.to_string())).await {
            eprintln!("[{}] scheduled run failed: {e:?}", pool.function.name);
        }
    }
}

/// Prints each email SES "sent" (moto keeps them), with its links and tokens, so a
/// person can click through activation and paste a reset or email-change token.
pub async fn show_emails(moto: String) {
    let http = reqwest::Client::new();
    let mut seen = std::collections::HashSet::new();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Ok(response) = http.get(format!("{moto}/moto-api/data.json")).send().await else {
            continue;
        };
        let Ok(data) = response.json::<Value>().await else {
            continue;
        };
        for message in data["ses"]["Message"].as_array().into_iter().flatten() {
            let id = message["id"].as_str().unwrap_or_default().to_owned();
            if !seen.insert(id) {
                continue;
            }
            let to: Vec<&str> = message["destinations"]["ToAddresses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let subject = message["subject"].as_str().unwrap_or_default();
            let body = message["body"].as_str().unwrap_or_default();
            crate::console::email(&to.join(", "), subject, body);
        }
    }
}
