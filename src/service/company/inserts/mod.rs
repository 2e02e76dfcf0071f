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
    DbBackend, DbErr, EntityName, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn,
    TryIntoModel, Value,
};

use super::{InCompany, OwnedRow};

mod sql;

use sql::{one, together, unread_together};

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

/// One column's value: given, or the id of a row added before.
enum Cell {
    Value(Value),
    IdOf(usize),
}

type Finish = Box<dyn FnOnce(i64, &[i64]) -> Result<Box<dyn Any + Send>, DbErr> + Send + Sync>;

/// A row to insert.
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
