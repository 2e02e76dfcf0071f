//! How one request's reads reach the database in its company. On SQLite, straight from the
//! pool. On PostgreSQL, where row-level security shows a connection only the rows of the company
//! its transaction is set to, a query or mutation reads in one transaction, begun at its first
//! statement and set to the company right after, and given back when the request ends; what
//! lives on (a subscription) reads each time in a short transaction of its own.

use std::sync::Arc;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionTrait,
};
use tokio::sync::OnceCell;

use super::CompanyDb;

/// The reads of one request, in its company.
pub type Reads = CompanyDb<ReadConn>;

/// The connection behind [`Reads`].
#[derive(Clone)]
pub struct ReadConn {
    pool: DatabaseConnection,
    company_id: i64,
    mode: Mode,
}

#[derive(Clone)]
enum Mode {
    /// Every statement from the pool (SQLite).
    Pool,
    /// Every statement in one transaction, begun on first use (a query or mutation).
    Pinned(Arc<OnceCell<DatabaseTransaction>>),
    /// Each statement in a transaction of its own (a subscription).
    PerStatement,
}

impl std::fmt::Debug for ReadConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadConn")
            .field("company_id", &self.company_id)
            .finish_non_exhaustive()
    }
}

impl CompanyDb<ReadConn> {
    /// The reads of a query or mutation of company `company_id`.
    pub fn for_request(pool: DatabaseConnection, company_id: i64) -> Self {
        let mode = match pool.get_database_backend() {
            DbBackend::Postgres => Mode::Pinned(Arc::default()),
            _ => Mode::Pool,
        };
        Self::over(pool, company_id, mode)
    }

    /// The reads of something that lives on (a subscription, the explorer's examples).
    pub fn per_statement(pool: DatabaseConnection, company_id: i64) -> Self {
        let mode = match pool.get_database_backend() {
            DbBackend::Postgres => Mode::PerStatement,
            _ => Mode::Pool,
        };
        Self::over(pool, company_id, mode)
    }

    /// The pool the reads come from.
    pub fn pool(&self) -> &DatabaseConnection {
        &self.unscoped().pool
    }

    fn over(pool: DatabaseConnection, company_id: i64, mode: Mode) -> Self {
        CompanyDb::new(
            ReadConn {
                pool,
                company_id,
                mode,
            },
            company_id,
        )
    }
}

/// Sets the company of a PostgreSQL transaction, which its rows are checked against.
pub async fn set_company(txn: &impl ConnectionTrait, company_id: i64) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('contactflow.company_id', $1, true)",
            [company_id.to_string().into()],
        ))
        .await?;
    }
    Ok(())
}

/// A transaction working for company `company_id`.
pub async fn begin_in_company(
    pool: &DatabaseConnection,
    company_id: i64,
) -> Result<DatabaseTransaction, DbErr> {
    let txn = pool.begin().await?;
    set_company(&txn, company_id).await?;
    Ok(txn)
}

impl ReadConn {
    async fn pinned<'a>(
        &self,
        cell: &'a OnceCell<DatabaseTransaction>,
    ) -> Result<&'a DatabaseTransaction, DbErr> {
        cell.get_or_try_init(|| begin_in_company(&self.pool, self.company_id))
            .await
    }
}

/// Runs one statement the way the mode says.
macro_rules! through {
    ($self:ident, $method:ident, $argument:expr) => {
        match &$self.mode {
            Mode::Pool => $self.pool.$method($argument).await,
            Mode::Pinned(cell) => $self.pinned(cell).await?.$method($argument).await,
            Mode::PerStatement => {
                let txn = begin_in_company(&$self.pool, $self.company_id).await?;
                let result = txn.$method($argument).await?;
                txn.commit().await?;
                Ok(result)
            }
        }
    };
}

#[async_trait::async_trait]
impl ConnectionTrait for ReadConn {
    fn get_database_backend(&self) -> DbBackend {
        self.pool.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        through!(self, execute_raw, stmt)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        through!(self, execute_unprepared, sql)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        through!(self, query_one_raw, stmt)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        through!(self, query_all_raw, stmt)
    }
}
