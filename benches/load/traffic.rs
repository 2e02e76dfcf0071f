//! Closed-loop load: a number of workers, each sending its next request as soon as the last is
//! answered, for a fixed time; latencies, throughput and errors.

use std::future::Future;
use std::time::{Duration, Instant};

/// What one scenario measured.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Requests answered per second.
    pub per_second: f64,
    /// Median latency, ms.
    pub p50: f64,
    /// 99th percentile latency, ms.
    pub p99: f64,
    /// Requests that failed (transport error, non-200, or GraphQL errors).
    pub errors: u64,
    /// Requests sent.
    pub requests: u64,
    /// Every latency measured, sorted, ms.
    pub latencies: Vec<f64>,
    /// Seconds measured.
    pub seconds: f64,
}

impl Stats {
    fn of(latencies: Vec<f64>, errors: u64, seconds: f64) -> Self {
        Stats {
            per_second: latencies.len() as f64 / seconds,
            p50: percentile(&latencies, 0.5),
            p99: percentile(&latencies, 0.99),
            errors,
            requests: latencies.len() as u64,
            latencies,
            seconds,
        }
    }

    /// Two measurements of the same scenario as one.
    pub fn merged(&self, other: &Stats) -> Stats {
        let mut latencies = self.latencies.clone();
        latencies.extend_from_slice(&other.latencies);
        latencies.sort_by(f64::total_cmp);
        Stats::of(
            latencies,
            self.errors + other.errors,
            self.seconds + other.seconds,
        )
    }
}

pub use super::common::percentile;

/// Runs `send` from `workers` concurrent loops for `warmup` (not counted) then `measure`.
/// `send(worker, n)` answers whether the request succeeded.
pub async fn run<F, Fut>(workers: usize, warmup: Duration, measure: Duration, send: F) -> Stats
where
    F: Fn(usize, u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let started = Instant::now();
    let counting_from = started + warmup;
    let deadline = counting_from + measure;
    let mut tasks = Vec::with_capacity(workers);
    for worker in 0..workers {
        let send = send.clone();
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors, mut n) = (Vec::new(), 0u64, 0u64);
            loop {
                let sent = Instant::now();
                if sent >= deadline {
                    break;
                }
                let ok = send(worker, n).await;
                n += 1;
                if sent >= counting_from {
                    latencies.push(sent.elapsed().as_secs_f64() * 1e3);
                    errors += u64::from(!ok);
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        if let Ok((mut found, failed)) = task.await {
            latencies.append(&mut found);
            errors += failed;
        }
    }
    latencies.sort_by(f64::total_cmp);
    Stats::of(latencies, errors, measure.as_secs_f64())
}
