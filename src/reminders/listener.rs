//! Several instances on one PostgreSQL database: each committed change is announced with
//! `NOTIFY` (ids only: pending activities whose reminders changed, operators whose sessions must
//! end, companies whose configuration or members changed) and
//! every instance `LISTEN`s; after the listening connection drops, notifications may have been
//! lost, so the instance resyncs from the database.

use std::sync::Weak;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::sync::mpsc;

use super::{Change, ReminderEngine};
use crate::service::{Changes, Configuration};

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "contactflow_reminders";
/// Ids per notification, well under PostgreSQL's 8,000-byte payload limit.
const IDS_PER_NOTIFICATION: usize = 300;

fn list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn ids(text: &str) -> Vec<i64> {
    text.split(',').filter_map(|id| id.parse().ok()).collect()
}

/// `instance|reminder ids|operator ids|company ids|company ids`: the sender first, so an
/// instance skips its own; then the companies whose configuration changed (`*` for every
/// company), and last the companies that have new contact events (their feeds read the
/// events themselves from the outbox).
fn payload(
    instance: &str,
    reminders: &[i64],
    operators: &[i64],
    (configuration, events): (&Configuration, &[i64]),
) -> String {
    let companies = match configuration {
        Configuration::Unchanged => String::new(),
        Configuration::Of(ids) => list(ids),
        Configuration::Everyone => "*".to_owned(),
    };
    format!(
        "{instance}|{}|{}|{companies}|{}",
        list(reminders),
        list(operators),
        list(events)
    )
}

fn parse(payload: &str) -> Option<(&str, Changes)> {
    let mut parts = payload.splitn(5, '|');
    let instance = parts.next()?;
    let reminders = ids(parts.next()?);
    let revoked_operators = parts.next().map(ids).unwrap_or_default();
    let configuration = match parts.next().unwrap_or_default() {
        "" => Configuration::Unchanged,
        "*" => Configuration::Everyone,
        companies => Configuration::Of(ids(companies)),
    };
    let events = parts.next().map(ids).unwrap_or_default();
    Some((
        instance,
        Changes {
            reminders,
            known: Vec::new(),
            revoked_operators,
            configuration,
            events,
        },
    ))
}

/// The notifications that tell the other instances what a write changed.
pub(super) fn notices(instance: &str, changes: &Changes) -> Vec<String> {
    let mut chunks = changes.reminders.chunks(IDS_PER_NOTIFICATION);
    let first = chunks.next().unwrap_or_default();
    let unchanged = Configuration::Unchanged;
    std::iter::once(payload(
        instance,
        first,
        &changes.revoked_operators,
        (&changes.configuration, &changes.events),
    ))
    .chain(chunks.map(|chunk| payload(instance, chunk, &[], (&unchanged, &[]))))
    .collect()
}

/// Notifications sent in one statement, at most.
const NOTICES_PER_STATEMENT: usize = 1_000;

/// Sends the notifications of committed writes, those queued while one statement runs going
/// together in the next. A `NOTIFY` inside a write's transaction would hold PostgreSQL's global
/// notification lock through that write's commit and so line every notifying commit up behind
/// the others (measured: 6,100 commits/s without, 2,000 with); after the commit, one statement
/// carries the notifications of all the writes of the moment. A write whose instance stops
/// between its commit and this statement is not announced: the other instances see its
/// configuration change when their copy expires and its reminders at their next refill.
pub(super) async fn announce(db: DatabaseConnection, mut queue: mpsc::UnboundedReceiver<String>) {
    let mut batch = Vec::new();
    while queue.recv_many(&mut batch, NOTICES_PER_STATEMENT).await > 0 {
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, notice) FROM unnest($2::text[]) AS notice",
            [CHANNEL.into(), std::mem::take(&mut batch).into()],
        );
        for attempt in 1..=3u32 {
            match db.execute_raw(statement.clone()).await {
                Ok(_) => break,
                Err(error) if attempt == 3 || db.get_postgres_connection_pool().is_closed() => {
                    tracing::warn!(%error, "could not tell the other instances of changes");
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await,
            }
        }
    }
}

/// Listens for the other instances' changes until the engine stops.
pub(super) async fn listen(db: DatabaseConnection, engine: Weak<ReminderEngine>, instance: String) {
    let pool = db.get_postgres_connection_pool().clone();
    // When the listening connection was lost, to tell how long the outage lasted.
    let mut lost_at: Option<std::time::Instant> = None;
    while engine.strong_count() > 0 {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(%error, "reminder listener cannot connect; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "reminder listener cannot LISTEN; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        if let Some(lost) = lost_at.take() {
            let outage_ms = lost.elapsed().as_millis() as u64;
            tracing::warn!(
                outage_ms,
                "reminder listener reconnected; rereading the reminders"
            );
        }
        // Whatever was announced while we were not listening is read back from the database.
        if let Some(engine) = engine.upgrade() {
            engine.snapshots.forget_all();
            let _ = engine.changes.send(Change::Resync);
        }
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    let Some((sender, changes)) = parse(notification.payload()) else {
                        continue;
                    };
                    let Some(engine) = engine.upgrade() else {
                        return;
                    };
                    if sender != instance {
                        // A write here forgets the snapshots it made stale when it commits.
                        changes.configuration.forget_in(&engine.snapshots);
                        engine.act_on(&changes);
                    }
                }
                Ok(None) => {
                    lost_at = Some(std::time::Instant::now());
                    tracing::warn!("reminder listener lost its connection");
                    break;
                }
                Err(_) if pool.is_closed() => return,
                Err(error) => {
                    lost_at = Some(std::time::Instant::now());
                    tracing::warn!(%error, "reminder listener lost its connection");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_carry_the_sender_and_ids_only() {
        let companies = Configuration::Of(vec![2, 5]);
        let text = payload("a1b2", &[3, 14, 159], &[7], (&companies, &[2]));
        assert_eq!(text, "a1b2|3,14,159|7|2,5|2");
        let changes = Changes {
            reminders: vec![3, 14, 159],
            revoked_operators: vec![7],
            configuration: companies,
            events: vec![2],
            ..Changes::default()
        };
        assert_eq!(parse(&text), Some(("a1b2", changes)));
        assert_eq!(parse("garbage"), None);
        let everyone = parse("a1b2|||*").map(|(_, c)| c.configuration);
        assert_eq!(everyone, Some(Configuration::Everyone));
        // A notification from a build before snapshots changes no configuration.
        let older = parse("a1b2|3|").map(|(_, c)| c.configuration);
        assert_eq!(older, Some(Configuration::Unchanged));
    }

    #[test]
    fn a_full_notification_stays_under_the_payload_limit() {
        let ids = vec![i64::MAX; IDS_PER_NOTIFICATION];
        let companies = Configuration::Of(vec![i64::MAX; 10]);
        let events = [i64::MAX; 10];
        let text = payload(
            "0123456789abcdef",
            &ids,
            &[i64::MAX; 10],
            (&companies, &events),
        );
        assert!(text.len() < 8_000);
    }

    #[test]
    fn many_reminders_take_several_notifications_and_operators_ride_the_first() {
        let changes = Changes {
            reminders: (1..=700).collect(),
            revoked_operators: vec![9],
            ..Changes::default()
        };
        assert_eq!(notices("i", &changes).len(), 3);
        let none = Changes {
            reminders: vec![],
            revoked_operators: vec![9],
            ..Changes::default()
        };
        assert_eq!(notices("i", &none).len(), 1);
    }
}
