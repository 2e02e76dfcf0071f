//! Several instances on one PostgreSQL database: each change is announced with `NOTIFY`
//! (pending activity ids only) and every instance `LISTEN`s; after the listening connection
//! drops, notifications may have been lost, so the instance resyncs from the database.

use std::sync::Weak;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{DatabaseConnection, DbBackend, Statement};

use super::{Change, ReminderEngine};

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "contactflow_reminders";
/// Ids per notification, well under PostgreSQL's 8,000-byte payload limit.
const IDS_PER_NOTIFICATION: usize = 300;

/// `instance|id,id,…`: the sender, so an instance skips its own notifications.
fn payload(instance: &str, ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("{instance}|{}", ids.join(","))
}

fn parse(payload: &str) -> Option<(&str, Vec<i64>)> {
    let (instance, ids) = payload.split_once('|')?;
    let ids = ids.split(',').filter_map(|id| id.parse().ok()).collect();
    Some((instance, ids))
}

/// The statements that tell the other instances which pending activities changed; run inside
/// a write's transaction, PostgreSQL delivers them when (and only if) it commits.
pub(super) fn notices(instance: &str, ids: &[i64]) -> Vec<Statement> {
    ids.chunks(IDS_PER_NOTIFICATION)
        .map(|chunk| {
            Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload(instance, chunk).into()],
            )
        })
        .collect()
}

/// Listens for the other instances' changes until the engine stops.
pub(super) async fn listen(db: DatabaseConnection, engine: Weak<ReminderEngine>, instance: String) {
    let pool = db.get_postgres_connection_pool().clone();
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
        // Whatever was announced while we were not listening is read back from the database.
        if let Some(engine) = engine.upgrade() {
            let _ = engine.changes.send(Change::Resync);
        }
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    let Some((sender, ids)) = parse(notification.payload()) else {
                        continue;
                    };
                    let Some(engine) = engine.upgrade() else {
                        return;
                    };
                    if sender != instance && !ids.is_empty() {
                        let _ = engine.changes.send(Change::Ids(ids));
                    }
                }
                Ok(None) => break,
                Err(_) if pool.is_closed() => return,
                Err(error) => {
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
        let text = payload("a1b2", &[3, 14, 159]);
        assert_eq!(text, "a1b2|3,14,159");
        assert_eq!(parse(&text), Some(("a1b2", vec![3, 14, 159])));
        assert_eq!(parse("garbage"), None);
    }

    #[test]
    fn a_full_notification_stays_under_the_payload_limit() {
        let ids = vec![i64::MAX; IDS_PER_NOTIFICATION];
        assert!(payload("0123456789abcdef", &ids).len() < 8_000);
    }
}
