//! The companies of the group as a person sees them: only those they are an active member of.
//! Memberships are read across companies here, and only here: deciding which company a person
//! may work for is the one question no single company can answer.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::ServiceResult;
use crate::entity::{company, membership};

/// A person's active memberships.
async fn active_memberships(
    db: &impl ConnectionTrait,
    operator_id: i64,
) -> ServiceResult<Vec<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OperatorId.eq(operator_id))
        .filter(membership::Column::Active.eq(true))
        .all(db)
        .await?)
}

/// The ids of the companies a person is an active member of.
async fn company_ids(db: &impl ConnectionTrait, operator_id: i64) -> ServiceResult<Vec<i64>> {
    let memberships = active_memberships(db, operator_id).await?;
    Ok(memberships.into_iter().map(|row| row.company_id).collect())
}

async fn by_ids(db: &impl ConnectionTrait, ids: Vec<i64>) -> ServiceResult<Vec<company::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(company::Entity::find()
        .filter(company::Column::Id.is_in(ids))
        .order_by_asc(company::Column::Code)
        .all(db)
        .await?)
}

/// The companies a person is an active member of, by code.
pub async fn of_operator(
    db: &impl ConnectionTrait,
    operator_id: i64,
) -> ServiceResult<Vec<company::Model>> {
    by_ids(db, company_ids(db, operator_id).await?).await
}

/// A person's active memberships with their companies, by company code.
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    operator_id: i64,
) -> ServiceResult<Vec<(company::Model, membership::Model)>> {
    let mut memberships = active_memberships(db, operator_id).await?;
    let ids = memberships.iter().map(|row| row.company_id).collect();
    Ok(by_ids(db, ids)
        .await?
        .into_iter()
        .filter_map(|company| {
            let at = memberships
                .iter()
                .position(|m| m.company_id == company.id)?;
            Some((company, memberships.swap_remove(at)))
        })
        .collect())
}

/// The companies both people are active members of, by code: what one may learn of the
/// other's.
pub async fn shared(
    db: &impl ConnectionTrait,
    viewer: i64,
    other: i64,
) -> ServiceResult<Vec<company::Model>> {
    let own = company_ids(db, viewer).await?;
    let theirs = company_ids(db, other).await?;
    by_ids(
        db,
        own.into_iter().filter(|id| theirs.contains(id)).collect(),
    )
    .await
}

/// A company, if the person is an active member of it.
pub async fn visible(
    db: &impl ConnectionTrait,
    viewer: i64,
    company_id: i64,
) -> ServiceResult<Option<company::Model>> {
    if !company_ids(db, viewer).await?.contains(&company_id) {
        return Ok(None);
    }
    Ok(company::Entity::find_by_id(company_id).one(db).await?)
}

/// The first company by code, if there is one (the one the explorer's examples come from).
pub async fn first(db: &impl ConnectionTrait) -> ServiceResult<Option<company::Model>> {
    Ok(company::Entity::find()
        .order_by_asc(company::Column::Code)
        .one(db)
        .await?)
}

/// The id of every company (for the work that serves them all, one company at a time).
pub async fn all_ids(db: &impl ConnectionTrait) -> ServiceResult<Vec<i64>> {
    Ok(company::Entity::find()
        .order_by_asc(company::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect())
}
