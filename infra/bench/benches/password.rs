//! What choosing a password costs at registration: zxcvbn's strength estimate
//! (`Password::parse_new`) on its first call in a process — what a cold start pays, its
//! dictionaries built lazily — and on later calls, next to the argon2id hash every
//! registration computes anyway. Login scores nothing, so it pays neither.
//!
//! Usage: `cargo bench -p bench --bench password`. Prints Markdown.

use std::hint::black_box;
use std::time::{Duration, Instant};

use shop::accounts::Password;

const INPUTS: [&str; 2] = ["li_lei_2026", "li.lei@example.com"];

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn main() {
    let started = Instant::now();
    black_box(Password::parse_new("correct horse battery staple", &INPUTS)).ok();
    let first = started.elapsed();
    let later = median(
        (0..50)
            .map(|i| {
                let candidate = format!("correct horse battery staple {i}");
                let started = Instant::now();
                black_box(Password::parse_new(&candidate, &INPUTS)).ok();
                started.elapsed()
            })
            .collect(),
    );
    let password = Password::parse("correct horse battery staple").expect("long enough");
    let hash = median(
        (0..10)
            .map(|_| {
                let started = Instant::now();
                black_box(password.hash()).ok();
                started.elapsed()
            })
            .collect(),
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("| step | time |");
    println!("|---|---:|");
    println!(
        "| zxcvbn, first call in the process (cold start) | {:.2} ms |",
        ms(first)
    );
    println!(
        "| zxcvbn, later calls (median of 50) | {:.2} ms |",
        ms(later)
    );
    println!(
        "| argon2id hash (m = 19 MiB, t = 2; median of 10) | {:.2} ms |",
        ms(hash)
    );
}
