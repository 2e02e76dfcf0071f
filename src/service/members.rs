//! The operators of a company: a person (`operators`) with their membership of the company
//! (role, active), read together in one statement.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::ServiceResult;
use super::company::{self, InCompany};
use super::writes::Actor;
use crate::domain::Role;
use crate::entity::{membership, operator};

/// An operator as one company knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The person.
    pub operator: operator::Model,
    /// Their membership of the company.
    pub membership: membership::Model,
}

impl Member {
    /// Their role in the company.
    pub fn role(&self) -> Role {
        self.membership.role
    }

    /// Whether they may work for the company now.
    pub fn active(&self) -> bool {
        self.membership.active
    }

    /// The company they are a member of.
    pub fn company_id(&self) -> i64 {
        self.membership.company_id
    }

    /// The member as the writer of a use case.
    pub fn actor(&self) -> Actor {
        Actor {
            operator_id: self.operator.id,
            role: self.membership.role,
            company_id: self.membership.company_id,
        }
    }
}

fn pair((membership, operator): (membership::Model, Option<operator::Model>)) -> Option<Member> {
    operator.map(|operator| Member {
        operator,
        membership,
    })
}

/// Every member of the connection's company (active or not), by display name.
pub async fn members(db: &impl InCompany) -> ServiceResult<Vec<Member>> {
    let rows = company::find::<membership::Entity>(db)
        .find_also_related(operator::Entity)
        .order_by_asc(operator::Column::DisplayName)
        .order_by_asc(operator::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(pair).collect())
}

/// The members of the connection's company among these operators, by operator id.
pub async fn members_by_ids(
    db: &impl InCompany,
    operator_ids: &[i64],
) -> ServiceResult<HashMap<i64, Member>> {
    if operator_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = company::find::<membership::Entity>(db)
        .filter(membership::Column::OperatorId.is_in(operator_ids.iter().copied()))
        .find_also_related(operator::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(pair)
        .map(|member| (member.operator.id, member))
        .collect())
}

/// The operator as a member of the connection's company; none when they are not one.
pub async fn member(db: &impl InCompany, operator_id: i64) -> ServiceResult<Option<Member>> {
    Ok(members_by_ids(db, &[operator_id])
        .await?
        .remove(&operator_id))
}
