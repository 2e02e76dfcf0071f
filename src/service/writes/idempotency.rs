//! Rule 10: idempotency keys per caller. A retry with the same input gets the first answer and
//! writes nothing; the same key with another input is refused. Records are kept 24 hours at least.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::entity::idempotency_record;
use crate::service::ServiceResult;

/// How long a key is remembered at least.
pub const KEPT_FOR: Duration = Duration::hours(48);

/// The fingerprint of a whole input.
pub fn fingerprint(input: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(input).unwrap_or_default();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The record of an earlier use of `key` by this operator for this operation.
pub async fn find(
    db: &impl ConnectionTrait,
    operator_id: i64,
    operation: &str,
    key: &str,
) -> ServiceResult<Option<idempotency_record::Model>> {
    Ok(idempotency_record::Entity::find()
        .filter(idempotency_record::Column::OperatorId.eq(operator_id))
        .filter(idempotency_record::Column::Operation.eq(operation))
        .filter(idempotency_record::Column::Key.eq(key))
        .one(db)
        .await?)
}

/// Remembers the answer to a keyed request, and forgets records older than [`KEPT_FOR`].
pub async fn remember(
    db: &impl ConnectionTrait,
    operator_id: i64,
    operation: &str,
    key: &str,
    fingerprint: &str,
    response: String,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    idempotency_record::ActiveModel {
        id: NotSet,
        operator_id: Set(operator_id),
        operation: Set(operation.to_owned()),
        key: Set(key.to_owned()),
        fingerprint: Set(fingerprint.to_owned()),
        response: Set(response),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    idempotency_record::Entity::delete_many()
        .filter(idempotency_record::Column::CreatedAt.lt(now - KEPT_FOR))
        .exec(db)
        .await?;
    Ok(())
}
