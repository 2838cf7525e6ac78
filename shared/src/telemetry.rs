//! Structured JSON logs on stdout, where Lambda hands them to CloudWatch.
//!
//! The level comes from `AWS_LAMBDA_LOG_LEVEL` (set by Lambda's advanced logging
//! controls) or `RUST_LOG`, as a plain level name; the default is `info`.
//! Never log passwords, tokens, signatures or full email addresses.

use tracing::level_filters::LevelFilter;

/// Installs the JSON subscriber. Call once, first thing in `main`.
pub fn init() {
    let level = ["AWS_LAMBDA_LOG_LEVEL", "RUST_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok())
        .and_then(|raw| raw.trim().to_ascii_lowercase().parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .init();
}
