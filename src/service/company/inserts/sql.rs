//! The statements of [`super::Inserts`]: PostgreSQL's one `WITH`, SQLite's `INSERT`s.

use sea_orm::{DbBackend, Statement, Value};

use super::{Cell, Planned};

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
pub(super) fn unread_together(backend: DbBackend, rows: &[Planned], ids: &[i64]) -> Vec<Statement> {
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
pub(super) fn one(backend: DbBackend, planned: &Planned, ids: &[i64]) -> Statement {
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
pub(super) fn together(rows: &[Planned]) -> Statement {
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
    use std::any::Any;

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
