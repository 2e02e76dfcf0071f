//! Reading contacts: one by id, filtered and ordered pages, and what a contact may do next
//! (allowed activity types, available transitions with the caller's blockers).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, QueryFilter, QuerySelect, Select};

use super::ServiceResult;
use super::pagination::{Counter, Ordering, Page, PageRequest, SortValue, fetch_page};
use crate::domain::limits::{TEXT_MAX, check_text};
use crate::domain::stage_move::transition_blockers;
use crate::domain::{Role, RuleCode, WorkStatus, WorkflowRules};
use crate::entity::{activity, contact, pending_activity, transition};
use crate::service::company::{self, InCompany, Reads};

/// Which contacts a list shows; every given criterion must hold.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Part of the name, e-mail or phone (case-insensitive).
    pub search: Option<String>,
    /// In this workflow.
    pub workflow_id: Option<i64>,
    /// In one of these stages.
    pub stage_ids: Option<Vec<i64>>,
    /// Owned by this operator.
    pub owner_id: Option<i64>,
    /// With (true) or without (false) an open pending activity.
    pub has_open_pending: Option<bool>,
    /// With (true) or without (false) an open pending activity past its deadline.
    pub overdue: Option<bool>,
    /// Stale (true) or not (false), by the stages' rules in `stale_rules`.
    pub stale: Option<bool>,
    /// Each stage whose contacts go stale, with its `staleAfterDays`
    /// ([`super::pipeline::stale_rules`]).
    pub stale_rules: Vec<(i64, i32)>,
    /// Changed after this moment.
    pub updated_after: Option<DateTime<Utc>>,
}

/// The key a contact list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactSort {
    /// By name.
    Name,
    /// By creation time.
    CreatedAt,
    /// By last change.
    UpdatedAt,
    /// By when the contact entered its stage.
    StageEnteredAt,
}

/// A contact by id.
pub async fn get(db: &impl InCompany, id: i64) -> ServiceResult<Option<contact::Model>> {
    Ok(company::find_by_id::<contact::Entity>(db, id)
        .one(db)
        .await?)
}

fn open_pending_of_contact() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(pending_activity::Entity)
        .and_where(
            Expr::col((
                pending_activity::Entity,
                pending_activity::Column::ContactId,
            ))
            .equals((contact::Entity, contact::Column::Id)),
        )
        .and_where(
            Expr::col((pending_activity::Entity, pending_activity::Column::Status))
                .eq(WorkStatus::Open),
        )
        .to_owned()
}

fn exists_or_not(exists: bool, query: sea_orm::sea_query::SelectStatement) -> Expr {
    if exists {
        Expr::exists(query)
    } else {
        Expr::not_exists(query)
    }
}

/// Escapes `%`, `_` and `\` so a search term matches literally inside a LIKE pattern.
fn like_pattern(term: &str) -> String {
    let mut pattern = String::from("%");
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The contacts a filter admits, unordered.
pub fn filtered(
    db: &impl InCompany,
    filter: &ContactFilter,
    now: DateTime<Utc>,
) -> Select<contact::Entity> {
    let mut condition = Condition::all();
    if let Some(term) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let matches = |column: contact::Column| {
            Expr::expr(Func::lower(Expr::col((contact::Entity, column))))
                .like(LikeExpr::new(like_pattern(term)).escape('\\'))
        };
        condition = condition.add(
            Condition::any()
                .add(matches(contact::Column::Name))
                .add(matches(contact::Column::Email))
                .add(matches(contact::Column::Phone)),
        );
    }
    if let Some(workflow_id) = filter.workflow_id {
        condition = condition.add(contact::Column::WorkflowId.eq(workflow_id));
    }
    if let Some(stage_ids) = &filter.stage_ids {
        condition = condition.add(contact::Column::StageId.is_in(stage_ids.iter().copied()));
    }
    if let Some(owner_id) = filter.owner_id {
        condition = condition.add(contact::Column::OwnerId.eq(owner_id));
    }
    if let Some(has_open) = filter.has_open_pending {
        condition = condition.add(exists_or_not(has_open, open_pending_of_contact()));
    }
    if let Some(overdue) = filter.overdue {
        let mut late = open_pending_of_contact();
        late.and_where(
            Expr::col((pending_activity::Entity, pending_activity::Column::DueAt))
                .lt(Expr::val(now)),
        );
        condition = condition.add(exists_or_not(overdue, late));
    }
    if let Some(wanted) = filter.stale {
        condition = condition.add(super::pipeline::stale_condition(
            &filter.stale_rules,
            wanted,
            now,
        ));
    }
    if let Some(after) = filter.updated_after {
        condition = condition.add(contact::Column::UpdatedAt.gt(after));
    }
    company::find::<contact::Entity>(db).filter(condition)
}

/// The ordering of a contact list.
pub fn ordering(sort: ContactSort, descending: bool) -> Ordering<contact::Model> {
    type KeyOf = fn(&contact::Model) -> (SortValue, i64);
    let (column, key_of): (contact::Column, KeyOf) = match sort {
        ContactSort::Name => (contact::Column::Name, |c| {
            (SortValue::Text(c.name.clone()), c.id)
        }),
        ContactSort::CreatedAt => (contact::Column::CreatedAt, |c| {
            (SortValue::Time(c.created_at), c.id)
        }),
        ContactSort::UpdatedAt => (contact::Column::UpdatedAt, |c| {
            (SortValue::Time(c.updated_at), c.id)
        }),
        ContactSort::StageEnteredAt => (contact::Column::StageEnteredAt, |c| {
            (SortValue::Time(c.stage_entered_at), c.id)
        }),
    };
    Ordering {
        name: format!(
            "contacts:{sort:?}:{}",
            if descending { "DESC" } else { "ASC" }
        ),
        key: Expr::col((contact::Entity, column)),
        id: Expr::col((contact::Entity, contact::Column::Id)),
        descending,
        key_of,
    }
}

/// A page of contacts, and a counter for the whole filtered list.
pub async fn list(
    db: &Reads,
    filter: &ContactFilter,
    sort: ContactSort,
    descending: bool,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> ServiceResult<(Page<contact::Model>, Counter)> {
    if let Some(search) = &filter.search {
        check_text("search", search, TEXT_MAX)
            .map_err(|violation| super::ServiceError::BadInput(violation.message))?;
    }
    let select = filtered(db, filter, now);
    let rows = fetch_page(db, select.clone(), &ordering(sort, descending), page).await?;
    Ok((rows, Counter::new(db, select)))
}

/// The activity types recorded in the contact's current stage since it entered it.
pub async fn recorded_since_entry(
    db: &impl InCompany,
    contact: &contact::Model,
) -> ServiceResult<HashSet<i64>> {
    let types: Vec<i64> = company::find::<activity::Entity>(db)
        .select_only()
        .column(activity::Column::ActivityTypeId)
        .distinct()
        .filter(activity::Column::ContactId.eq(contact.id))
        .filter(activity::Column::StageId.eq(contact.stage_id))
        .filter(activity::Column::PerformedAt.gte(contact.stage_entered_at))
        .into_tuple()
        .all(db)
        .await?;
    Ok(types.into_iter().collect())
}

/// One transition out of a contact's stage and whether the caller may take it now.
#[derive(Debug, Clone)]
pub struct TransitionOption {
    /// The transition.
    pub transition: transition::Model,
    /// Why the caller may not take it now; empty when allowed.
    pub blocked_by: Vec<RuleCode>,
}

/// Every transition out of the contact's current stage, with the caller's blockers.
pub async fn available_transitions(
    db: &impl InCompany,
    contact: &contact::Model,
    rules: &WorkflowRules,
    role: Role,
    transitions: &[transition::Model],
) -> ServiceResult<Vec<TransitionOption>> {
    let recorded = recorded_since_entry(db, contact).await?;
    rules
        .transitions_from(contact.stage_id)
        .map(|rule| {
            let transition = transitions
                .iter()
                .find(|row| row.id == rule.id)
                .cloned()
                .ok_or_else(|| {
                    super::ServiceError::Internal(format!("transition {} vanished", rule.id))
                })?;
            Ok(TransitionOption {
                transition,
                blocked_by: transition_blockers(rules, rule, role, &recorded),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_match_literally_and_ignore_case() {
        assert_eq!(like_pattern("Ro_ss%i"), "%ro\\_ss\\%i%");
        assert_eq!(like_pattern("a\\b"), "%a\\\\b%");
    }
}
