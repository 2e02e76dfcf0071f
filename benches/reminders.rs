//! Reminder delivery, measured against the real server in its own process over loopback:
//! lag after the due time with 100,000 reminders scheduled, 10,000 falling due in one second,
//! and the server's memory per idle subscription.
//!
//! `cargo bench --bench reminders` (options: `-- --scheduled N --burst N --idle N`).

#![expect(clippy::unwrap_used, reason = "a benchmark stops at its first failure")]

#[path = "common/mod.rs"]
#[expect(dead_code, reason = "this program reads no CPU time")]
mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Parser;
use common::{Server, Socket, percentile};
use contactflow::config::{DatabaseUrl, Settings};
use contactflow::entity::{activity_type, contact, operator, pending_activity};
use futures_util::{SinkExt, StreamExt};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Options {
    /// Reminders scheduled within the engine's horizon while measuring.
    #[arg(long, default_value_t = 100_000)]
    scheduled: usize,
    /// Reminders falling due in the same second.
    #[arg(long, default_value_t = 10_000)]
    burst: usize,
    /// Idle subscriptions opened to measure memory.
    #[arg(long, default_value_t = 10_000)]
    idle: usize,
    /// Reminders whose delivery lag is measured.
    #[arg(long, default_value_t = 400)]
    measured: usize,
    #[arg(long, hide = true)]
    bench: bool,
}

async fn insert_reminders(
    db: &sea_orm::DatabaseConnection,
    (company_id, contact_id): (i64, i64),
    type_id: i64,
    assignee: i64,
    starts: &[DateTime<Utc>],
) {
    let now = contactflow::service::clock::now();
    for chunk in starts.chunks(500) {
        let rows = chunk.iter().map(|start| pending_activity::ActiveModel {
            id: NotSet,
            company_id: Set(company_id),
            contact_id: Set(contact_id),
            activity_type_id: Set(type_id),
            description: Set(None),
            pending_since: Set(now),
            due_at: Set(None),
            assignee_id: Set(assignee),
            reminder_starts_at: Set(Some(*start)),
            reminder_ends_at: Set(Some(*start + chrono::Duration::hours(3))),
            create_todo: Set(false),
            status: Set(contactflow::domain::WorkStatus::Open),
            completed_at: Set(None),
            completed_activity_id: Set(None),
            created_by_id: Set(assignee),
            created_at: Set(now),
            updated_at: Set(now),
        });
        pending_activity::Entity::insert_many(rows)
            .exec(db)
            .await
            .expect("insert reminders");
    }
}

const REMINDERS: &str = "subscription { reminders { kind reminder { startsAt } } }";

async fn subscribe(url: &str, token: &str) -> Socket {
    common::subscribe(url, token, REMINDERS).await
}

/// Collects the `startsAt` of DUE events due from `from`, stamped on arrival, until `count`
/// of them or `deadline`.
fn collect(
    mut socket: Socket,
    from: DateTime<Utc>,
    count: usize,
    deadline: Instant,
) -> tokio::task::JoinHandle<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    tokio::spawn(async move {
        let mut seen = Vec::new();
        while seen.len() < count {
            let message = match tokio::time::timeout_at(deadline.into(), socket.next()).await {
                Ok(Some(Ok(message))) => message,
                Ok(Some(Err(error))) => {
                    eprintln!("socket error: {error}");
                    break;
                }
                _ => break,
            };
            let arrived = Utc::now();
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if value["type"] == "ping" {
                    let _ = socket
                        .send(Message::Text(json!({ "type": "pong" }).to_string().into()))
                        .await;
                    continue;
                }
                let event = &value["payload"]["data"]["reminders"];
                if event["kind"] == "DUE"
                    && let Some(starts) = event["reminder"]["startsAt"]
                        .as_str()
                        .and_then(|s| s.parse::<DateTime<Utc>>().ok())
                    && starts >= from
                {
                    seen.push((starts, arrived));
                }
            }
        }
        seen
    })
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("bench.db");
    let mut settings = Settings::from_env();
    settings.database = DatabaseUrl::Sqlite(database.clone());
    contactflow::app::migrate(&settings, true)
        .await
        .expect("migrate and load the demo data");
    let db = contactflow::db::connect(&settings).await.unwrap();
    let id_of = |login: &'static str| {
        let db = db.clone();
        async move {
            operator::Entity::find()
                .filter(operator::Column::Login.eq(login))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let (alice, bob, maria) = (
        id_of("alice").await,
        id_of("bob").await,
        id_of("maria").await,
    );
    let first = contact::Entity::find().one(&db).await.unwrap().unwrap();
    let (company, contact_id) = (first.company_id, first.id);
    let type_id = activity_type::Entity::find()
        .filter(activity_type::Column::CompanyId.eq(company))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .id;

    let start = contactflow::service::clock::now();
    let lead = chrono::Duration::seconds(20);
    let background: Vec<_> = (0..options.scheduled)
        .map(|i| {
            start
                + chrono::Duration::seconds(180)
                + chrono::Duration::milliseconds(
                    (i as i64 * 3_000_000) / options.scheduled.max(1) as i64,
                )
        })
        .collect();
    let measured: Vec<_> = (0..options.measured)
        .map(|i| start + lead + chrono::Duration::milliseconds(i as i64 * 50))
        .collect();
    let burst_at = start
        + lead
        + chrono::Duration::milliseconds(options.measured as i64 * 50)
        + chrono::Duration::seconds(10);
    let burst: Vec<_> = (0..options.burst)
        .map(|i| {
            burst_at
                + chrono::Duration::microseconds(
                    (i as i64 * 1_000_000) / options.burst.max(1) as i64,
                )
        })
        .collect();
    let seeding = Instant::now();
    insert_reminders(&db, (company, contact_id), type_id, bob, &background).await;
    insert_reminders(&db, (company, contact_id), type_id, alice, &measured).await;
    insert_reminders(&db, (company, contact_id), type_id, maria, &burst).await;
    println!(
        "seeded {} reminders in {:.1} s",
        background.len() + measured.len() + burst.len(),
        seeding.elapsed().as_secs_f64()
    );
    let keys = contactflow::service::auth::TokenKeys::new(
        &contactflow::service::auth::token_secret(&db, None)
            .await
            .unwrap(),
        Duration::from_secs(3600),
    );
    db.close().await.ok();

    let url = format!("sqlite://{}?mode=rwc", database.display());
    let server = Server::start(&["--database-url", &url, "--log", "warn"]).await;
    let url = format!("{}/graphql", server.base.replacen("http", "ws", 1));
    let deadline = Instant::now() + Duration::from_secs(120);
    let lag_events = collect(
        subscribe(&url, &keys.issue(alice, 0, company).unwrap().token).await,
        start + lead,
        options.measured,
        deadline,
    );
    let burst_events = collect(
        subscribe(&url, &keys.issue(maria, 0, company).unwrap().token).await,
        burst_at,
        options.burst,
        deadline,
    );
    let rss_busy = server.memory_kib("VmRSS");

    let lags: Vec<_> = lag_events
        .await
        .unwrap()
        .into_iter()
        .filter(|(due, _)| *due >= start + lead)
        .collect();
    let mut lag_ms: Vec<f64> = lags
        .iter()
        .map(|(due, got)| (*got - *due).num_microseconds().unwrap_or(0) as f64 / 1000.0)
        .collect();
    lag_ms.sort_by(|a, b| a.total_cmp(b));
    let bursts: Vec<_> = burst_events
        .await
        .unwrap()
        .into_iter()
        .filter(|(due, _)| *due >= burst_at)
        .collect();
    let last = bursts.iter().map(|(_, got)| *got).max();
    let mut burst_lag: Vec<f64> = bursts
        .iter()
        .map(|(due, got)| (*got - *due).num_microseconds().unwrap_or(0) as f64 / 1000.0)
        .collect();
    burst_lag.sort_by(|a, b| a.total_cmp(b));
    let burst_span = last.map(|last| (last - burst_at).num_milliseconds());

    let before = server.memory_kib("VmRSS");
    let token = keys.issue(bob, 0, company).unwrap().token;
    let mut idle = Vec::with_capacity(options.idle);
    let opening = Instant::now();
    for _ in 0..options.idle {
        let mut socket = subscribe(&url, &token).await;
        // Wait for the catch-up to finish before the next one, so every subscription is live.
        let _ = tokio::time::timeout(Duration::from_millis(200), socket.next()).await;
        idle.push(socket);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.memory_kib("VmRSS");
    let per_subscription = (after.saturating_sub(before)) as f64 / options.idle.max(1) as f64;

    println!(
        "\nreminder delivery ({} scheduled within the horizon, server RSS {:.0} MiB while delivering)",
        options.scheduled + options.measured + options.burst,
        rss_busy as f64 / 1024.0
    );
    println!("| measure | value | target |");
    println!("| --- | --- | --- |");
    println!(
        "| delivered of measured | {} / {} | all |",
        lags.len(),
        options.measured
    );
    println!("| lag p50 | {:.1} ms | |", percentile(&lag_ms, 0.50));
    println!(
        "| lag p99 | {:.1} ms | ≤ 50 ms |",
        percentile(&lag_ms, 0.99)
    );
    println!("| lag max | {:.1} ms | |", percentile(&lag_ms, 1.0));
    println!(
        "| {} due in one second: delivered | {} | all |",
        options.burst,
        bursts.len()
    );
    println!(
        "| {} due in one second: last delivered after the first was due | {} ms | ≤ 1000 ms |",
        options.burst,
        burst_span.map_or("-".to_owned(), |ms| ms.to_string())
    );
    println!(
        "| {} due in one second: lag p99 / max | {:.1} ms / {:.1} ms | |",
        options.burst,
        percentile(&burst_lag, 0.99),
        percentile(&burst_lag, 1.0)
    );
    println!(
        "| idle subscriptions opened | {} in {:.1} s | |",
        idle.len(),
        opening.elapsed().as_secs_f64()
    );
    println!(
        "| server memory per idle subscription | {:.1} KiB | ≤ 32 KiB |",
        per_subscription
    );
    drop(idle);
}
