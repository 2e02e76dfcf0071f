//! Floods a hostile client can send, against the release server in its own process over
//! loopback, with the figures the protection promises:
//!
//! 1. **Sign-in flood**: concurrent wrong passwords (300 by default), first with the sign-in
//!    limits as shipped, then with them lifted so that every attempt has its password hashed
//!    (the hash pool alone bounds memory). The server's RSS before, at its peak and after; the
//!    flood's wall time; a signed-in query's latency during it; and the answer to a sixth wrong
//!    password for one login.
//! 2. **Half-open connections**: connections (2,000) that send part of their headers and wait.
//!    A normal query's latency while they are held, and when the server closed them (seconds
//!    after they were opened, against the header-read timeout).
//! 3. **Out of descriptors**: the server under `prlimit --nofile=1024:1024` and more half-open
//!    connections (1,100) than descriptors: the server's CPU while accepting fails (no spin),
//!    and how long a normal query waits to be answered.
//!
//! `cargo bench --bench floods` (options: `-- --logins N --half-open N --fd-flood N`;
//! `--program PATH --scenarios shipped,half-open` runs another build, such as one from before
//! these protections, through the scenarios it understands).

#![expect(clippy::unwrap_used, reason = "a benchmark stops at its first failure")]

#[path = "common/mod.rs"]
#[expect(dead_code, reason = "this program sends no subscription")]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use common::{Server, cpu_time, percentile};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Parser)]
struct Options {
    /// Concurrent wrong sign-ins.
    #[arg(long, default_value_t = 300)]
    logins: usize,
    /// Half-open connections held while a normal query is timed.
    #[arg(long, default_value_t = 2_000)]
    half_open: usize,
    /// The header-read timeout the server runs with, in milliseconds.
    #[arg(long, default_value_t = DEFAULT_HEADER_TIMEOUT_MS)]
    header_timeout_ms: u64,
    /// The open files limit of the server in the last scenario.
    #[arg(long, default_value_t = 1_024)]
    fd_limit: u64,
    /// Half-open connections sent to the server with that limit.
    #[arg(long, default_value_t = 1_100)]
    fd_flood: usize,
    /// The server program to flood (default: this build's).
    #[arg(long, default_value = env!("CARGO_BIN_EXE_contactflow"))]
    program: String,
    /// Scenarios to run, of `shipped`, `lifted`, `sixth`, `half-open`, `descriptors`.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "shipped,lifted,sixth,half-open,descriptors"
    )]
    scenarios: Vec<String>,
    #[arg(long, hide = true)]
    bench: bool,
}

/// The server's own default header-read timeout.
const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;

const SIGN_IN: &str = "mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p}) { token userErrors { code } } }";

async fn post(client: &reqwest::Client, base: &str, token: Option<&str>, body: &Value) -> Value {
    let mut request = client.post(format!("{base}/graphql")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

async fn sign_in(client: &reqwest::Client, base: &str, login: &str, password: &str) -> Value {
    let body = json!({ "query": SIGN_IN, "variables": { "l": login, "p": password } });
    post(client, base, None, &body).await
}

/// A token of the demo's alice.
async fn alice_token(client: &reqwest::Client, base: &str) -> String {
    let answer = sign_in(client, base, "alice", "demo").await;
    answer["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Milliseconds a signed-in `{ me { login } }` takes.
async fn me_ms(client: &reqwest::Client, base: &str, token: &str) -> f64 {
    let started = Instant::now();
    let answer = post(
        client,
        base,
        Some(token),
        &json!({ "query": "{ me { login } }" }),
    )
    .await;
    assert_eq!(answer["data"]["me"]["login"], "alice", "{answer}");
    started.elapsed().as_secs_f64() * 1000.0
}

/// The server's resident memory sampled every 5 ms until `stop`; the largest sample, in KiB.
fn sample_peak(server: &Server, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<u64> {
    let path = format!("/proc/{}/status", server.id());
    tokio::spawn(async move {
        let mut peak = 0;
        while !stop.load(Ordering::Relaxed) {
            let status = std::fs::read_to_string(&path).unwrap_or_default();
            let rss = status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0);
            peak = peak.max(rss);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        peak
    })
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The sign-in flood, with the limits as shipped (`lifted` false) or lifted.
async fn sign_in_flood(options: &Options, lifted: bool) {
    let dir = tempfile::tempdir().unwrap();
    let database = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("floods.db").display()
    );
    let mut args = vec!["--demo", "--database-url", &database, "--log", "error"];
    if lifted {
        args.extend([
            "--sign-in-failures-per-login",
            "1000000",
            "--sign-in-failures-per-address",
            "1000000",
        ]);
    }
    let server = Server::start_program(&options.program, &[], &args).await;
    let client = common::http_builder().build().unwrap();
    // Warm up: the hash pool's threads and their memory exist after the first sign-ins.
    let token = alice_token(&client, &server.base).await;
    for _ in 0..4 {
        sign_in(&client, &server.base, "alice", "demo").await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = server.memory_kib("VmRSS");
    let stop = Arc::new(AtomicBool::new(false));
    let peak = sample_peak(&server, stop.clone());
    let started = Instant::now();
    let flood: Vec<_> = (0..options.logins)
        .map(|n| {
            let (client, base) = (client.clone(), server.base.clone());
            tokio::spawn(async move {
                // One login for every attempt: the per-login limit does not hide the flood.
                sign_in(&client, &base, &format!("attacker-{n}"), "wrong").await
            })
        })
        .collect();
    let mut during = Vec::new();
    while flood.iter().any(|task| !task.is_finished()) && during.len() < 20 {
        during.push(me_ms(&client, &server.base, &token).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut rate_limited = 0;
    for task in flood {
        let answer = task.await.unwrap();
        if answer["errors"][0]["extensions"]["code"] == "RATE_LIMITED" {
            rate_limited += 1;
        }
    }
    let wall = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let peak = peak.await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = server.memory_kib("VmRSS");
    during.sort_by(f64::total_cmp);
    println!(
        "| {} | {} | {:.0} MiB | {:.0} MiB (+{:.0}) | {:.0} MiB | {:.2} s | {} | {:.1} / {:.1} ms |",
        if lifted {
            "lifted (every attempt hashed)"
        } else {
            "as shipped"
        },
        options.logins,
        mib(before),
        mib(peak),
        mib(peak.saturating_sub(before)),
        mib(after),
        wall.as_secs_f64(),
        rate_limited,
        percentile(&during, 0.5),
        percentile(&during, 1.0),
    );
}

/// The sixth wrong password for one login, as shipped: its answer and how long it took.
async fn sixth_wrong_password(options: &Options) {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("six.db").display());
    let args = ["--demo", "--database-url", &database, "--log", "error"];
    let server = Server::start_program(&options.program, &[], &args).await;
    let client = common::http_builder().build().unwrap();
    let mut checked = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        sign_in(&client, &server.base, "bob", "wrong").await;
        checked.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let started = Instant::now();
    let sixth = sign_in(&client, &server.base, "bob", "wrong").await;
    let refused_ms = started.elapsed().as_secs_f64() * 1000.0;
    checked.sort_by(f64::total_cmp);
    println!(
        "\nsixth wrong password for one login: {} with retryAfterSeconds {} in {refused_ms:.1} ms (a checked one: {:.1} ms)",
        sixth["errors"][0]["extensions"]["code"],
        sixth["errors"][0]["extensions"]["retryAfterSeconds"],
        percentile(&checked, 0.5),
    );
}

/// Opens `count` connections that each send part of a request's headers; the streams, in order.
async fn half_open(address: &str, count: usize) -> Vec<(TcpStream, Instant)> {
    let mut streams = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = TcpStream::connect(address).await.unwrap();
        let _ = stream
            .write_all(b"POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: appl")
            .await;
        streams.push((stream, Instant::now()));
    }
    streams
}

/// Seconds after its opening that each stream was closed by the server (read returned end or
/// an error), waiting at most `within`.
async fn closed_after(streams: Vec<(TcpStream, Instant)>, within: Duration) -> Vec<f64> {
    let waits = streams.into_iter().map(|(mut stream, opened)| async move {
        let mut buffer = [0_u8; 256];
        let read_to_end = async {
            loop {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        match tokio::time::timeout(within, read_to_end).await {
            Ok(()) => opened.elapsed().as_secs_f64(),
            Err(_) => f64::INFINITY,
        }
    });
    let mut seconds = futures_util::future::join_all(waits).await;
    seconds.sort_by(f64::total_cmp);
    seconds
}

async fn half_open_flood(options: &Options) {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("half.db").display());
    let timeout = options.header_timeout_ms.to_string();
    let mut args = vec!["--demo", "--database-url", &database, "--log", "error"];
    // The default is left unsaid, so that a build without the setting runs too.
    if options.header_timeout_ms != DEFAULT_HEADER_TIMEOUT_MS {
        args.extend(["--header-read-timeout-ms", &timeout]);
    }
    let server = Server::start_program(&options.program, &[], &args).await;
    let client = common::http_builder().build().unwrap();
    let token = alice_token(&client, &server.base).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let streams = half_open(&address, options.half_open).await;
    // Each query on a new connection, as a new client would come.
    let mut latencies = Vec::new();
    for _ in 0..20 {
        let fresh = common::http_builder().build().unwrap();
        latencies.push(me_ms(&fresh, &server.base, &token).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    latencies.sort_by(f64::total_cmp);
    let closed = closed_after(
        streams,
        Duration::from_millis(options.header_timeout_ms * 3),
    )
    .await;
    println!(
        "\n{} half-open connections held: a new client's query p50 {:.1} ms, max {:.1} ms; closed by the server {:.2}–{:.2} s after opening (header-read timeout {:.1} s; {} still open after 3 × the timeout)",
        options.half_open,
        percentile(&latencies, 0.5),
        percentile(&latencies, 1.0),
        closed.first().copied().unwrap_or(f64::NAN),
        closed
            .iter()
            .rev()
            .find(|s| s.is_finite())
            .copied()
            .unwrap_or(f64::NAN),
        options.header_timeout_ms as f64 / 1000.0,
        closed.iter().filter(|s| s.is_infinite()).count(),
    );
}

async fn descriptor_flood(options: &Options) {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("fds.db").display());
    let timeout = options.header_timeout_ms.to_string();
    let nofile = format!("--nofile={0}:{0}", options.fd_limit);
    let server = Server::start_program(
        &options.program,
        &["prlimit", &nofile, "--"],
        &[
            "--demo",
            "--database-url",
            &database,
            "--log",
            "off",
            "--header-read-timeout-ms",
            &timeout,
        ],
    )
    .await;
    let client = common::http_builder().build().unwrap();
    let token = alice_token(&client, &server.base).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let cpu_before = cpu_time(server.id());
    let started = Instant::now();
    let streams = half_open(&address, options.fd_flood).await;
    // A new client arrives while the server is out of descriptors.
    let fresh = common::http_builder().build().unwrap();
    let waited = me_ms(&fresh, &server.base, &token).await;
    let cpu = cpu_time(server.id()) - cpu_before;
    let wall = started.elapsed();
    drop(streams);
    println!(
        "\nopen files limit {}, {} half-open connections: a new client's query answered after {:.2} s (header-read timeout {:.1} s); server CPU meanwhile {:.2} s in {:.2} s ({:.0} %)",
        options.fd_limit,
        options.fd_flood,
        waited / 1000.0,
        options.header_timeout_ms as f64 / 1000.0,
        cpu.as_secs_f64(),
        wall.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / wall.as_secs_f64(),
    );
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    // The client side holds thousands of sockets too.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    println!(
        "| sign-in limits | concurrent wrong sign-ins | RSS before | RSS peak | RSS after | flood wall time | answered RATE_LIMITED | signed-in query during (p50 / max) |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    let runs = |name: &str| options.scenarios.iter().any(|s| s == name);
    if runs("shipped") {
        sign_in_flood(&options, false).await;
    }
    if runs("lifted") {
        sign_in_flood(&options, true).await;
    }
    if runs("sixth") {
        sixth_wrong_password(&options).await;
    }
    if runs("half-open") {
        half_open_flood(&options).await;
    }
    if runs("descriptors") {
        descriptor_flood(&options).await;
    }
}
