//! Rule 10: idempotency keys per caller. The key is claimed first, inside the write's
//! transaction: a concurrent retry's claim waits on it (the unique index) until the first write
//! commits, then answers the first payload; if the first write rolls back, its claim goes with
//! it. The same key with another input is refused. Records are kept 48 hours at least.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::domain::limits::{IDEMPOTENCY_KEY_MAX, check_text};
use crate::domain::{Field, FieldViolation, RuleCode};
use crate::entity::idempotency_record;
use crate::service::company::{self, InCompany};
use crate::service::{ServiceError, ServiceResult};

/// How long a key is remembered at least.
pub const KEPT_FOR: Duration = Duration::hours(48);

/// The first answer kept in `record`, when the record was made for the same input as
/// `keyed`; the same key with another input is refused.
pub fn first_answer<T: serde::de::DeserializeOwned>(
    record: &idempotency_record::Model,
    keyed: &Keyed<'_>,
) -> ServiceResult<T> {
    if record.fingerprint != keyed.fingerprint {
        return Err(super::refuse(
            Field::IdempotencyKey,
            RuleCode::IdempotencyKeyReused,
            "this idempotency key was used with a different input",
        ));
    }
    serde_json::from_str(&record.response).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The fingerprint of a whole input.
pub fn fingerprint(input: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(input).unwrap_or_default();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A keyed request: who sent it, for which operation, with which key and input.
#[derive(Debug, Clone)]
pub struct Keyed<'a> {
    /// The caller.
    pub operator_id: i64,
    /// The mutation.
    pub operation: &'a str,
    /// The client's key.
    pub key: &'a str,
    /// The fingerprint of the whole input.
    pub fingerprint: String,
}

impl<'a> Keyed<'a> {
    /// The keyed form of a request to `operation` by `operator_id`, when it carries a key: the
    /// key checked (its length, no NUL) and the whole input fingerprinted — only then, so an
    /// unkeyed write hashes nothing.
    pub fn of(
        operator_id: i64,
        operation: &'a str,
        key: Option<&'a str>,
        input: &impl serde::Serialize,
    ) -> ServiceResult<Option<Self>> {
        let Some(key) = key else {
            return Ok(None);
        };
        check_text("idempotency key", key, IDEMPOTENCY_KEY_MAX)
            .map_err(|v| ServiceError::Rules(vec![FieldViolation::at(Field::IdempotencyKey, v)]))?;
        Ok(Some(Self {
            operator_id,
            operation,
            key,
            fingerprint: fingerprint(input),
        }))
    }
}

/// What claiming a key found.
pub enum Claim {
    /// The key is this write's: do the work, then [`answer`].
    Ours,
    /// The key was used before: this is its record (answer from it, or refuse another input).
    Used(idempotency_record::Model),
}

/// Claims the key for this write, or finds the record of its earlier use (waiting, on
/// PostgreSQL, for a concurrent write that claimed it to end).
pub async fn claim(
    db: &impl InCompany,
    keyed: &Keyed<'_>,
    now: DateTime<Utc>,
) -> ServiceResult<Claim> {
    let placeholder = idempotency_record::ActiveModel {
        id: NotSet,
        company_id: NotSet,
        operator_id: Set(keyed.operator_id),
        operation: Set(keyed.operation.to_owned()),
        key: Set(keyed.key.to_owned()),
        fingerprint: Set(keyed.fingerprint.clone()),
        response: Set(String::new()),
        created_at: Set(now),
    };
    let inserted = idempotency_record::Entity::insert(company::placed(db, placeholder))
        .on_conflict(
            company::conflict_on::<idempotency_record::Entity>([
                idempotency_record::Column::OperatorId,
                idempotency_record::Column::Operation,
                idempotency_record::Column::Key,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted == 1 {
        return Ok(Claim::Ours);
    }
    company::find::<idempotency_record::Entity>(db)
        .filter(idempotency_record::Column::OperatorId.eq(keyed.operator_id))
        .filter(idempotency_record::Column::Operation.eq(keyed.operation))
        .filter(idempotency_record::Column::Key.eq(keyed.key))
        .one(db)
        .await?
        .map(Claim::Used)
        .ok_or_else(|| ServiceError::Internal("a claimed idempotency key vanished".into()))
}

/// Keeps the answer to the claimed key, and forgets records older than [`KEPT_FOR`].
pub async fn answer(
    db: &impl InCompany,
    keyed: &Keyed<'_>,
    response: String,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    company::update_many::<idempotency_record::Entity>(db)
        .col_expr(idempotency_record::Column::Response, Expr::val(response))
        .filter(idempotency_record::Column::OperatorId.eq(keyed.operator_id))
        .filter(idempotency_record::Column::Operation.eq(keyed.operation))
        .filter(idempotency_record::Column::Key.eq(keyed.key))
        .exec(db)
        .await?;
    company::delete_many::<idempotency_record::Entity>(db)
        .filter(idempotency_record::Column::CreatedAt.lt(now - KEPT_FOR))
        .exec(db)
        .await?;
    Ok(())
}
