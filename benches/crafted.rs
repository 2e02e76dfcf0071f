//! Crafted documents, measured against the real server in its own process over loopback: for
//! each document of the test suite's catalogue (`tests/api/crafted.rs`), the server's CPU time per request (from
//! `/proc`) and the wall-clock time to its answer or refusal.
//!
//! `cargo bench --bench crafted` (option: `-- --repeat N`).

#![expect(clippy::unwrap_used, reason = "a benchmark stops at its first failure")]

#[path = "common/mod.rs"]
#[expect(dead_code, reason = "this program sends no subscription")]
mod common;
#[path = "../tests/api/crafted.rs"]
mod hostile;

use std::time::{Duration, Instant};

use clap::Parser;
use common::{Server, cpu_time, percentile};
use serde_json::{Value, json};

#[derive(Parser)]
struct Options {
    /// Requests per document.
    #[arg(long, default_value_t = 50)]
    repeat: usize,
    #[arg(long, hide = true)]
    bench: bool,
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    let dir = tempfile::tempdir().unwrap();
    let database = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("crafted.db").display()
    );
    let server = Server::start(&["--demo", "--database-url", &database, "--log", "error"]).await;
    let base = server.base.clone();
    let client = common::http_builder().build().unwrap();
    println!(
        "| document | bytes | answer | server CPU per request | wall p50 | wall max |\n| --- | --- | --- | --- | --- | --- |"
    );
    let mut worst_cpu = Duration::ZERO;
    let mut worst_wall: f64 = 0.0;
    for document in hostile::documents() {
        let body = json!({ "query": document.query, "operationName": document.operation_name })
            .to_string();
        let mut walls = Vec::with_capacity(options.repeat);
        let mut answer = String::new();
        // The first request warms the connection; the gate's cache holds only documents up to
        // 16 KiB, so the larger ones are checked afresh every time.
        let before = cpu_time(server.id());
        for _ in 0..options.repeat {
            let started = Instant::now();
            let response = client
                .post(format!("{base}/graphql"))
                .header("content-type", "application/json")
                .header("accept", "application/graphql-response+json")
                .body(body.clone())
                .send()
                .await
                .expect("answered");
            let status = response.status().as_u16();
            let reply: Value = response.json().await.unwrap_or(Value::Null);
            walls.push(started.elapsed().as_secs_f64() * 1e3);
            answer = match reply["errors"][0]["extensions"]["code"].as_str() {
                Some(code) => format!("{status} {code}"),
                None => format!("{status} data"),
            };
        }
        let expected = document.refused_with.unwrap_or("data");
        if !answer.ends_with(expected) {
            answer.push_str(&format!(" (expected {expected})"));
        }
        let cpu = (cpu_time(server.id()) - before) / options.repeat as u32;
        walls.sort_by(f64::total_cmp);
        let (p50, max) = (percentile(&walls, 0.5), percentile(&walls, 1.0));
        worst_cpu = worst_cpu.max(cpu);
        worst_wall = worst_wall.max(max);
        println!(
            "| {} | {} | {answer} | {:.2} ms | {p50:.2} ms | {max:.2} ms |",
            document.name,
            document.query.len(),
            cpu.as_secs_f64() * 1e3
        );
    }
    println!(
        "\nworst server CPU per request: {:.2} ms; worst wall time: {worst_wall:.2} ms (target: 50 ms of CPU)",
        worst_cpu.as_secs_f64() * 1e3
    );
}
