//! The counters behind `/metrics`: operations by name, type and outcome, latency histograms,
//! open sockets and subscriptions, reminders delivered, SQL statements and the database pool.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbBackend};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Distinct operation names tracked; later names are counted as `(other)`, so a client cannot
/// grow the metrics without bound.
const MAX_OPERATION_NAMES: usize = 200;

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Data and no errors.
    Ok,
    /// Refused before execution (parse, validation, limits, persisted query).
    Refused,
    /// Executed with field errors.
    FieldErrors,
    /// Took longer than the request timeout.
    Timeout,
    /// Failed inside the server.
    InternalError,
    /// The database could not be reached.
    Unavailable,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Refused => "refused",
            Self::FieldErrors => "field_errors",
            Self::Timeout => "timeout",
            Self::InternalError => "internal_error",
            Self::Unavailable => "unavailable",
        }
    }
}

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, kind: &str) {
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let count = bucket.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{type=\"{kind}\",le=\"{bound}\"}} {count}"
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_bucket{{type=\"{kind}\",le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum{{type=\"{kind}\"}} {sum}");
        let _ = writeln!(out, "{name}_count{{type=\"{kind}\"}} {count}");
    }
}

/// The counters, shared by every request.
#[derive(Default)]
pub struct Metrics {
    operations: Mutex<HashMap<(String, &'static str, Outcome), u64>>,
    latency: [Histogram; 4],
    websockets: AtomicI64,
    event_streams: AtomicI64,
    subscriptions: AtomicI64,
    statements: AtomicU64,
    control_statements: AtomicU64,
    background_statements: AtomicU64,
    failed_statements: AtomicU64,
    shared_answers: AtomicU64,
}

/// Keeps a gauge raised while it lives.
pub struct Raised<'a>(&'a AtomicI64);

impl Drop for Raised<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn kind_index(kind: &str) -> usize {
    match kind {
        "query" => 0,
        "mutation" => 1,
        "subscription" => 2,
        _ => 3,
    }
}

impl Metrics {
    /// Counts one operation and its latency.
    pub fn record(&self, name: Option<&str>, kind: &'static str, outcome: Outcome, took: Duration) {
        self.latency[kind_index(kind)].observe(took);
        let mut operations = self
            .operations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let name = name.unwrap_or("(anonymous)");
        let known = operations.len() < MAX_OPERATION_NAMES
            || operations.contains_key(&(name.to_owned(), kind, outcome));
        let name = if known { name } else { "(other)" };
        *operations
            .entry((name.to_owned(), kind, outcome))
            .or_default() += 1;
    }

    /// Counts one SQL statement run (from the database connection's callback): a data
    /// statement, or a control one (setting a transaction's company for row-level security).
    pub fn statement_run(&self, sql: &str, failed: bool) {
        if crate::db::is_background() {
            self.background_statements.fetch_add(1, Ordering::Relaxed);
        } else if sql.starts_with("SELECT set_config(") {
            self.control_statements.fetch_add(1, Ordering::Relaxed);
        } else {
            self.statements.fetch_add(1, Ordering::Relaxed);
        }
        if failed {
            self.failed_statements.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a subscription answer sent as another subscriber's execution made it.
    pub fn answer_shared(&self) {
        self.shared_answers.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an open WebSocket until the guard drops.
    pub fn websocket_open(&self) -> Raised<'_> {
        self.websockets.fetch_add(1, Ordering::Relaxed);
        Raised(&self.websockets)
    }

    /// Counts an open Server-Sent Events stream until the guard drops.
    pub fn event_stream_open(&self) -> Raised<'_> {
        self.event_streams.fetch_add(1, Ordering::Relaxed);
        Raised(&self.event_streams)
    }

    /// Counts a running subscription until the guard drops.
    pub fn subscription_started(&self) -> Raised<'_> {
        self.subscriptions.fetch_add(1, Ordering::Relaxed);
        Raised(&self.subscriptions)
    }

    /// The metrics in Prometheus' text format.
    pub fn render(
        &self,
        (db, queries_db): (&DatabaseConnection, &DatabaseConnection),
        pushed: Pushed,
    ) -> String {
        let mut out = String::new();
        out.push_str("# HELP contactflow_operations_total GraphQL operations by name, type and outcome.\n# TYPE contactflow_operations_total counter\n");
        let operations = self
            .operations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut rows: Vec<_> = operations.iter().collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        for ((name, kind, outcome), count) in rows {
            let name = name.replace('\\', "\\\\").replace('"', "\\\"");
            let _ = writeln!(
                out,
                "contactflow_operations_total{{operation=\"{name}\",type=\"{kind}\",outcome=\"{}\"}} {count}",
                outcome.label()
            );
        }
        drop(operations);
        let latency = "contactflow_operation_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {latency} Time to answer a GraphQL operation (for a subscription, to its first event).\n# TYPE {latency} histogram"
        );
        for (kind, histogram) in ["query", "mutation", "subscription", "unknown"]
            .iter()
            .zip(&self.latency)
        {
            histogram.render(&mut out, latency, kind);
        }
        let gauges = [
            (
                "contactflow_websockets_open",
                "Open GraphQL WebSockets.",
                self.websockets.load(Ordering::Relaxed),
            ),
            (
                "contactflow_sse_streams_open",
                "Open GraphQL over Server-Sent Events streams.",
                self.event_streams.load(Ordering::Relaxed),
            ),
            (
                "contactflow_subscriptions_active",
                "Running subscriptions.",
                self.subscriptions.load(Ordering::Relaxed),
            ),
            (
                "contactflow_contact_event_subscribers",
                "contactEvents subscribers tuned in to their company's feed.",
                i64::try_from(pushed.event_subscribers).unwrap_or(i64::MAX),
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP contactflow_reminders_delivered_total Reminder DUE events sent to subscribers.\n# TYPE contactflow_reminders_delivered_total counter\ncontactflow_reminders_delivered_total {}\n# HELP contactflow_contact_events_delivered_total Contact events sent to subscribers.\n# TYPE contactflow_contact_events_delivered_total counter\ncontactflow_contact_events_delivered_total {}",
            pushed.reminders_delivered, pushed.events_delivered
        );
        let _ = writeln!(
            out,
            "# HELP contactflow_subscription_answers_shared_total Subscription answers sent as made for another subscriber who asked the same of the same event.\n# TYPE contactflow_subscription_answers_shared_total counter\ncontactflow_subscription_answers_shared_total {}",
            self.shared_answers.load(Ordering::Relaxed)
        );
        let statements = self.statements.load(Ordering::Relaxed);
        let control = self.control_statements.load(Ordering::Relaxed);
        let failed = self.failed_statements.load(Ordering::Relaxed);
        let background = self.background_statements.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP contactflow_db_background_statements_total SQL statements of the server's own background work (webhook delivery), which no request waits for.\n# TYPE contactflow_db_background_statements_total counter\ncontactflow_db_background_statements_total {background}"
        );
        let _ = writeln!(
            out,
            "# HELP contactflow_db_statements_total SQL statements run: data (SELECT, INSERT, UPDATE, DELETE) and control (setting a transaction's company; BEGIN and COMMIT are not counted; nor, on PostgreSQL, the events' numbering and the event feeds' reads, sent as scripts of two and seven statements).\n# TYPE contactflow_db_statements_total counter\ncontactflow_db_statements_total{{kind=\"data\"}} {statements}\ncontactflow_db_statements_total{{kind=\"control\"}} {control}\n# HELP contactflow_db_statements_failed_total SQL statements that failed.\n# TYPE contactflow_db_statements_failed_total counter\ncontactflow_db_statements_failed_total {failed}"
        );
        let (size, idle) = pool_use(db);
        let _ = writeln!(
            out,
            "# HELP contactflow_db_pool_connections Database connections by state.\n# TYPE contactflow_db_pool_connections gauge\ncontactflow_db_pool_connections{{state=\"idle\"}} {idle}\ncontactflow_db_pool_connections{{state=\"in_use\"}} {}",
            size.saturating_sub(idle)
        );
        let (size, idle) = pool_use(queries_db);
        let _ = writeln!(
            out,
            "# HELP contactflow_db_query_pool_connections Connections of the pool queries read on, by state (on SQLite the same pool as contactflow_db_pool_connections).\n# TYPE contactflow_db_query_pool_connections gauge\ncontactflow_db_query_pool_connections{{state=\"idle\"}} {idle}\ncontactflow_db_query_pool_connections{{state=\"in_use\"}} {}",
            size.saturating_sub(idle)
        );
        out
    }
}

/// What the pushing engines did, for [`Metrics::render`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Pushed {
    /// Reminder `DUE` events sent to subscribers.
    pub reminders_delivered: u64,
    /// Contact events sent to subscribers.
    pub events_delivered: u64,
    /// `contactEvents` subscribers tuned in now.
    pub event_subscribers: usize,
}

/// Connections open and idle in the pool.
fn pool_use(db: &DatabaseConnection) -> (u32, u32) {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        _ => (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_is_counted_in_every_bucket_at_or_above_it() {
        let histogram = Histogram::default();
        histogram.observe(Duration::from_millis(3));
        let mut out = String::new();
        histogram.render(&mut out, "h", "query");
        assert!(out.contains("h_bucket{type=\"query\",le=\"0.0025\"} 0"));
        assert!(out.contains("h_bucket{type=\"query\",le=\"0.005\"} 1"));
        assert!(out.contains("h_bucket{type=\"query\",le=\"+Inf\"} 1"));
    }

    #[test]
    fn operation_names_beyond_the_bound_are_counted_together() {
        let metrics = Metrics::default();
        for n in 0..MAX_OPERATION_NAMES + 5 {
            let name = format!("Op{n}");
            metrics.record(Some(&name), "query", Outcome::Ok, Duration::ZERO);
        }
        let operations = metrics.operations.lock().unwrap();
        assert_eq!(operations.len(), MAX_OPERATION_NAMES + 1);
        assert_eq!(operations[&("(other)".to_owned(), "query", Outcome::Ok)], 5);
    }
}
