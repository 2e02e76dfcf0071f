//! SQLite cannot add a foreign key to a table: each table is rebuilt. Every old table is renamed
//! out of the way first (SQLite points the old references at the renamed tables), the new ones
//! are created and filled parents first, and the old ones dropped children first, all in one
//! transaction with foreign keys enforced throughout.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::shape::{OWNED, create_index};
use super::{membership_indexes, memberships, memberships_from};

/// The columns of a table as SQLite declares them.
struct Column {
    name: String,
    declared: String,
    not_null: bool,
    default: Option<String>,
    primary_key: bool,
}

async fn columns(db: &impl ConnectionTrait, table: &str) -> Result<Vec<Column>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("PRAGMA table_info(\"{table}\")"),
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Column {
                name: row.try_get("", "name")?,
                declared: row.try_get("", "type")?,
                not_null: row.try_get::<i64>("", "notnull")? != 0,
                default: row.try_get("", "dflt_value")?,
                primary_key: row.try_get::<i64>("", "pk")? != 0,
            })
        })
        .collect()
}

fn definition(column: &Column) -> String {
    if column.primary_key {
        return format!(
            "\"{}\" integer NOT NULL PRIMARY KEY AUTOINCREMENT",
            column.name
        );
    }
    let mut sql = format!("\"{}\" {}", column.name, column.declared);
    if column.not_null {
        sql.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default {
        sql.push_str(" DEFAULT ");
        sql.push_str(default);
    }
    sql
}

/// Rebuilds `table` from `old` without the columns in `dropped`, with `extra` column and
/// constraint definitions, copying every row (`company` in `company_id` when asked).
async fn rebuild(
    db: &impl ConnectionTrait,
    table: &str,
    dropped: &[&str],
    extra: &[String],
    company: Option<i64>,
) -> Result<(), DbErr> {
    let old = format!("{table}__old");
    db.execute_unprepared(&format!("ALTER TABLE \"{table}\" RENAME TO \"{old}\""))
        .await?;
    let kept: Vec<Column> = columns(db, &old)
        .await?
        .into_iter()
        .filter(|column| !dropped.contains(&column.name.as_str()))
        .collect();
    let mut parts: Vec<String> = kept.iter().map(definition).collect();
    parts.extend_from_slice(extra);
    db.execute_unprepared(&format!("CREATE TABLE \"{table}\" ({})", parts.join(", ")))
        .await?;
    let names: Vec<String> = kept.iter().map(|c| format!("\"{}\"", c.name)).collect();
    let (into, from) = match company {
        Some(id) => (
            format!("{}, \"company_id\"", names.join(", ")),
            format!("{}, {id}", names.join(", ")),
        ),
        None => (names.join(", "), names.join(", ")),
    };
    db.execute_unprepared(&format!(
        "INSERT INTO \"{table}\" ({into}) SELECT {from} FROM \"{old}\""
    ))
    .await?;
    Ok(())
}

/// Moves every row into company `company` (0: the database is empty).
pub(super) async fn move_in(db: &impl ConnectionTrait, company: i64) -> Result<(), DbErr> {
    // Operators lose their role and activity to memberships; the old table stays until the end,
    // so the rows that point at it keep pointing at something.
    rebuild(db, "operators", &["role", "active"], &[], None).await?;
    db.execute(&memberships()).await?;
    for statement in membership_indexes() {
        db.execute(&statement).await?;
    }
    db.execute_unprepared(&memberships_from("operators__old", company))
        .await?;
    for owned in OWNED {
        let mut extra = vec![
            "\"company_id\" bigint NOT NULL".to_owned(),
            "FOREIGN KEY (\"company_id\") REFERENCES \"companies\" (\"id\") ON DELETE RESTRICT"
                .to_owned(),
        ];
        extra.extend(owned.references.iter().map(|r| r.constraint()));
        rebuild(db, owned.table, &[], &extra, Some(company)).await?;
        // The key the tables after it point at, before they are filled.
        db.execute_unprepared(&create_index(owned.table, &["company_id", "id"], true))
            .await?;
    }
    for owned in OWNED.iter().rev() {
        db.execute_unprepared(&format!("DROP TABLE \"{}__old\"", owned.table))
            .await?;
    }
    db.execute_unprepared("DROP TABLE \"operators__old\"")
        .await?;
    for owned in OWNED {
        for (columns, unique) in owned.all_indexes().into_iter().skip(1) {
            db.execute_unprepared(&create_index(owned.table, &columns, unique))
                .await?;
        }
    }
    db.execute_unprepared(&create_index("operators", &["login"], true))
        .await?;
    let broken = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA foreign_key_check",
        ))
        .await?;
    if broken.is_empty() {
        Ok(())
    } else {
        Err(DbErr::Migration(format!(
            "{} row(s) point at rows that are not there",
            broken.len()
        )))
    }
}
