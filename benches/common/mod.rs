//! What the benchmark programs share: the server under test in its own process, reading its
//! memory from `/proc`, a subscription over WebSocket, and percentiles.

#[path = "../../tests/api/support/program.rs"]
mod program;

use std::process::{Child, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A client WebSocket.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `ws_url` with `graphql-transport-ws`, signs in with `token`, waits for the
/// acknowledgement and subscribes to `query` (operation id `r`).
pub async fn subscribe(ws_url: &str, token: &str, query: &str) -> Socket {
    let mut request = ws_url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket
        .send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    let _ack = socket.next().await;
    let subscribe = json!({ "id": "r", "type": "subscribe", "payload": { "query": query } });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    socket
}

/// A client builder for the benchmark's HTTP requests: rustls's ring provider installed first,
/// as the server does (reqwest is built without a provider of its own).
pub fn http_builder() -> reqwest::ClientBuilder {
    static PROVIDER: std::sync::Once = std::sync::Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
}

/// A fresh database for one run: a SQLite file in `dir`, or a new PostgreSQL database `name`
/// created through `postgres_url`, whose query (`sslmode`) every server's connections keep.
pub async fn fresh_database(
    postgres_url: &str,
    kind: &str,
    name: &str,
    dir: &std::path::Path,
) -> String {
    if kind == "sqlite" {
        return format!(
            "sqlite://{}?mode=rwc",
            dir.join(format!("{name}.db")).display()
        );
    }
    use sea_orm::ConnectionTrait;
    let admin = sea_orm::Database::connect(postgres_url)
        .await
        .expect("PostgreSQL");
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create");
    let (url, query) = postgres_url
        .split_once('?')
        .map_or((postgres_url, None), |(u, q)| (u, Some(q)));
    let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// Seeds `size` contacts with the real command; its summary line.
pub fn seed(database_url: &str, size: usize) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_contactflow"))
        .args([
            "seed",
            "--contacts",
            &size.to_string(),
            "--database-url",
            database_url,
        ])
        .args(["--log", "warn"])
        .stderr(Stdio::null())
        .output()
        .expect("seed runs");
    assert!(output.status.success(), "seed failed");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The release server under test, in its own process; killed when dropped.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Server {
    /// Runs `contactflow serve` on a free loopback port with `args`, and waits until
    /// `/health/ready` answers.
    pub async fn start(args: &[&str]) -> Self {
        Self::start_through(&[], args).await
    }

    /// As [`Server::start`], the program started through `wrapper` (for example
    /// `prlimit --nofile=1024:1024 --`).
    pub async fn start_through(wrapper: &[&str], args: &[&str]) -> Self {
        Self::start_program(env!("CARGO_BIN_EXE_contactflow"), wrapper, args).await
    }

    /// As [`Server::start_through`], running `program` (another build, to compare with).
    pub async fn start_program(program: &str, wrapper: &[&str], args: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = program::through(wrapper, program)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .expect("server starts");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..600 {
            if http_builder()
                .build()
                .unwrap()
                .get(format!("{base}/health/ready"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, base }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// A memory figure of `/proc/PID/status` (`VmRSS`, `VmHWM`…), in KiB.
    pub fn memory_kib(&self, field: &str) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A process's CPU time so far (user + system), from `/proc/PID/stat`.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    // Linux reports these in clock ticks of 1/100 s (USER_HZ).
    Duration::from_millis(ticks * 10)
}

/// The value at fraction `p` (0–1) of sorted values; NaN when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}
