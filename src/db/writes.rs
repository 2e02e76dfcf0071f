//! Write transactions. On PostgreSQL each write is its own transaction. On SQLite, where one
//! writer at a time holds the file's write lock, the writes of this process that queue
//! together share one transaction (group commit): each runs in its own savepoint, so one
//! write's error undoes only itself, and the last of them commits for all. A commit rewrites
//! every page its writes touched into the log; shared, the pages that the writes of the moment
//! have in common (the tables' last leaves, their indexes) are written once instead of once
//! per write. A write alone commits at once: batching costs it nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use tokio::sync::{OwnedMutexGuard, watch};

/// Writes in one shared transaction, at most: bounds how long the first of them waits.
const WRITES_PER_BATCH: usize = 32;

/// How a batch ended: committed, or the reason it did not.
type Outcome = Option<Result<(), Arc<str>>>;

/// One SQLite file's writes in this process.
#[derive(Default)]
struct Queue {
    batch: Arc<tokio::sync::Mutex<Batch>>,
    /// Writers waiting for the lock: to write, or to commit the batch they wrote in.
    waiting: AtomicUsize,
}

/// The open shared transaction, if any.
struct Batch {
    open: Option<DatabaseTransaction>,
    /// Writes begun in it.
    writes: usize,
    /// Told how the open batch ended.
    outcome: watch::Sender<Outcome>,
    /// Batches committed so far.
    commits: u64,
}

impl Default for Batch {
    fn default() -> Self {
        Self {
            open: None,
            writes: 0,
            outcome: watch::channel(None).0,
            commits: 0,
        }
    }
}

impl Batch {
    /// Commits the open batch and tells its writes.
    async fn commit(&mut self) -> Result<(), DbErr> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        let result = open.commit().await;
        self.commits += 1;
        let outcome = result
            .as_ref()
            .map(|_| ())
            .map_err(|e| e.to_string().into());
        self.outcome.send_replace(Some(outcome));
        result
    }
}

/// The queue of the file `db` writes to, shared by every pool of this process on that file.
fn queue_of(db: &DatabaseConnection) -> Arc<Queue> {
    static QUEUES: OnceLock<Mutex<HashMap<PathBuf, Arc<Queue>>>> = OnceLock::new();
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut queues = QUEUES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    queues.entry(file).or_default().clone()
}

/// A writer counted as waiting for the lock, until dropped (also when its request is given up
/// on while it waits).
struct Waiting(Arc<Queue>);

impl Waiting {
    fn on(queue: &Arc<Queue>) -> Self {
        queue.waiting.fetch_add(1, Ordering::SeqCst);
        Self(queue.clone())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A write that waits for its batch to commit, counted as waiting. Given up on while it waits
/// (its request timed out), it still sees the batch committed, so that the file's write lock is
/// not held until some later write comes — and it stays counted until then, so that a write of
/// the batch undone meanwhile does not take the batch for one nobody waits on and roll back
/// this write with it.
struct Owed {
    queue: Option<Arc<Queue>>,
    outcome: watch::Receiver<Outcome>,
    waiting: Option<Waiting>,
}

impl Owed {
    /// The batch ended as this write waited: nothing is owed any more.
    fn settled(mut self) {
        self.queue = None;
        self.waiting = None;
    }
}

impl Drop for Owed {
    fn drop(&mut self) {
        let waiting = self.waiting.take();
        let (Some(queue), Ok(runtime)) = (self.queue.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let outcome = self.outcome.clone();
        runtime.spawn(async move {
            let mut batch = queue.batch.clone().lock_owned().await;
            drop(waiting);
            if ended(&outcome).is_none() {
                let _ = batch.commit().await;
            }
        });
    }
}

/// How the batch `outcome` tells of ended, if it has.
fn ended(outcome: &watch::Receiver<Outcome>) -> Option<Result<(), DbErr>> {
    let told = outcome.borrow().clone();
    told.map(|result| {
        result.map_err(|reason| {
            DbErr::Custom(format!("the shared transaction did not commit: {reason}"))
        })
    })
}

/// A write's place in its SQLite batch.
struct Held {
    batch: OwnedMutexGuard<Batch>,
    queue: Arc<Queue>,
    outcome: watch::Receiver<Outcome>,
}

/// Held for as long as a write transaction runs; told with [`Writer::committed`] when the
/// transaction committed. Dropped without, the write is undone (and on SQLite a batch that
/// only it was in is rolled back).
pub struct Writer {
    held: Option<Held>,
}

impl Writer {
    /// The write's transaction committed: on SQLite, returns once the batch it is in did
    /// (committing it, or leaving that to a write queued after it).
    pub async fn committed(mut self) -> Result<(), DbErr> {
        let Some(Held {
            mut batch,
            queue,
            outcome,
        }) = self.held.take()
        else {
            return Ok(());
        };
        if batch.writes >= WRITES_PER_BATCH || queue.waiting.load(Ordering::SeqCst) == 0 {
            return batch.commit().await;
        }
        // Counted before the lock is let go, so the writer it goes to knows a commit is owed.
        let waiting = Waiting::on(&queue);
        drop(batch);
        let owed = Owed {
            queue: Some(queue.clone()),
            outcome: outcome.clone(),
            waiting: Some(waiting),
        };
        let mut told = outcome.clone();
        let batch_ended = async move {
            // Closed only if the batch were dropped untold, which never happens.
            let _ = told.wait_for(Option::is_some).await;
        };
        let result = tokio::select! {
            biased;
            () = batch_ended => ended(&outcome),
            mut batch = queue.batch.clone().lock_owned() => match ended(&outcome) {
                Some(result) => Some(result),
                // A batch ends only with its outcome told: still open, it is ours to commit.
                None => Some(batch.commit().await),
            },
        };
        owed.settled();
        result.unwrap_or_else(|| Err(DbErr::Custom("the shared transaction was lost".into())))
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let Some(held) = self.held.as_mut() else {
            return;
        };
        // Nobody queued to write or to commit: nothing else will end the batch, so a batch of
        // undone writes only is rolled back here (and its transaction let go of the file).
        if held.queue.waiting.load(Ordering::SeqCst) == 0 && held.batch.open.is_some() {
            held.batch.open = None;
            let outcome = Some(Err(Arc::from("rolled back")));
            held.batch.outcome.send_replace(outcome);
        }
    }
}

/// Starts a write transaction. On SQLite, one writer of this process at a time takes the
/// write lock, up front (`BEGIN IMMEDIATE`): concurrent writers queue on an async lock, and
/// other processes on the busy timeout, instead of failing with "database is locked"; the
/// writers queued together share one transaction, each in a savepoint. Keep the [`Writer`]
/// until the transaction ends, and tell it when it committed.
pub async fn begin_write(db: &DatabaseConnection) -> Result<(DatabaseTransaction, Writer), DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        // PostgreSQL's default (READ COMMITTED, read-write) is what the writes expect.
        return Ok((db.begin().await?, Writer { held: None }));
    }
    let queue = queue_of(db);
    let waiting = Waiting::on(&queue);
    let mut batch = queue.batch.clone().lock_owned().await;
    drop(waiting);
    if batch.open.is_none() {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        batch.open = Some(db.begin_with_options(options).await?);
        batch.writes = 0;
        batch.outcome = watch::channel(None).0;
    }
    batch.writes += 1;
    let outcome = batch.outcome.subscribe();
    let savepoint = match batch.open.as_ref() {
        Some(open) => open.begin().await,
        None => Err(DbErr::Custom("no shared transaction is open".into())),
    };
    // On failure the writer is dropped and undoes what it must.
    let writer = Writer {
        held: Some(Held {
            batch,
            queue,
            outcome,
        }),
    };
    Ok((savepoint?, writer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectOptions, ConnectionTrait, Database, Statement};

    /// A fresh SQLite file with one table, and a second pool on it (as another process would
    /// have).
    async fn database(dir: &tempfile::TempDir) -> (DatabaseConnection, DatabaseConnection) {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("w.db").display());
        let connect = |pool: u32| {
            let mut options = ConnectOptions::new(url.clone());
            options.max_connections(pool).sqlx_logging(false);
            options
        };
        let db = Database::connect(connect(4)).await.unwrap();
        db.execute_unprepared("PRAGMA journal_mode=WAL")
            .await
            .unwrap();
        db.execute_unprepared("CREATE TABLE t (n INTEGER PRIMARY KEY)")
            .await
            .unwrap();
        let mut other = connect(1);
        other.map_sqlx_sqlite_opts(|o| o.busy_timeout(std::time::Duration::from_millis(200)));
        (db, Database::connect(other).await.unwrap())
    }

    async fn insert(txn: &DatabaseTransaction, n: i64) -> Result<(), DbErr> {
        let sql = "INSERT INTO t (n) VALUES (?)";
        let statement = Statement::from_sql_and_values(DbBackend::Sqlite, sql, [n.into()]);
        txn.execute_raw(statement).await.map(|_| ())
    }

    async fn rows(db: &DatabaseConnection) -> Vec<i64> {
        let sql = "SELECT n FROM t ORDER BY n";
        let statement = Statement::from_string(DbBackend::Sqlite, sql);
        let rows = db.query_all_raw(statement).await.unwrap();
        rows.iter()
            .map(|row| row.try_get_by_index(0).unwrap())
            .collect()
    }

    /// One write, as the use cases make them: undone unless `fail` is false.
    async fn write(db: DatabaseConnection, n: i64, fail: bool) -> Result<(), DbErr> {
        let (txn, writer) = begin_write(&db).await?;
        insert(&txn, n).await?;
        tokio::task::yield_now().await;
        if fail {
            return Err(DbErr::Custom("a rule refused it".into()));
        }
        txn.commit().await?;
        writer.committed().await
    }

    #[tokio::test]
    async fn a_lone_write_is_committed_when_it_returns() {
        let dir = tempfile::tempdir().unwrap();
        let (db, other) = database(&dir).await;
        write(db.clone(), 1, false).await.unwrap();
        assert_eq!(rows(&other).await, [1]);
    }

    #[tokio::test]
    async fn queued_writes_share_commits_and_a_refused_one_undoes_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let (db, other) = database(&dir).await;
        let writes: Vec<_> = (1..=40)
            .map(|n| tokio::spawn(write(db.clone(), n, n % 7 == 0)))
            .collect();
        let mut refused = Vec::new();
        for (n, outcome) in (1..).zip(writes) {
            if outcome.await.unwrap().is_err() {
                refused.push(n);
            }
        }
        assert_eq!(refused, [7, 14, 21, 28, 35]);
        let expected: Vec<i64> = (1..=40).filter(|n| n % 7 != 0).collect();
        assert_eq!(
            rows(&other).await,
            expected,
            "every write that returned Ok is committed"
        );
        let commits = queue_of(&db).batch.lock().await.commits;
        assert!(commits < 35, "35 writes took {commits} commits");
        // Another connection can write at once: no transaction was left open.
        other
            .execute_unprepared("INSERT INTO t (n) VALUES (100)")
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_refused_write_alone_leaves_no_transaction_open() {
        let dir = tempfile::tempdir().unwrap();
        let (db, other) = database(&dir).await;
        assert!(write(db.clone(), 1, true).await.is_err());
        other
            .execute_unprepared("INSERT INTO t (n) VALUES (2)")
            .await
            .expect("the file's write lock is free");
        write(db.clone(), 3, false).await.unwrap();
        assert_eq!(rows(&other).await, [2, 3]);
    }

    #[tokio::test]
    async fn a_write_given_up_on_while_it_waits_is_still_committed() {
        let dir = tempfile::tempdir().unwrap();
        let (db, other) = database(&dir).await;
        // The first write holds the lock while the second queues, so the first hands its
        // commit on and waits; it is then dropped, as a timed-out request would be.
        let (txn, writer) = begin_write(&db).await.unwrap();
        insert(&txn, 1).await.unwrap();
        let second = tokio::spawn(write(db.clone(), 2, true));
        while queue_of(&db).waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        txn.commit().await.unwrap();
        // Polled once, then dropped before the second write runs (one thread: it runs only
        // when this test waits): the second, undone, must not take the batch for one that
        // nobody waits on.
        assert!(futures_util::FutureExt::now_or_never(writer.committed()).is_none());
        assert!(second.await.unwrap().is_err());
        tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while rows(&other).await != [1] {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the first write committed");
    }
}
