//! The company a request works for, applied in one place. Every read and write of a
//! company-owned table in `service` goes through [`find`], [`find_by_id`], [`update_many`],
//! [`delete_many`] and [`insert`] on a connection that knows its company ([`InCompany`]): the
//! filter on `company_id` and the `company_id` of a new row are written here and nowhere else
//! (an architecture test holds the rest of `service` to it). A row read through them and
//! changed with `ActiveModel::update` stays in its company (it carries its `company_id`). The
//! schema keeps a row from pointing at another company's row whatever the code does; on
//! PostgreSQL, row-level security is the second wall ([`reads`] sets the company of each
//! request's transaction, [`set_company`] that of a write).

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseExecutor, DbBackend, DbErr, DeleteMany,
    EntityTrait, ExecResult, IntoActiveModel, QueryFilter, QueryResult, Select, Statement,
    UpdateMany,
};

use crate::entity;

/// A company-owned table.
pub trait Owned: EntityTrait {
    /// Its `company_id` column.
    fn company_column() -> Self::Column;
}

/// A row to write into a company-owned table.
pub trait OwnedRow: ActiveModelTrait {
    /// Places the row in a company.
    fn place_in(&mut self, company_id: i64);
}

macro_rules! owned {
    ($($table:ident),* $(,)?) => {
        $(
            impl Owned for entity::$table::Entity {
                fn company_column() -> Self::Column {
                    entity::$table::Column::CompanyId
                }
            }

            impl OwnedRow for entity::$table::ActiveModel {
                fn place_in(&mut self, company_id: i64) {
                    self.company_id = sea_orm::ActiveValue::Set(company_id);
                }
            }
        )*
    };
}

owned!(
    activity,
    contact_event,
    activity_type,
    activity_type_name,
    contact,
    idempotency_record,
    membership,
    pending_activity,
    reminder_state,
    stage,
    stage_activity_rule,
    stage_change,
    stage_name,
    todo,
    transition,
    webhook,
    webhook_delivery,
    workflow,
);

/// A connection (the pool or a transaction) that works for one company.
pub trait InCompany: ConnectionTrait {
    /// The company.
    fn company_id(&self) -> i64;

    /// Whether statements get the company filter (always, but in one test).
    fn filtered(&self) -> bool {
        true
    }
}

mod inserts;
mod reads;

pub use inserts::{Inserted, Inserts, Key, Slot};
pub use reads::{ReadConn, Reads, begin_in_company, set_company};

/// A connection working for one company: the reads of a request or a write's transaction.
#[derive(Debug, Clone)]
pub struct CompanyDb<C> {
    company_id: i64,
    filtered: bool,
    conn: C,
}

impl<'a> CompanyDb<DatabaseExecutor<'a>> {
    /// A borrowed pool or transaction, working for company `company_id`.
    pub fn borrowing(conn: impl Into<DatabaseExecutor<'a>>, company_id: i64) -> Self {
        Self::new(conn.into(), company_id)
    }
}

impl<C> CompanyDb<C> {
    /// `conn`, working for company `company_id`.
    pub fn new(conn: C, company_id: i64) -> Self {
        Self {
            company_id,
            filtered: true,
            conn,
        }
    }

    /// The same, without the application's own company filter: only for the test that shows
    /// row-level security alone isolates the companies (new rows still get their company).
    pub fn without_company_filter(mut self) -> Self {
        self.filtered = false;
        self
    }

    /// The connection itself, for what belongs to no company (operators, companies, settings).
    pub fn unscoped(&self) -> &C {
        &self.conn
    }

    /// The same connection, now working for company `company_id`: for signing in, which
    /// learns the company from what it reads.
    pub fn switch_to(&mut self, company_id: i64) {
        self.company_id = company_id;
    }

    /// The connection, given back.
    pub fn into_inner(self) -> C {
        self.conn
    }
}

impl<C: ConnectionTrait + Send> InCompany for CompanyDb<C> {
    fn company_id(&self) -> i64 {
        self.company_id
    }

    fn filtered(&self) -> bool {
        self.filtered
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + Send> ConnectionTrait for CompanyDb<C> {
    fn get_database_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.conn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.conn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.conn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.conn.query_all_raw(stmt).await
    }
}

/// The condition "in the connection's company" on a table.
fn in_company<E: Owned>(db: &impl InCompany) -> sea_orm::Condition {
    let mut condition = sea_orm::Condition::all();
    if db.filtered() {
        condition = condition.add(E::company_column().eq(db.company_id()));
    }
    condition
}

/// The rows of `E` in the connection's company.
pub fn find<E: Owned>(db: &impl InCompany) -> Select<E> {
    E::find().filter(in_company::<E>(db))
}

/// The row of `E` with this id, if it is in the connection's company.
pub fn find_by_id<E>(db: &impl InCompany, id: i64) -> Select<E>
where
    E: Owned,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    E::find_by_id(id).filter(in_company::<E>(db))
}

/// An update of the rows of `E` in the connection's company (narrow it further with `filter`).
pub fn update_many<E: Owned>(db: &impl InCompany) -> UpdateMany<E> {
    E::update_many().filter(in_company::<E>(db))
}

/// A deletion of the rows of `E` in the connection's company (narrow it further with `filter`).
pub fn delete_many<E: Owned>(db: &impl InCompany) -> DeleteMany<E> {
    E::delete_many().filter(in_company::<E>(db))
}

/// The expression `E.company_id = the connection's company`, for hand-built statements.
pub fn company_matches<E: Owned>(db: &impl InCompany) -> Expr {
    if db.filtered() {
        Expr::col((E::default(), E::company_column())).eq(db.company_id())
    } else {
        Expr::value(true)
    }
}

/// Inserts a row into the connection's company and reads it back.
pub async fn insert<A>(
    db: &impl InCompany,
    mut row: A,
) -> Result<<A::Entity as EntityTrait>::Model, DbErr>
where
    A: OwnedRow + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    row.place_in(db.company_id());
    row.insert(db).await
}

/// Inserts rows into the connection's company, reading nothing back.
pub async fn insert_many<A>(db: &impl InCompany, rows: Vec<A>) -> Result<(), DbErr>
where
    A: OwnedRow + Send,
{
    if rows.is_empty() {
        return Ok(());
    }
    let rows = rows.into_iter().map(|row| placed(db, row));
    A::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Inserts rows into the connection's company in one statement, reading them back.
pub async fn insert_many_returning<A>(
    db: &impl InCompany,
    rows: Vec<A>,
) -> Result<Vec<<A::Entity as EntityTrait>::Model>, DbErr>
where
    A: OwnedRow + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let rows = rows.into_iter().map(|row| placed(db, row));
    A::Entity::insert_many(rows).exec_with_returning(db).await
}

/// A row placed in the connection's company, for an insert built by hand (an upsert).
pub fn placed<A: OwnedRow>(db: &impl InCompany, mut row: A) -> A {
    row.place_in(db.company_id());
    row
}

/// `ON CONFLICT` on a unique key of `E` within the company: `(company_id, columns…)`, the
/// shape every unique index of a company-owned table has.
pub fn conflict_on<E: Owned>(columns: impl IntoIterator<Item = E::Column>) -> OnConflict {
    let mut every = vec![E::company_column()];
    every.extend(columns);
    OnConflict::columns(every)
}
