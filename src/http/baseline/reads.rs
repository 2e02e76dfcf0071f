//! The hand-written reads: a contact by id and a page of contacts, with the caller checked.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sea_orm::sqlx::{self, Column, Row};
use sea_orm::{DatabaseConnection, DbBackend};
use serde_json::{Map, Value, json};

use crate::http::state::HttpState;

/// Decodes a row's columns (integers, text, times) into a JSON object.
macro_rules! row_json {
    ($row:expr) => {{
        let row = $row;
        let mut object = Map::new();
        for (index, column) in row.columns().iter().enumerate() {
            let value = if let Ok(number) = row.try_get::<Option<i64>, _>(index) {
                json!(number)
            } else if let Ok(time) = row.try_get::<Option<chrono::DateTime<chrono::Utc>>, _>(index)
            {
                json!(time.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()))
            } else if let Ok(text) = row.try_get::<Option<String>, _>(index) {
                json!(text)
            } else {
                Value::Null
            };
            object.insert(column.name().to_owned(), value);
        }
        object
    }};
}

/// Where one request's hand-written SQL runs, for one company: on PostgreSQL a transaction with
/// the company set (row-level security), as the GraphQL path reads; on SQLite the pool.
enum Scoped {
    Postgres(tokio::sync::Mutex<sqlx::Transaction<'static, sqlx::Postgres>>),
    Sqlite(sqlx::SqlitePool),
}

/// A PostgreSQL transaction set to `company` (row-level security), as the GraphQL path works.
pub(super) async fn company_transaction(
    db: &DatabaseConnection,
    company: i64,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    let mut txn = db.get_postgres_connection_pool().begin().await?;
    sqlx::query("SELECT set_config('contactflow.company_id', $1, true)")
        .bind(company.to_string())
        .execute(&mut *txn)
        .await?;
    Ok(txn)
}

impl Scoped {
    async fn begin(db: &DatabaseConnection, company: i64) -> Result<Self, sqlx::Error> {
        match db.get_database_backend() {
            DbBackend::Postgres => Ok(Self::Postgres(tokio::sync::Mutex::new(
                company_transaction(db, company).await?,
            ))),
            _ => Ok(Self::Sqlite(db.get_sqlite_connection_pool().clone())),
        }
    }
}

/// Runs hand-written SQL (`?` placeholders, each bound to an integer).
async fn rows(
    db: &Scoped,
    sql: &str,
    binds: &[i64],
) -> Result<Vec<Map<String, Value>>, sqlx::Error> {
    match db {
        Scoped::Postgres(txn) => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(numbered(sql)));
            for bind in binds {
                query = query.bind(*bind);
            }
            let mut txn = txn.lock().await;
            let found = query.fetch_all(&mut **txn).await?;
            Ok(found.iter().map(|row| row_json!(row)).collect())
        }
        Scoped::Sqlite(pool) => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
            for bind in binds {
                query = query.bind(*bind);
            }
            let found = query.fetch_all(pool).await?;
            Ok(found.iter().map(|row| row_json!(row)).collect())
        }
    }
}

pub(super) use crate::db::numbered;

fn placeholders(count: usize) -> String {
    vec!["?"; count.max(1)].join(", ")
}

pub(super) fn failed(error: impl std::fmt::Display) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
}

/// The company and operator of the request's bearer token, if it is valid.
pub(super) fn session(state: &HttpState, headers: &HeaderMap) -> Option<(i64, i64)> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(crate::http::bearer::bearer_token)?;
    let verified = state.app.keys.verify_session(&token)?;
    Some((verified.company_id, verified.operator_id))
}

/// The caller's token checked and its membership of the token's company read, as the GraphQL
/// path does; where the request's SQL runs, in that company.
async fn caller(state: &HttpState, headers: &HeaderMap) -> Result<(Scoped, i64), Response> {
    let Some((company, operator)) = session(state, headers) else {
        return Err(StatusCode::UNAUTHORIZED.into_response());
    };
    let db = Scoped::begin(state.app.db(), company)
        .await
        .map_err(failed)?;
    let found = rows(
        &db,
        "SELECT o.id, o.login, m.role, m.active FROM memberships m JOIN operators o ON o.id = m.operator_id WHERE m.company_id = ? AND m.operator_id = ? AND m.active",
        &[company, operator],
    )
    .await
    .map_err(failed)?;
    if found.is_empty() {
        return Err(StatusCode::UNAUTHORIZED.into_response());
    }
    Ok((db, company))
}

/// Rows by id, keyed by id.
async fn by_ids(
    db: &Scoped,
    sql_head: &str,
    company: i64,
    ids: &HashSet<i64>,
) -> Result<HashMap<i64, Map<String, Value>>, Response> {
    let mut binds = vec![company];
    binds.extend(ids.iter().copied());
    let sql = format!("{sql_head} AND id IN ({})", placeholders(ids.len()));
    let found = rows(db, &sql, &binds).await.map_err(failed)?;
    Ok(found
        .into_iter()
        .filter_map(|row| Some((row.get("id")?.as_i64()?, row)))
        .collect())
}

/// `GET /baseline/contact/{id}`: one contact with its stage and owner.
pub(super) async fn contact(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (db, company) = match caller(&state, &headers).await {
        Ok(scoped) => scoped,
        Err(refused) => return refused,
    };
    let db = &db;
    let found = match rows(
        db,
        "SELECT id, name, version, stage_id, owner_id FROM contacts WHERE company_id = ? AND id = ?",
        &[company, id],
    )
    .await
    {
        Ok(found) => found,
        Err(error) => return failed(error),
    };
    let Some(mut contact) = found.into_iter().next() else {
        return Json(json!({ "data": { "contact": null } })).into_response();
    };
    let stage_id = contact
        .get("stage_id")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    let owner_id = contact
        .get("owner_id")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    let (stage_key, owner_key) = ([company, stage_id], [company, owner_id]);
    let (stage, owner) = tokio::join!(
        rows(
            db,
            "SELECT id, code, name FROM stages WHERE company_id = ? AND id = ?",
            &stage_key
        ),
        rows(
            db,
            "SELECT o.id, o.login, o.display_name FROM memberships m JOIN operators o ON o.id = m.operator_id WHERE m.company_id = ? AND m.operator_id = ?",
            &owner_key
        ),
    );
    let (Ok(stage), Ok(owner)) = (stage, owner) else {
        return failed("lookup failed");
    };
    contact.insert(
        "stage".into(),
        stage.into_iter().next().map_or(Value::Null, Value::Object),
    );
    contact.insert(
        "owner".into(),
        owner.into_iter().next().map_or(Value::Null, Value::Object),
    );
    Json(json!({ "data": { "contact": contact } })).into_response()
}

/// `GET /baseline/contacts?first=N`: a page of contacts (most recently updated first) with
/// stage, owner, open pending activities with type and assignee (joined) and last activity, in
/// six statements.
pub(super) async fn contacts(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, i64>>,
) -> Response {
    let (db, company) = match caller(&state, &headers).await {
        Ok(scoped) => scoped,
        Err(refused) => return refused,
    };
    let db = &db;
    let first = params.get("first").copied().unwrap_or(20).clamp(0, 100);
    let page = match rows(db, "SELECT id, name, version, stage_id, owner_id FROM contacts WHERE company_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?", &[company, first + 1]).await {
        Ok(page) => page,
        Err(error) => return failed(error),
    };
    let page: Vec<_> = page.into_iter().take(first as usize).collect();
    let ids: Vec<i64> = page.iter().filter_map(|c| c.get("id")?.as_i64()).collect();
    let stage_ids: HashSet<i64> = page
        .iter()
        .filter_map(|c| c.get("stage_id")?.as_i64())
        .collect();
    let owner_ids: HashSet<i64> = page
        .iter()
        .filter_map(|c| c.get("owner_id")?.as_i64())
        .collect();
    let list = placeholders(ids.len());
    let pending_sql = format!(
        "SELECT p.id, p.contact_id, p.due_at, t.id AS type_id, t.code AS type_code, t.name AS type_name, o.id AS assignee_id, o.login AS assignee_login, o.display_name AS assignee_display_name FROM pending_activities p JOIN activity_types t ON t.company_id = p.company_id AND t.id = p.activity_type_id JOIN operators o ON o.id = p.assignee_id WHERE p.company_id = ? AND p.contact_id IN ({list}) AND p.status = 'OPEN' ORDER BY p.due_at IS NULL, p.due_at, p.id"
    );
    let last_sql = format!(
        "SELECT id, contact_id, performed_at FROM activities WHERE company_id = ? AND contact_id IN ({list}) AND activities.id = (SELECT newest.id FROM activities AS newest WHERE newest.company_id = activities.company_id AND newest.contact_id = activities.contact_id ORDER BY newest.performed_at DESC, newest.id DESC LIMIT 1)"
    );
    let mut scoped_ids = vec![company];
    scoped_ids.extend(ids.iter().copied());
    let (stages, owners, pending, last) = tokio::join!(
        by_ids(
            db,
            "SELECT id, code, name FROM stages WHERE company_id = ?",
            company,
            &stage_ids
        ),
        by_ids(
            db,
            "SELECT id, login, display_name FROM operators WHERE id IN (SELECT operator_id FROM memberships WHERE company_id = ?)",
            company,
            &owner_ids
        ),
        rows(db, &pending_sql, &scoped_ids),
        rows(db, &last_sql, &scoped_ids),
    );
    let (Ok(stages), Ok(owners), Ok(pending), Ok(last)) = (stages, owners, pending, last) else {
        return failed("lookup failed");
    };
    let mut pending_of: HashMap<i64, Vec<Value>> = HashMap::new();
    for mut row in pending {
        let contact_id = row
            .get("contact_id")
            .and_then(Value::as_i64)
            .unwrap_or_default();
        // The joined type and assignee, as objects of their own.
        for (prefix, columns) in [
            ("type", ["id", "code", "name"]),
            ("assignee", ["id", "login", "display_name"]),
        ] {
            let nested: Map<String, Value> = columns
                .iter()
                .filter_map(|c| Some((c.to_string(), row.remove(&format!("{prefix}_{c}"))?)))
                .collect();
            row.insert(prefix.to_owned(), Value::Object(nested));
        }
        pending_of
            .entry(contact_id)
            .or_default()
            .push(Value::Object(row));
    }
    let mut last_of: HashMap<i64, Value> = last
        .into_iter()
        .filter_map(|row| Some((row.get("contact_id")?.as_i64()?, Value::Object(row))))
        .collect();
    let edges: Vec<Value> = page
        .into_iter()
        .map(|mut contact| {
            let id = contact
                .get("id")
                .and_then(Value::as_i64)
                .unwrap_or_default();
            let stage = contact
                .get("stage_id")
                .and_then(Value::as_i64)
                .and_then(|s| stages.get(&s).cloned());
            let owner = contact
                .get("owner_id")
                .and_then(Value::as_i64)
                .and_then(|o| owners.get(&o).cloned());
            contact.insert("stage".into(), stage.map_or(Value::Null, Value::Object));
            contact.insert("owner".into(), owner.map_or(Value::Null, Value::Object));
            contact.insert(
                "pendingActivities".into(),
                Value::Array(pending_of.remove(&id).unwrap_or_default()),
            );
            contact.insert(
                "lastActivity".into(),
                last_of.remove(&id).unwrap_or(Value::Null),
            );
            json!({ "node": contact })
        })
        .collect();
    Json(json!({ "data": { "contacts": { "edges": edges } } })).into_response()
}
