//! Pipeline insight read from the database: contacts per stage, stale contacts, and the flow
//! report of a period — counted by the database in two statements whatever the number of
//! contacts, identical on SQLite and PostgreSQL (window functions and integer arithmetic only).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ColumnTrait, DbBackend, QueryFilter, QuerySelect, Statement, Value};

use super::company::{self, InCompany};
use super::snapshot::Snapshot;
use super::{ServiceError, ServiceResult, clock};
use crate::domain::pipeline::{StageFigures, TransitionCounts, stage_figures, stale_cutoff};
use crate::entity::{contact, stage_change};

/// The contacts in each of `stage_ids` now (every stage named gets a count).
pub async fn contacts_per_stage(
    db: &impl InCompany,
    stage_ids: &[i64],
) -> ServiceResult<BTreeMap<i64, i64>> {
    let mut counts: BTreeMap<i64, i64> = stage_ids.iter().map(|&id| (id, 0)).collect();
    if stage_ids.is_empty() {
        return Ok(counts);
    }
    let rows: Vec<(i64, i64)> = company::find::<contact::Entity>(db)
        .select_only()
        .column(contact::Column::StageId)
        .column_as(contact::Column::Id.count(), "contacts")
        .filter(contact::Column::StageId.is_in(stage_ids.iter().copied()))
        .group_by(contact::Column::StageId)
        .into_tuple()
        .all(db)
        .await?;
    counts.extend(rows);
    Ok(counts)
}

/// The stages whose contacts can go stale, with their `staleAfterDays`.
pub fn stale_rules(snapshot: &Snapshot) -> Vec<(i64, i32)> {
    snapshot
        .workflows()
        .iter()
        .flat_map(|workflow| snapshot.stages_of(workflow.id))
        .filter_map(|stage| stage.stale_after_days.map(|days| (stage.id, days)))
        .collect()
}

/// The contacts stale at `now` (`wanted`) or not stale, given each stage's `staleAfterDays`: in
/// a stage that has them, last touched at or before the stage's cutoff.
pub fn stale_condition(rules: &[(i64, i32)], wanted: bool, now: DateTime<Utc>) -> Condition {
    let mut stale = Condition::any();
    for &(stage, days) in rules {
        stale = stale.add(
            Condition::all()
                .add(contact::Column::StageId.eq(stage))
                .add(contact::Column::UpdatedAt.lte(stale_cutoff(days, now))),
        );
    }
    match (rules.is_empty(), wanted) {
        // No stage goes stale: nothing is, everything is not.
        (true, true) => Condition::all().add(Expr::val(1).eq(0)),
        (true, false) => Condition::all(),
        (false, true) => stale,
        (false, false) => Condition::all().add(stale.not()),
    }
}

/// The flow through a workflow's stages in `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The workflow.
    pub workflow_id: i64,
    /// Each stage of the workflow, by position, with its figures.
    pub stages: Vec<(i64, StageFigures)>,
    /// The stage changes of the period by (from, to): `from` none for entries.
    pub transitions: TransitionCounts,
}

/// The flow report of `workflow_id` over `[from, to)`: one statement counts the stage changes
/// of the period by pair; another the stays that ended in it (their median and 90th
/// percentile, by stage) and the contacts in each stage now.
pub async fn report(
    db: &impl InCompany,
    snapshot: &Snapshot,
    workflow_id: i64,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> ServiceResult<Report> {
    if snapshot.workflow(workflow_id).is_none() {
        return Err(ServiceError::BadInput("no such workflow".to_owned()));
    }
    if from >= to {
        return Err(ServiceError::BadInput(
            "the period is empty: `from` must come before `to`".to_owned(),
        ));
    }
    // Stored moments have milliseconds: the bounds compare as they do.
    let (from, to) = (clock::to_millis(from), clock::to_millis(to));
    let stages: Vec<i64> = snapshot
        .stages_of(workflow_id)
        .iter()
        .map(|s| s.id)
        .collect();
    let transitions = transition_counts(db, &stages, from, to).await?;
    let (stays, current) = stays_and_current(db, workflow_id, &stages, from, to).await?;
    Ok(Report {
        workflow_id,
        stages: stage_figures(&stages, &transitions, &current, &stays),
        transitions,
    })
}

async fn transition_counts(
    db: &impl InCompany,
    stages: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ServiceResult<TransitionCounts> {
    let rows: Vec<(Option<i64>, i64, i64)> = company::find::<stage_change::Entity>(db)
        .select_only()
        .column(stage_change::Column::FromStageId)
        .column(stage_change::Column::ToStageId)
        .column_as(stage_change::Column::Id.count(), "changes")
        .filter(stage_change::Column::ToStageId.is_in(stages.iter().copied()))
        .filter(stage_change::Column::ChangedAt.gte(from))
        .filter(stage_change::Column::ChangedAt.lt(to))
        .group_by(stage_change::Column::FromStageId)
        .group_by(stage_change::Column::ToStageId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(from, to, count)| ((from, to), count))
        .collect())
}

/// The stays ended in the period, ranked per stage, and the percentiles picked at the ranks
/// `ceil(n / 2)` and `ceil(9 n / 10)` (see `domain::pipeline::percentile_position`); then, in the
/// same statement, the contacts in each stage now.
const STAYS_AND_CURRENT: &str = "\
SELECT 'stay' AS kind, stage_id, \
       MAX(CASE WHEN n = (total + 1) / 2 THEN seconds END) AS a, \
       MAX(CASE WHEN n = (total * 9 + 9) / 10 THEN seconds END) AS b \
FROM (SELECT from_stage_id AS stage_id, seconds_in_previous_stage AS seconds, \
             ROW_NUMBER() OVER (PARTITION BY from_stage_id ORDER BY seconds_in_previous_stage) AS n, \
             COUNT(*) OVER (PARTITION BY from_stage_id) AS total \
      FROM stage_changes \
      WHERE company_id = ? AND from_stage_id IN ({stages}) \
        AND changed_at >= ? AND changed_at < ? AND seconds_in_previous_stage IS NOT NULL) stays \
GROUP BY stage_id \
UNION ALL \
SELECT 'now' AS kind, stage_id, COUNT(*) AS a, NULL AS b \
FROM contacts WHERE company_id = ? AND workflow_id = ? GROUP BY stage_id";

/// Stay percentiles by stage, contacts by stage.
type StaysAndCurrent = (
    BTreeMap<i64, (Option<i64>, Option<i64>)>,
    BTreeMap<i64, i64>,
);

async fn stays_and_current(
    db: &impl InCompany,
    workflow_id: i64,
    stages: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ServiceResult<StaysAndCurrent> {
    let mut stays = BTreeMap::new();
    let mut current = BTreeMap::new();
    if stages.is_empty() {
        return Ok((stays, current));
    }
    let company = db.company_id();
    let mut values: Vec<Value> = vec![company.into()];
    values.extend(stages.iter().map(|&id| Value::from(id)));
    values.extend([from.into(), to.into(), company.into(), workflow_id.into()]);
    let sql = STAYS_AND_CURRENT.replace("{stages}", &vec!["?"; stages.len()].join(", "));
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => crate::db::numbered(&sql),
        _ => sql,
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    for row in rows {
        let kind: String = row.try_get_by_index(0)?;
        let stage: i64 = row.try_get_by_index(1)?;
        let a: Option<i64> = row.try_get_by_index(2)?;
        let b: Option<i64> = row.try_get_by_index(3)?;
        if kind == "now" {
            current.insert(stage, a.unwrap_or(0));
        } else {
            stays.insert(stage, (a, b));
        }
    }
    Ok((stays, current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_stage_that_goes_stale_means_no_stale_contact() {
        let now = Utc::now();
        let none = stale_condition(&[], true, now);
        assert!(!none.is_empty());
        assert!(stale_condition(&[], false, now).is_empty());
        assert!(!stale_condition(&[(1, 7)], false, now).is_empty());
    }
}
