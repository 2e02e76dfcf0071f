//! Batched look-ups by id in the caller's company, for the per-request data loaders: one
//! statement per batch of keys.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::ServiceResult;
use super::company::{self, InCompany, Owned};

/// Rows of `E` whose `column` is one of `ids`, by that column's value.
pub async fn by_ids<E, C>(
    db: &C,
    column: E::Column,
    ids: &[i64],
    id_of: fn(&E::Model) -> i64,
) -> ServiceResult<HashMap<i64, E::Model>>
where
    E: Owned,
    C: InCompany,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = company::find::<E>(db)
        .filter(column.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(keyed(rows, id_of))
}

/// `rows` by the id `id_of` gives each.
pub fn keyed<M>(rows: Vec<M>, id_of: fn(&M) -> i64) -> HashMap<i64, M> {
    rows.into_iter().map(|row| (id_of(&row), row)).collect()
}

/// Rows of `E` whose `parent` column is one of `parents`, grouped by parent, each group in the
/// order `order_by` gives. Every requested parent gets a (possibly empty) list.
pub async fn children<E, C>(
    db: &C,
    parent: E::Column,
    parents: &[i64],
    parent_of: fn(&E::Model) -> i64,
    order_by: &[E::Column],
) -> ServiceResult<HashMap<i64, Vec<E::Model>>>
where
    E: Owned,
    C: InCompany,
{
    let mut grouped: HashMap<i64, Vec<E::Model>> =
        parents.iter().map(|&id| (id, Vec::new())).collect();
    if parents.is_empty() {
        return Ok(grouped);
    }
    let mut select = company::find::<E>(db).filter(parent.is_in(parents.iter().copied()));
    for column in order_by {
        select = select.order_by_asc(*column);
    }
    for row in select.all(db).await? {
        grouped.entry(parent_of(&row)).or_default().push(row);
    }
    Ok(grouped)
}
