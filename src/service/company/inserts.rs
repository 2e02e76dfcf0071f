//! Rows added together, later ones naming the ids of earlier ones (a pending activity's to-do
//! names the pending activity; every row of a new contact names the contact). On PostgreSQL
//! they go in one statement, a `WITH` of `INSERT … RETURNING id` parts, so a save costs one
//! round trip for all its rows instead of one each; elsewhere (SQLite, in process, where a
//! statement costs no round trip and `WITH` cannot insert) one `INSERT` each, in order.
//!
//! Every row is placed in the connection's company, like [`super::insert`]. The rows come back
//! as their models: what was inserted, with the new ids.

use std::any::Any;
use std::marker::PhantomData;

use sea_orm::{
    DbBackend, DbErr, EntityName, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn, Statement,
    TryIntoModel, Value,
};

use super::{InCompany, OwnedRow};

/// A row's new id, before the rows are inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRef(usize);

/// An id a new row names: of a row that exists, or of one added before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// The id of an existing row.
    Known(i64),
    /// The id of a row of the same [`Inserts`].
    New(RowRef),
}

/// One added row, to be read back as model `M`.
#[derive(Debug)]
pub struct Slot<M> {
    row: RowRef,
    model: PhantomData<fn() -> M>,
}

impl<M> Clone for Slot<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Slot<M> {}

impl<M> Slot<M> {
    /// The row's id, for the rows added after it.
    pub fn key(self) -> Key {
        Key::New(self.row)
    }
}

enum Cell {
    Value(Value),
    IdOf(usize),
}

type Finish = Box<dyn FnOnce(i64, &[i64]) -> Result<Box<dyn Any + Send>, DbErr> + Send + Sync>;

struct Planned {
    table: &'static str,
    id_column: &'static str,
    cells: Vec<(&'static str, Cell)>,
    /// Reads the row back as its model; none for a row whose model nobody reads (an outbox
    /// row), which SQLite then inserts with the others of its table in one statement.
    finish: Option<Finish>,
}

/// Rows to insert together.
#[derive(Default)]
pub struct Inserts {
    rows: Vec<Planned>,
}

/// The inserted rows, as models.
pub struct Inserted {
    models: Vec<Option<Box<dyn Any + Send>>>,
}

impl Inserts {
    /// Adds a row; each of `links` sets a column to the id it names.
    pub fn add<A>(
        &mut self,
        db: &impl InCompany,
        row: A,
        links: &[(<A::Entity as EntityTrait>::Column, Key)],
    ) -> Slot<<A::Entity as EntityTrait>::Model>
    where
        A: OwnedRow + TryIntoModel<<A::Entity as EntityTrait>::Model> + Send + Sync + 'static,
        <A::Entity as EntityTrait>::Model: Send + 'static,
    {
        self.plan(db, row, links, true)
    }

    /// Adds a row whose model is not read back and whose id no later row names (an outbox
    /// row); each of `links` sets a column to the id it names.
    pub fn add_unread<A>(
        &mut self,
        db: &impl InCompany,
        row: A,
        links: &[(<A::Entity as EntityTrait>::Column, Key)],
    ) where
        A: OwnedRow + TryIntoModel<<A::Entity as EntityTrait>::Model> + Send + Sync + 'static,
        <A::Entity as EntityTrait>::Model: Send + 'static,
    {
        self.plan(db, row, links, false);
    }

    fn plan<A>(
        &mut self,
        db: &impl InCompany,
        mut row: A,
        links: &[(<A::Entity as EntityTrait>::Column, Key)],
        read_back: bool,
    ) -> Slot<<A::Entity as EntityTrait>::Model>
    where
        A: OwnedRow + TryIntoModel<<A::Entity as EntityTrait>::Model> + Send + Sync + 'static,
        <A::Entity as EntityTrait>::Model: Send + 'static,
    {
        row.place_in(db.company_id());
        let id_column = <A::Entity as EntityTrait>::PrimaryKey::iter()
            .next()
            .map(PrimaryKeyToColumn::into_column)
            .expect("every table has a primary key");
        let mut new_links = Vec::new();
        for &(column, key) in links {
            match key {
                Key::Known(id) => row.set(column, id.into()),
                Key::New(RowRef(index)) => {
                    assert!(index < self.rows.len(), "a row names one added before it");
                    assert!(
                        self.rows[index].finish.is_some(),
                        "no row names an unread one"
                    );
                    new_links.push((column, index));
                }
            }
        }
        let cells = <A::Entity as EntityTrait>::Column::iter()
            .filter(|column| column.as_str() != id_column.as_str())
            .filter_map(|column| {
                let linked = new_links
                    .iter()
                    .find(|(c, _)| c.as_str() == column.as_str());
                let cell = match linked {
                    Some(&(_, index)) => Cell::IdOf(index),
                    None => Cell::Value(row.get(column).into_value()?),
                };
                Some((column.as_str(), cell))
            })
            .collect();
        let finish: Finish = Box::new(move |id, ids| {
            let mut row = row;
            row.set(id_column, id.into());
            for (column, index) in new_links {
                row.set(column, ids[index].into());
            }
            Ok(Box::new(row.try_into_model()?) as Box<dyn Any + Send>)
        });
        self.rows.push(Planned {
            table: A::Entity::default().table_name(),
            id_column: id_column.as_str(),
            cells,
            finish: read_back.then_some(finish),
        });
        Slot {
            row: RowRef(self.rows.len() - 1),
            model: PhantomData,
        }
    }

    /// Inserts the rows: one statement on PostgreSQL; elsewhere one per row read back, then
    /// one per table for the unread ones.
    pub async fn run(self, db: &impl InCompany) -> Result<Inserted, DbErr> {
        if self.rows.is_empty() {
            return Ok(Inserted { models: Vec::new() });
        }
        let backend = db.get_database_backend();
        let ids = if backend == DbBackend::Postgres {
            let statement = together(&self.rows);
            let found = db
                .query_one_raw(statement)
                .await?
                .ok_or_else(|| DbErr::RecordNotInserted)?;
            (0..self.rows.len())
                .map(|index| found.try_get_by_index::<i64>(index))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            let mut ids = Vec::with_capacity(self.rows.len());
            for planned in &self.rows {
                if planned.finish.is_none() {
                    ids.push(0);
                    continue;
                }
                let statement = one(backend, planned, &ids);
                let found = db
                    .query_one_raw(statement)
                    .await?
                    .ok_or_else(|| DbErr::RecordNotInserted)?;
                ids.push(found.try_get_by_index::<i64>(0)?);
            }
            for statement in unread_together(backend, &self.rows, &ids) {
                db.execute_raw(statement).await?;
            }
            ids
        };
        let models = self
            .rows
            .into_iter()
            .zip(&ids)
            .map(|(planned, &id)| match planned.finish {
                Some(finish) => finish(id, &ids).map(Some),
                None => Ok(None),
            })
            .collect::<Result<_, _>>()?;
        Ok(Inserted { models })
    }
}

impl Inserted {
    /// The model of an inserted row; each is taken once.
    pub fn take<M: 'static>(&mut self, slot: Slot<M>) -> M {
        let model = self.models[slot.row.0]
            .take()
            .expect("each row is taken once");
        *model
            .downcast::<M>()
            .expect("a slot names a model of its own type")
    }
}

/// `"name"`: the names are the entities' own, never a client's.
fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

fn columns(planned: &Planned) -> String {
    let names: Vec<String> = planned.cells.iter().map(|(name, _)| quoted(name)).collect();
    names.join(", ")
}

/// A row's values, its links resolved to `ids`.
fn values_of(planned: &Planned, ids: &[i64]) -> Vec<Value> {
    planned
        .cells
        .iter()
        .map(|(_, cell)| match cell {
            Cell::Value(value) => value.clone(),
            Cell::IdOf(index) => ids[*index].into(),
        })
        .collect()
}

/// The unread rows, one multi-row `INSERT` per table and set of columns, in the order they
/// were added (SQLite numbers the rows of one `INSERT` in that order).
fn unread_together(backend: DbBackend, rows: &[Planned], ids: &[i64]) -> Vec<Statement> {
    let mut groups: Vec<(&'static str, String, Vec<&Planned>)> = Vec::new();
    for planned in rows.iter().filter(|planned| planned.finish.is_none()) {
        let columns = columns(planned);
        match groups
            .iter_mut()
            .find(|(table, names, _)| *table == planned.table && *names == columns)
        {
            Some((_, _, members)) => members.push(planned),
            None => groups.push((planned.table, columns, vec![planned])),
        }
    }
    groups
        .into_iter()
        .map(|(table, columns, members)| {
            let mut values = Vec::new();
            let mut tuples = Vec::with_capacity(members.len());
            for planned in members {
                let row = values_of(planned, ids);
                tuples.push(format!("({})", vec!["?"; row.len()].join(", ")));
                values.extend(row);
            }
            let sql = format!(
                "INSERT INTO {} ({columns}) VALUES {}",
                quoted(table),
                tuples.join(", ")
            );
            Statement::from_sql_and_values(backend, sql, values)
        })
        .collect()
}

/// One row's `INSERT … RETURNING id` with `?` placeholders, its links resolved to `ids`.
fn one(backend: DbBackend, planned: &Planned, ids: &[i64]) -> Statement {
    let values = values_of(planned, ids);
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) RETURNING {}",
        quoted(planned.table),
        columns(planned),
        vec!["?"; values.len()].join(", "),
        quoted(planned.id_column),
    );
    Statement::from_sql_and_values(backend, sql, values)
}

/// Every row in one PostgreSQL statement: part `rN` inserts row N and returns its id, which
/// later parts read with `(SELECT id FROM rN)`; the statement answers every id in one row.
fn together(rows: &[Planned]) -> Statement {
    let mut values = Vec::new();
    let mut parts = Vec::with_capacity(rows.len());
    for (index, planned) in rows.iter().enumerate() {
        let mut cells = Vec::with_capacity(planned.cells.len());
        for (_, cell) in &planned.cells {
            cells.push(match cell {
                Cell::Value(value) => {
                    values.push(value.clone());
                    format!("${}", values.len())
                }
                Cell::IdOf(earlier) => {
                    format!(
                        "(SELECT {} FROM r{earlier})",
                        quoted(rows[*earlier].id_column)
                    )
                }
            });
        }
        parts.push(format!(
            "r{index} AS (INSERT INTO {} ({}) VALUES ({}) RETURNING {})",
            quoted(planned.table),
            columns(planned),
            cells.join(", "),
            quoted(planned.id_column),
        ));
    }
    // Every part is answered, in order: PostgreSQL runs the parts a query reads as it reads
    // them, so the rows get their ids in the order they were added (an unread part would run
    // last, after every read one).
    let answers: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(index, planned)| format!("(SELECT {} FROM r{index})", quoted(planned.id_column)))
        .collect();
    let sql = format!("WITH {} SELECT {}", parts.join(", "), answers.join(", "));
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(table: &'static str, cells: Vec<(&'static str, Cell)>) -> Planned {
        Planned {
            table,
            id_column: "id",
            cells,
            finish: Some(Box::new(|_, _| Ok(Box::new(()) as Box<dyn Any + Send>))),
        }
    }

    fn rows() -> Vec<Planned> {
        vec![
            planned(
                "contacts",
                vec![
                    ("company_id", Cell::Value(7i64.into())),
                    ("name", Cell::Value("Ada".into())),
                ],
            ),
            planned(
                "pending_activities",
                vec![
                    ("company_id", Cell::Value(7i64.into())),
                    ("contact_id", Cell::IdOf(0)),
                ],
            ),
            planned(
                "todos",
                vec![
                    ("contact_id", Cell::IdOf(0)),
                    ("pending_activity_id", Cell::IdOf(1)),
                    ("title", Cell::Value("Call: Ada".into())),
                ],
            ),
        ]
    }

    #[test]
    fn postgres_gets_every_row_in_one_statement_that_names_the_earlier_ids() {
        let statement = together(&rows());
        assert_eq!(
            statement.sql,
            "WITH r0 AS (INSERT INTO \"contacts\" (\"company_id\", \"name\") VALUES ($1, $2) RETURNING \"id\"), \
             r1 AS (INSERT INTO \"pending_activities\" (\"company_id\", \"contact_id\") VALUES ($3, (SELECT \"id\" FROM r0)) RETURNING \"id\"), \
             r2 AS (INSERT INTO \"todos\" (\"contact_id\", \"pending_activity_id\", \"title\") VALUES ((SELECT \"id\" FROM r0), (SELECT \"id\" FROM r1), $4) RETURNING \"id\") \
             SELECT (SELECT \"id\" FROM r0), (SELECT \"id\" FROM r1), (SELECT \"id\" FROM r2)"
        );
        let values = statement.values.expect("values").0;
        assert_eq!(
            values,
            vec![
                Value::from(7i64),
                Value::from("Ada"),
                Value::from(7i64),
                Value::from("Call: Ada")
            ]
        );
    }

    #[test]
    fn elsewhere_each_row_is_its_own_insert_with_the_ids_already_known() {
        let rows = rows();
        let statement = one(DbBackend::Sqlite, &rows[2], &[41, 42]);
        assert_eq!(
            statement.sql,
            "INSERT INTO \"todos\" (\"contact_id\", \"pending_activity_id\", \"title\") VALUES (?, ?, ?) RETURNING \"id\""
        );
        let values = statement.values.expect("values").0;
        assert_eq!(
            values,
            vec![
                Value::from(41i64),
                Value::from(42i64),
                Value::from("Call: Ada")
            ]
        );
    }
}
