//! Scripts sent to PostgreSQL in one round trip: several statements in one simple-query
//! message, which the server runs as one implicit transaction (an error anywhere undoes them
//! all, and the connection is left clean). Every value in a script is formatted by the server
//! from integers, never taken from a client's text.

use sea_orm::sqlx::{self, Either, postgres::PgRow};
use sea_orm::{
    ConnAcquireErr, DatabaseConnection, DbErr, FromQueryResult, QueryResult, RuntimeErr,
};

use crate::service::{ServiceError, ServiceResult};

/// What one statement of a script gave.
#[derive(Default)]
pub(super) struct Done {
    /// Its rows.
    pub(super) rows: Vec<PgRow>,
    /// The rows it changed (or returned).
    pub(super) affected: u64,
}

impl Done {
    /// Its rows as `M`.
    pub(super) fn decode<M: FromQueryResult>(self) -> ServiceResult<Vec<M>> {
        self.rows
            .into_iter()
            .map(|row| Ok(M::from_query_result(&QueryResult::from(row), "")?))
            .collect()
    }
}

/// Runs `statements` as one script; what each gave, in order. Returning means the script's
/// transaction committed.
pub(super) async fn run<const N: usize>(
    db: &DatabaseConnection,
    statements: &[String; N],
) -> ServiceResult<[Done; N]> {
    let mut connection = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(|error| match error {
            sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            error => DbErr::Conn(RuntimeErr::SqlxError(error.into())),
        })?;
    let script = statements.join(";\n");
    let mut done: Vec<Done> = Vec::with_capacity(N);
    let mut current = Done::default();
    {
        use futures_util::TryStreamExt;
        let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(script)).fetch_many(&mut *connection);
        while let Some(item) = stream
            .try_next()
            .await
            .map_err(|error| DbErr::Query(RuntimeErr::SqlxError(error.into())))?
        {
            match item {
                Either::Left(result) => {
                    current.affected = result.rows_affected();
                    done.push(std::mem::take(&mut current));
                }
                Either::Right(row) => current.rows.push(row),
            }
        }
    }
    <[Done; N]>::try_from(done).map_err(|done| {
        ServiceError::Internal(format!(
            "a script of {N} statements gave {} results",
            done.len()
        ))
    })
}
