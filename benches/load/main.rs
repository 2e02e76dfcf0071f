//! The load benchmark: for each database and dataset size it seeds contacts in bulk, starts the
//! release server (built with the `bench` feature, so the baselines are in the same binary) in
//! its own process, and loads it from this process over loopback: `{ __typename }` against a
//! plain axum JSON endpoint, one contact and a page of 100 against hand-written axum + sqlx
//! endpoints running the same SQL, `saveContact` with 1 and 32 writers, and reminder delivery
//! lag. It prints the tables and the ratios DESIGN.md sets as targets, and writes SVG charts.
//!
//! On PostgreSQL, `--peer postgraphile` also runs the page and contact by id against
//! PostGraphile on the same database, interleaved with ours.
//!
//! `cargo bench --features bench --bench load -- --sizes 10000,100000 --databases sqlite,postgres --peer postgraphile`

#![expect(clippy::unwrap_used, reason = "a benchmark stops at its first failure")]

mod charts;
#[path = "../common/mod.rs"]
mod common;
mod insight;
mod peer;
mod scenarios;
mod traffic;

/// The bearer tokens' secret of the benchmark's server, which PostGraphile checks too.
pub const JWT_SECRET: &str = "the load benchmark's token secret, shared with the peer";

use std::path::PathBuf;

use clap::Parser;

use common::Server;
use scenarios::Measured;

#[derive(Parser, Clone)]
struct Options {
    /// Dataset sizes (contacts generated with `seed --contacts`).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    sizes: Vec<usize>,
    /// Databases: `sqlite` and/or `postgres`.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    databases: Vec<String>,
    /// A PostgreSQL database to connect to when creating the benchmark's own databases; its
    /// query (`sslmode`) is kept for every server's connections. Without TLS by default: on
    /// loopback it only adds cost, and PostGraphile's driver does not use it unless asked.
    #[arg(
        long,
        env = "CONTACTFLOW_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
    )]
    postgres_url: String,
    /// Seconds each scenario is measured (after one second of warm-up).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent connections for the read scenarios.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// The server's database pool (`--db-max-connections`).
    #[arg(long, default_value_t = 16)]
    db_connections: u32,
    /// Peers to measure against on PostgreSQL: `postgraphile`.
    #[arg(long, value_delimiter = ',')]
    peer: Vec<String>,
    /// Where the SVG charts go.
    #[arg(long, default_value = "docs/bench")]
    out: PathBuf,
    #[arg(long, hide = true)]
    bench: bool,
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    let dir = tempfile::tempdir().unwrap();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    println!(
        "machine: {cores} cores, {memory:.0} GiB; {} s per scenario, {} connections\n",
        options.seconds, options.connections
    );
    let mut runs: Vec<Measured> = Vec::new();
    for database in &options.databases {
        for &size in &options.sizes {
            let name = format!("contactflow_bench_{size}");
            let url =
                common::fresh_database(&options.postgres_url, database, &name, dir.path()).await;
            println!(
                "## {database}, {size} contacts\n\n{}\n",
                common::seed(&url, size)
            );
            let pool = options.db_connections.to_string();
            let server = Server::start(&[
                "--database-url",
                &url,
                "--log",
                "error",
                "--db-max-connections",
                &pool,
                "--jwt-secret",
                JWT_SECRET,
            ])
            .await;
            let target = scenarios::Target {
                base: &server.base,
                pid: server.id(),
                database,
                database_url: &url,
                size,
            };
            let measured = scenarios::run_all(&options, &target).await;
            let rss = server.memory_kib("VmHWM") as f64 / 1024.0;
            drop(server);
            scenarios::print(&measured, rss);
            runs.push(measured);
        }
    }
    scenarios::charts(&options.out, &runs);
}
