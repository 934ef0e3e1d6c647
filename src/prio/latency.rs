//! path_latency: rank paths by the average latency of direct reads.
//!
//! Arguments `io_num=<n> base_num=<b>`: `n` reads of block 0 (20..200,
//! default 100) are timed; the average latency, between 1 µs and 100 s, is
//! ranked on a logarithmic scale of base `b` (1.1..10, default 1.778):
//! with base 10 the ranks are "up to 1 µs", (1 µs, 10 µs], ...,
//! (10 s, 100 s] and "over 100 s". The fastest rank gets the highest
//! priority, the slowest 1.
//! Missing or out-of-range arguments take the default. All reads together
//! get checker_timeout; a path that does not finish them in time has no
//! priority.

use super::{PrioEnv, PrioResult};
use crate::checker::{run_bounded, Bounded};
use crate::discovery::PathDev;
use std::time::{Duration, Instant};

const IO_NUM_DEFAULT: u32 = 100;
const BASE_DEFAULT: f64 = 1.778;
/// The largest latency ranked on the scale, in µs (100 s).
const MAX_US: f64 = 1e8;

/// (io_num, base_num) from the prio_args string.
fn parse_args(dev: &str, args: &str) -> (u32, f64) {
    let mut io_num = IO_NUM_DEFAULT;
    let mut base = BASE_DEFAULT;
    for a in args.split_whitespace() {
        if let Some(v) = a.strip_prefix("io_num=") {
            match v.parse::<u32>() {
                Ok(n) if (20..=200).contains(&n) => io_num = n,
                _ => tracing::debug!(path = dev, "path_latency: io_num {v:?} ignored"),
            }
        } else if let Some(v) = a.strip_prefix("base_num=") {
            match v.parse::<f64>() {
                Ok(b) if (1.1..=10.0).contains(&b) => base = b,
                _ => tracing::debug!(path = dev, "path_latency: base_num {v:?} ignored"),
            }
        }
    }
    (io_num, base)
}

/// The priority of an average latency (µs) on the scale of `base`.
pub(super) fn rank(latency_us: f64, base: f64) -> i32 {
    let log = |x: f64| (x.ln() / base.ln() - 1e-9).ceil().max(0.0) as i32;
    let slowest = log(MAX_US) + 1;
    let idx = if latency_us <= 1.0 {
        0
    } else if latency_us > MAX_US {
        slowest
    } else {
        log(latency_us)
    };
    slowest - idx + 1
}

pub(super) fn path_latency(path: &PathDev, args: &str, env: &PrioEnv) -> PrioResult {
    let dev = path.dev.clone();
    let (io_num, base) = parse_args(&dev, args);
    let root = env.root.clone();
    let timeout = Duration::from_millis(if env.timeout_ms == 0 {
        30_000
    } else {
        env.timeout_ms.into()
    });
    let key = format!("path_latency:{dev}");
    let worker_dev = dev.clone();
    let measured = run_bounded(&key, timeout, move || {
        let mut r = crate::checker::DirectReader::open(&root, &worker_dev)?;
        let start = Instant::now();
        for _ in 0..io_num {
            r.read_first_block()?;
        }
        Ok::<_, String>(start.elapsed())
    });
    let total = match measured {
        Bounded::Done(r) => r?,
        Bounded::TimedOut => return Err(format!("{dev}: path_latency: reads timed out").into()),
        Bounded::Busy => {
            return Err(format!("{dev}: path_latency: earlier reads outstanding").into())
        }
    };
    let avg_us = total.as_secs_f64() * 1e6 / f64::from(io_num);
    tracing::debug!(path = %dev, "path_latency: average {avg_us:.1} us over {io_num} reads");
    Ok(rank(avg_us, base))
}
