//! Shared measuring helpers for the benchmark binaries.
//!
//! - `cold-start`: process start → first `GET /next` and → first response, through a
//!   Runtime API of its own, for every function and two floors; and instructions to
//!   first response under callgrind.
//! - `latency`: request latency through the local stack.
//! - `floor-hello`, `floor-sdk`: the floors (hello-world `lambda_http`; the same plus the
//!   default `aws-config` chain, a DynamoDB client and one GetItem per request).

use std::time::Duration;

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
}
