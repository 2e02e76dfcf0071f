//! The live pipeline under load: for each database it seeds contacts in bulk, starts the
//! release server in its own process and measures, in one run,
//! - `saveContact` (activity + pending activity + to-do, three events each) with 32 writers,
//!   first with nobody listening, then with a webhook delivering to a local receiver, then
//!   with the webhook and 100 `contactEvents` subscribers over WebSocket: the ratios to the
//!   first are what the outbox's readers cost a save;
//! - the lag of each event to each subscriber, p50 and p99, between two bounds: from its `at`
//!   (taken as its save began, so the save's own time is in it: the upper bound) and from the
//!   moment its writer had the save's answer (after the commit: the lower bound);
//! - memory per idle subscription over Server-Sent Events (2,000 of them, then 2,000 more: over
//!   all, and what each of the second 2,000 costs), on the fresh server and again after the
//!   phases (with the webhook's backlog still being delivered).
//!
//! `cargo bench --bench live -- --databases sqlite,postgres --size 100000`

#![expect(clippy::unwrap_used, reason = "a benchmark stops at its first failure")]

#[path = "common/mod.rs"]
#[expect(dead_code, reason = "this program reads no process's CPU time")]
mod common;
#[path = "load/traffic.rs"]
#[expect(dead_code, reason = "this program reads rates and tails only")]
mod traffic;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use common::{Server, percentile};

#[derive(Parser)]
struct Options {
    /// Databases: `sqlite` and/or `postgres`.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    databases: Vec<String>,
    /// Contacts generated with `seed --contacts`.
    #[arg(long, default_value_t = 10_000)]
    size: usize,
    /// A PostgreSQL database to connect to when creating the benchmark's own database.
    #[arg(
        long,
        env = "CONTACTFLOW_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
    )]
    postgres_url: String,
    /// Seconds each save phase is measured (after one second of warm-up).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// `contactEvents` subscribers during the second phase.
    #[arg(long, default_value_t = 100)]
    subscribers: usize,
    /// Idle subscriptions over Server-Sent Events whose memory is measured (opened twice over:
    /// the second time what each more costs).
    #[arg(long, default_value_t = 2_000)]
    idle_streams: usize,
    #[arg(long, hide = true)]
    bench: bool,
}

const SAVE: &str = "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id } userErrors { code } } }";
const EVENTS: &str = "subscription { contactEvents { cursor kind at } }";
/// What the measured subscribers ask: the contact's id ties each event to its save.
const EVENTS_OF_CONTACTS: &str = "subscription { contactEvents { cursor kind at contact { id } } }";

/// When each saved contact's writer had its answer, by the contact's id.
type Answered = Arc<Mutex<HashMap<String, chrono::DateTime<chrono::Utc>>>>;

/// An event as a subscriber received it: its contact, its `at`, when it arrived.
struct Arrival {
    contact: String,
    at: chrono::DateTime<chrono::Utc>,
    arrived: chrono::DateTime<chrono::Utc>,
}

async fn graphql(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = http
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

async fn sign_in(http: &reqwest::Client, base: &str, login: &str) -> String {
    let answer = graphql(
        http,
        base,
        "",
        "mutation($l: String!) { login(input: {login: $l, password: \"demo\"}) { token } }",
        json!({ "l": login }),
    )
    .await;
    answer["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A local webhook receiver that answers 204 and counts what it gets.
async fn receiver() -> (String, Arc<Mutex<u64>>) {
    let received = Arc::new(Mutex::new(0u64));
    let counted = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let counted = counted.clone();
            async move {
                *counted.lock().unwrap() += 1;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// 32 writers for the measured seconds; their stats. Each answer's moment goes in `answered`.
async fn saves(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    types: &(String, String),
    seconds: u64,
    answered: Answered,
) -> traffic::Stats {
    let far = chrono::Utc::now() + chrono::Duration::days(400);
    let (http, base, token, types) = (
        http.clone(),
        base.to_owned(),
        token.to_owned(),
        types.clone(),
    );
    traffic::run(32, Duration::from_secs(1), Duration::from_secs(seconds), move |w, n| {
        let (http, base, token, types) = (http.clone(), base.clone(), token.clone(), types.clone());
        let answered = answered.clone();
        async move {
            let due = far + chrono::Duration::hours(1);
            let input = json!({ "input": {
                "name": format!("Live {w}-{n}"),
                "activity": { "activityTypeId": types.0, "description": "call" },
                "pendingActivity": { "activityTypeId": types.1, "dueAt": due.to_rfc3339(),
                    "reminderStartsAt": far.to_rfc3339(), "reminderEndsAt": due.to_rfc3339(), "createTodo": true },
            } });
            let answer = graphql(&http, &base, &token, SAVE, input).await;
            if let Some(id) = answer["data"]["saveContact"]["contact"]["id"].as_str() {
                answered
                    .lock()
                    .unwrap()
                    .insert(id.to_owned(), chrono::Utc::now());
            }
            answer["data"]["saveContact"]["userErrors"] == json!([])
        }
    })
    .await
}

/// Reads a subscriber's events, recording each one's arrival.
fn listen(
    mut socket: common::Socket,
    arrivals: Arc<Mutex<Vec<Arrival>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            let arrived = chrono::Utc::now();
            let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let event = &value["payload"]["data"]["contactEvents"];
            let (Some(at), Some(contact)) = (event["at"].as_str(), event["contact"]["id"].as_str())
            else {
                continue;
            };
            if let Ok(at) = chrono::DateTime::parse_from_rfc3339(at) {
                arrivals.lock().unwrap().push(Arrival {
                    contact: contact.to_owned(),
                    at: at.with_timezone(&chrono::Utc),
                    arrived,
                });
            }
        }
    })
}

/// The lags of the arrivals, sorted, ms: from each event's `at`, and from its save's answer
/// (none below zero: an event may reach its subscriber before its writer has the answer).
fn lags(
    arrivals: &[Arrival],
    answered: &HashMap<String, chrono::DateTime<chrono::Utc>>,
) -> (Vec<f64>, Vec<f64>) {
    let ms = |from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>| {
        (to - from).num_microseconds().unwrap_or(0).max(0) as f64 / 1_000.0
    };
    let mut from_at: Vec<f64> = arrivals.iter().map(|a| ms(a.at, a.arrived)).collect();
    let mut from_answer: Vec<f64> = arrivals
        .iter()
        .filter_map(|a| {
            answered
                .get(&a.contact)
                .map(|&answer| ms(answer, a.arrived))
        })
        .collect();
    from_at.sort_by(f64::total_cmp);
    from_answer.sort_by(f64::total_cmp);
    (from_at, from_answer)
}

/// The server's resident memory, KiB.
fn rss(server: &Server) -> u64 {
    server.memory_kib("VmRSS")
}

/// Opens `count` idle SSE subscriptions, then `count` more; the memory each takes, KiB: over
/// all of them (with what the first one on a server sets up once: its company's event feed,
/// caches), and over the second `count` alone (what one more subscription costs).
async fn idle_sse(server: &Server, token: &str, count: usize) -> (f64, f64) {
    let http = common::http_builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss(server);
    let mut streams = Vec::with_capacity(count * 2);
    let mut halfway = before;
    for n in 0..count * 2 {
        if n == count {
            tokio::time::sleep(Duration::from_secs(1)).await;
            halfway = rss(server);
        }
        let response = http
            .post(format!("{}/graphql", server.base))
            .header("accept", "text/event-stream")
            .bearer_auth(token)
            .json(&json!({ "query": EVENTS }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        streams.push(response);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss(server);
    drop(streams);
    let per = |kib: u64, streams: usize| kib as f64 / streams.max(1) as f64;
    (
        per(after.saturating_sub(before), count * 2),
        per(after.saturating_sub(halfway), count),
    )
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "{} contacts; {} s per phase; {} subscribers\n",
        options.size, options.seconds, options.subscribers
    );
    for database in &options.databases {
        let url = common::fresh_database(
            &options.postgres_url,
            database,
            "contactflow_bench_live",
            dir.path(),
        )
        .await;
        common::seed(&url, options.size);
        let server = Server::start(&[
            "--database-url",
            &url,
            "--log",
            "error",
            "--db-max-connections",
            "16",
            "--webhook-allow-private",
            "true",
        ])
        .await;
        let http = common::http_builder()
            .pool_max_idle_per_host(64)
            .build()
            .unwrap();
        let alice = sign_in(&http, &server.base, "alice").await;
        let admin = sign_in(&http, &server.base, "admin").await;
        let types = graphql(
            &http,
            &server.base,
            &alice,
            "{ activityTypes { id code } }",
            json!({}),
        )
        .await;
        let type_id = |code: &str| {
            types["data"]["activityTypes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["code"] == code)
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let types = (type_id("CALL"), type_id("FOLLOW_UP"));
        let fresh_per_stream = idle_sse(&server, &alice, options.idle_streams).await;
        let nobody = Answered::default;
        let phase = async |answered: Answered| {
            saves(
                &http,
                &server.base,
                &alice,
                &types,
                options.seconds,
                answered,
            )
            .await
        };
        let quiet = phase(nobody()).await;
        // A webhook, then the subscribers too.
        let (hook_url, received) = receiver().await;
        let saved = graphql(&http, &server.base, &admin, "mutation($u: String!) { saveWebhook(input: { url: $u, events: [CREATED, ACTIVITY_RECORDED, PENDING_SCHEDULED], secret: \"the benchmark's webhook secret\" }) { userErrors { code message } } }", json!({ "u": hook_url })).await;
        assert_eq!(
            saved["data"]["saveWebhook"]["userErrors"],
            json!([]),
            "{saved}"
        );
        let hooked = phase(nobody()).await;
        let delivered_hooked = *received.lock().unwrap();
        let ws_url = format!("{}/graphql", server.base.replacen("http", "ws", 1));
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let mut listeners = Vec::new();
        for _ in 0..options.subscribers {
            let socket = common::subscribe(&ws_url, &alice, EVENTS_OF_CONTACTS).await;
            listeners.push(listen(socket, arrivals.clone()));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        arrivals.lock().unwrap().clear();
        let answered = nobody();
        let busy = phase(answered.clone()).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        for listener in listeners {
            listener.abort();
        }
        let (from_at, from_answer) = lags(&arrivals.lock().unwrap(), &answered.lock().unwrap());
        let delivered = *received.lock().unwrap();
        let per_stream = idle_sse(&server, &alice, options.idle_streams).await;
        println!("## {database}\n");
        println!("| measure | figure |\n| --- | --- |");
        let row = |name: &str, stats: &traffic::Stats| {
            println!(
                "| saveContact, 32 writers, {name} | {:.0}/s, p99 {:.1} ms, {} errors |",
                stats.per_second, stats.p99, stats.errors
            );
        };
        row("nobody listening", &quiet);
        row("a webhook", &hooked);
        row(
            &format!("a webhook and {} subscribers", options.subscribers),
            &busy,
        );
        println!(
            "| with a webhook ÷ nobody listening (target ≥ 0.9) | {:.2} × |",
            hooked.per_second / quiet.per_second
        );
        println!(
            "| with the webhook and the subscribers ÷ nobody listening | {:.2} × |",
            busy.per_second / quiet.per_second
        );
        println!("| events received by the subscribers | {} |", from_at.len());
        println!(
            "| event lag from its `at` (the save's start): p50 / p99 | {:.1} / {:.1} ms |",
            percentile(&from_at, 0.5),
            percentile(&from_at, 0.99)
        );
        println!(
            "| event lag from the save's answer (after its commit): p50 / p99 (target p99 ≤ 50 ms) | {:.1} / {:.1} ms |",
            percentile(&from_answer, 0.5),
            percentile(&from_answer, 0.99)
        );
        println!(
            "| webhook deliveries received: in the webhook phase / in all | {delivered_hooked} / {delivered} |"
        );
        println!(
            "| memory per idle SSE subscription (target ≤ 32 KiB), over {} / over the last {} of them: on the fresh server | {:.1} / {:.1} KiB |",
            options.idle_streams * 2,
            options.idle_streams,
            fresh_per_stream.0,
            fresh_per_stream.1
        );
        println!(
            "| the same after the phases | {:.1} / {:.1} KiB |\n",
            per_stream.0, per_stream.1
        );
        drop(server);
    }
}
