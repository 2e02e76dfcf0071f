//! `POST /baseline/save`: the hand-written save the benchmark compares `saveContact` with.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sea_orm::DbBackend;
use sea_orm::sqlx;
use serde_json::json;

use super::reads::{company_transaction, failed, numbered, session};
use crate::http::state::HttpState;

/// What `POST /baseline/save` writes: a new contact with a done activity and a pending one
/// with a to-do, as the benchmark's `saveContact` does (types by global id).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NewContact {
    name: String,
    activity_type_id: String,
    pending_type_id: String,
    due_at: chrono::DateTime<chrono::Utc>,
    reminder_starts_at: chrono::DateTime<chrono::Utc>,
}

const NEW_CONTACT: &str = "INSERT INTO contacts (company_id, version, name, workflow_id, stage_id, stage_entered_at, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?) RETURNING id";
const NEW_STAGE_CHANGE: &str = "INSERT INTO stage_changes (company_id, contact_id, to_stage_id, operator_id, changed_at) VALUES (?, ?, ?, ?, ?) RETURNING id";
const NEW_ACTIVITY: &str = "INSERT INTO activities (company_id, contact_id, activity_type_id, stage_id, operator_id, description, performed_at, created_at) VALUES (?, ?, ?, ?, ?, 'call', ?, ?) RETURNING id";
const NEW_PENDING: &str = "INSERT INTO pending_activities (company_id, contact_id, activity_type_id, description, pending_since, due_at, assignee_id, reminder_starts_at, reminder_ends_at, create_todo, status, created_by_id, created_at, updated_at) VALUES (?, ?, ?, 'follow up', ?, ?, ?, ?, ?, TRUE, 'OPEN', ?, ?, ?) RETURNING id";
const NEW_TODO: &str = "INSERT INTO todos (company_id, operator_id, title, description, activity_type_id, contact_id, pending_activity_id, due_at, status, created_at, updated_at) VALUES (?, ?, ?, 'follow up', ?, ?, ?, ?, 'OPEN', ?, ?) RETURNING id";
const MEMBER: &str =
    "SELECT operator_id FROM memberships WHERE company_id = ? AND operator_id = ? AND active";
const DEFAULT_START: &str = "SELECT w.id, s.id FROM workflows w JOIN stages s ON s.company_id = w.company_id AND s.workflow_id = w.id AND s.is_initial WHERE w.company_id = ? AND w.is_default";

/// The rows of one save, in the transaction `$txn` of database `$db`; the new ids.
macro_rules! save_rows {
    ($txn:expr, $sql:expr, $company:expr, $operator:expr, $input:expr, $types:expr) => {{
        let (company, operator, input, (call, follow_up)) = ($company, $operator, $input, $types);
        let now = chrono::Utc::now();
        let _: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe($sql(MEMBER)))
            .bind(company)
            .bind(operator)
            .fetch_one(&mut *$txn)
            .await?;
        let (workflow, stage): (i64, i64) =
            sqlx::query_as(sqlx::AssertSqlSafe($sql(DEFAULT_START)))
                .bind(company)
                .fetch_one(&mut *$txn)
                .await?;
        let contact: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe($sql(NEW_CONTACT)))
            .bind(company)
            .bind(&input.name)
            .bind(workflow)
            .bind(stage)
            .bind(now)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *$txn)
            .await?;
        let _: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe($sql(NEW_STAGE_CHANGE)))
            .bind(company)
            .bind(contact)
            .bind(stage)
            .bind(operator)
            .bind(now)
            .fetch_one(&mut *$txn)
            .await?;
        let _: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe($sql(NEW_ACTIVITY)))
            .bind(company)
            .bind(contact)
            .bind(call)
            .bind(stage)
            .bind(operator)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *$txn)
            .await?;
        let pending: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe($sql(NEW_PENDING)))
            .bind(company)
            .bind(contact)
            .bind(follow_up)
            .bind(now)
            .bind(input.due_at)
            .bind(operator)
            .bind(input.reminder_starts_at)
            .bind(input.due_at)
            .bind(operator)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *$txn)
            .await?;
        let todo: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe($sql(NEW_TODO)))
            .bind(company)
            .bind(operator)
            .bind(format!("Follow-up: {}", input.name))
            .bind(follow_up)
            .bind(contact)
            .bind(pending)
            .bind(input.due_at)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *$txn)
            .await?;
        (contact, pending, todo)
    }};
}

/// `POST /baseline/save`: the rows of a `saveContact` with an activity, a pending activity and
/// a to-do, written by hand in one transaction that also reads the caller's membership and the
/// default workflow's first stage (the GraphQL path has both in memory); on SQLite one writer
/// of this process at a time.
pub(super) async fn save(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Json(input): Json<NewContact>,
) -> Response {
    let Some((company, operator)) = session(&state, &headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let kind = crate::graphql::ids::kind::ACTIVITY_TYPE;
    let types = match (
        crate::graphql::ids::decode(&input.activity_type_id, kind),
        crate::graphql::ids::decode(&input.pending_type_id, kind),
    ) {
        (Some(call), Some(follow_up)) => (call, follow_up),
        _ => return StatusCode::BAD_REQUEST.into_response(),
    };
    let db = state.app.db();
    let saved: Result<(i64, i64, i64), sqlx::Error> = async {
        match db.get_database_backend() {
            DbBackend::Postgres => {
                let mut txn = company_transaction(db, company).await?;
                let ids = save_rows!(txn, numbered, company, operator, &input, types);
                txn.commit().await?;
                Ok(ids)
            }
            _ => {
                static WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
                let _writer = WRITER.lock().await;
                let pool = db.get_sqlite_connection_pool();
                let mut txn = pool.begin_with("BEGIN IMMEDIATE").await?;
                let ids = save_rows!(txn, str::to_owned, company, operator, &input, types);
                txn.commit().await?;
                Ok(ids)
            }
        }
    }
    .await;
    match saved {
        Ok((contact, pending, todo)) => Json(json!({ "data": { "saveContact": {
            "contact": { "id": contact, "version": 1 },
            "pendingActivity": { "id": pending },
            "todo": { "id": todo },
            "userErrors": [],
        } } }))
        .into_response(),
        Err(error) => failed(error),
    }
}
