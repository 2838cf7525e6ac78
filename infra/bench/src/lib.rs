//! Shared measuring helpers for the benchmark binaries.
//!
//! - `cold-start`: process start → first `GET /next` and → first response, through a
//!   Runtime API of its own, for every function and three floors; and instructions to
//!   first response under callgrind.
//! - `latency`: request latency through the local stack, and AWS requests per call.
//! - `mixed-load`: shoppers at once through the local stack (browse, search, cart, order,
//!   pay, review): rate, latency, errors, AWS requests and peak memory per function.
//! - `floor-hello`, `floor-sdk`, `floor-lean`: the floors (hello-world `lambda_http`; the
//!   same plus the default `aws-config` chain, a DynamoDB client and one GetItem per
//!   request; the same GetItem with this project's SDK set-up, `shop::aws`).
//! - `charts`: the report's SVG charts from the CSV files the others write.
//!
//! [`watch`] samples queue depths and the emulators' memory while a load runs.

use std::time::Duration;

pub mod watch;

/// The value after `name` on the command line, if given.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// The value after `name` on the command line, parsed, or `default`.
///
/// # Errors
/// A value that doesn't parse, named.
pub fn parsed_arg<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    arg(name).map_or(Ok(default), |v| {
        v.parse().map_err(|e| format!("{name}: {e}"))
    })
}

/// Peak resident memory (`VmHWM`) of a live process, kB.
pub fn peak_rss_kb(pid: u32) -> Option<u64> {
    status_kb(std::path::Path::new(&format!("/proc/{pid}")), "VmHWM")
}

/// A kB field (`VmRSS`, `VmHWM`) of the `status` file in a process's `/proc` directory.
pub fn status_kb(proc_dir: &std::path::Path, field: &str) -> Option<u64> {
    std::fs::read_to_string(proc_dir.join("status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// What the two SDK floors serve once their client is built: one GetItem per request
/// (`USERS_TABLE`), 200 when the item exists and 404 when not.
///
/// # Errors
/// A missing `USERS_TABLE`, or the runtime failing.
pub async fn serve_one_get_item(
    client: aws_sdk_dynamodb::Client,
) -> Result<(), lambda_http::Error> {
    use aws_sdk_dynamodb::types::AttributeValue;
    use lambda_http::{service_fn, Body, Error, Request, Response};
    let table = std::env::var("USERS_TABLE")?;
    lambda_http::run(service_fn(|_req: Request| {
        let (client, table) = (&client, &table);
        async move {
            let item = client
                .get_item()
                .table_name(table)
                .key("pk", AttributeValue::S("USER#floor".to_owned()))
                .send()
                .await?;
            let status = if item.item.is_some() { 200 } else { 404 };
            Ok::<_, Error>(Response::builder().status(status).body(Body::Empty)?)
        }
    }))
    .await
}

/// The `q`-quantile (0..=1) of samples, by nearest rank.
pub fn quantile(samples: &[Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&samples, 0.5), Duration::from_millis(50));
        assert_eq!(quantile(&samples, 0.99), Duration::from_millis(99));
        assert_eq!(quantile(&samples, 1.0), Duration::from_millis(100));
    }

    #[test]
    fn status_fields_are_read_in_kb() {
        let own = std::path::Path::new("/proc/self");
        let rss = status_kb(own, "VmRSS").expect("VmRSS");
        let peak = status_kb(own, "VmHWM").expect("VmHWM");
        assert!(rss > 0 && peak >= rss, "VmRSS {rss} kB, VmHWM {peak} kB");
        assert_eq!(status_kb(own, "VmNothing"), None);
    }
}
