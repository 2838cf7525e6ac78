//! What a payment-webhook delivery costs before anything is stored: the signature check
//! (`shop::payments::signature::verify`) for a valid delivery, and for forged ones built
//! to make it work hard — 2,000 `v1=` values and a 1 MiB body, six signatures on a
//! 64 KiB body, a 64 KiB body with five wrong signatures. Single-threaded, so wall time
//! is CPU time; each case runs until 0.2 s have passed and reports the median of 15
//! batches, per call.
//!
//! Usage: `cargo bench -p bench --bench webhook`. Prints Markdown.

use std::hint::black_box;
use std::time::{Duration, Instant};

use shop::payments::signature::{sign, verify};

const NOW: i64 = 1_800_000_000;

fn per_call(mut call: impl FnMut()) -> Duration {
    let mut batch = 1u32;
    loop {
        let started = Instant::now();
        for _ in 0..batch {
            call();
        }
        if started.elapsed() > Duration::from_millis(20) {
            break;
        }
        batch *= 2;
    }
    let mut samples: Vec<Duration> = (0..15)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..batch {
                call();
            }
            started.elapsed() / batch
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn main() {
    let secrets = vec!["whsec_current".to_owned(), "whsec_previous".to_owned()];
    let event = br#"{"event_id":"evt_01JD","type":"payment.succeeded","payment_id":"01JD","order_id":"01JD","amount":1999,"currency":"CNY","created_at":"2026-12-01T12:00:00Z"}"#;
    let valid = sign("whsec_previous", NOW, event);
    let v1 = valid.split(',').nth(1).expect("a v1 value").to_owned();
    let wrong = format!("v1={}", "ab".repeat(32));

    let mib = vec![b'x'; 1024 * 1024];
    let flood = format!("t={NOW},{}", vec![wrong.as_str(); 2000].join(","));
    let kib64 = vec![b'x'; 64 * 1024];
    let six = format!("t={NOW},{}", [wrong.as_str(); 6].join(","));
    let five = format!("t={NOW},{}", [wrong.as_str(); 5].join(","));
    let rotating = format!("t={NOW},{wrong},{v1}");

    let cases: Vec<(&str, &str, &[u8], bool)> = vec![
        (
            "valid delivery (second of two secrets)",
            &valid,
            event,
            true,
        ),
        (
            "valid, its match the second of two v1 values",
            &rotating,
            event,
            true,
        ),
        ("forged: 2,000 v1 values, 1 MiB body", &flood, &mib, false),
        ("forged: 6 v1 values, 64 KiB body", &six, &kib64, false),
        (
            "forged: 5 wrong v1 values, 64 KiB body (the most work allowed)",
            &five,
            &kib64,
            false,
        ),
    ];
    println!("| delivery | verdict | time per call |");
    println!("|---|---|---:|");
    for (label, header, body, accepted) in cases {
        let verdict = verify(Some(header), body, &secrets, NOW);
        assert_eq!(verdict.is_ok(), accepted, "{label}: {verdict:?}");
        let took = per_call(|| {
            black_box(verify(
                Some(black_box(header)),
                black_box(body),
                &secrets,
                NOW,
            ))
            .ok();
        });
        let verdict = verdict.map_or_else(|e| format!("refused: {e}"), |()| "accepted".to_owned());
        println!(
            "| {label} | {verdict} | {:.3} µs |",
            took.as_secs_f64() * 1e6
        );
    }
}
