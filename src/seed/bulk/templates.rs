//! The legal histories bulk contacts follow, checked against the real rules, and the rows of
//! a chunk of contacts generated from them.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::ConnectionTrait;

use crate::domain::{StageChangeVia, WorkStatus};
use crate::entity::{activity, contact, pending_activity, stage_change};
use crate::seed::{DemoIds, PIPELINE, role_of};
use crate::service::writes::StageStep;
use crate::service::{ServiceError, ServiceResult};

/// A legal history: the stages in order, the activities done in each (by stage index) and the
/// type of the pending activity waiting in the last stage.
struct Template {
    stages: &'static [&'static str],
    activities: &'static [(usize, &'static str)],
}

const TEMPLATES: [Template; 6] = [
    Template {
        stages: &["START", "QUALIFICATION", "PROSPECT"],
        activities: &[
            (0, "CALL"),
            (1, "DISCOVERY_CALL"),
            (1, "EMAIL"),
            (2, "MEETING"),
            (2, "CALL"),
        ],
    },
    Template {
        stages: &["START", "QUALIFICATION", "PROSPECT", "LEAD"],
        activities: &[
            (0, "CALL"),
            (1, "DISCOVERY_CALL"),
            (2, "MEETING"),
            (3, "DEMO"),
            (3, "EMAIL"),
        ],
    },
    Template {
        stages: &["START", "QUALIFICATION", "PROSPECT", "LEAD", "OPPORTUNITY"],
        activities: &[
            (0, "EMAIL"),
            (1, "DISCOVERY_CALL"),
            (2, "DEMO"),
            (3, "MEETING"),
            (4, "QUOTE"),
        ],
    },
    Template {
        stages: &["START", "QUALIFICATION", "NOT_QUALIFIED"],
        activities: &[
            (0, "CALL"),
            (0, "EMAIL"),
            (1, "DISCOVERY_CALL"),
            (1, "CALL"),
            (2, "FOLLOW_UP"),
        ],
    },
    Template {
        stages: &PIPELINE,
        activities: &[
            (0, "CALL"),
            (1, "DISCOVERY_CALL"),
            (3, "DEMO"),
            (4, "QUOTE"),
            (5, "FOLLOW_UP"),
        ],
    },
    Template {
        stages: &["START", "QUALIFICATION", "PROSPECT", "CLOSED"],
        activities: &[
            (0, "CALL"),
            (1, "DISCOVERY_CALL"),
            (2, "MEETING"),
            (2, "EMAIL"),
            (3, "FOLLOW_UP"),
        ],
    },
];

const OWNERS: [&str; 3] = ["alice", "bob", "maria"];

/// Who moves a contact between two stages: the owner, or the manager where only a manager may.
fn mover(ids: &DemoIds, owner: &'static str, from: &str, to: &str) -> &'static str {
    let allowed = ids
        .workflow
        .transition_between(ids.stages[from], ids.stages[to])
        .is_some_and(|transition| role_of(owner).may_take(&transition.allowed_roles));
    if allowed { owner } else { "maria" }
}

/// Checks every template against the workflow's rules: each move legal for its mover, each
/// activity allowed in its stage.
pub(super) fn check_templates(ids: &DemoIds) -> ServiceResult<()> {
    for template in &TEMPLATES {
        let mut recorded = HashSet::new();
        for (index, pair) in template.stages.windows(2).enumerate() {
            recorded.clear();
            for (_, code) in template.activities.iter().filter(|(at, _)| *at == index) {
                recorded.insert(ids.types[code]);
            }
            let mover = mover(ids, "alice", pair[0], pair[1]);
            ids.check_move(pair[0], pair[1], role_of(mover), &recorded)?;
        }
        for (index, code) in template.activities {
            let stage = ids.workflow.stage(ids.stages[template.stages[*index]]);
            if stage.is_none_or(|stage| stage.rule_for(ids.types[code]).is_none()) {
                return Err(ServiceError::Internal(format!(
                    "bulk template: {code} is not allowed in {}",
                    template.stages[*index]
                )));
            }
        }
    }
    Ok(())
}

/// The rows of one chunk of contacts.
#[derive(Default)]
pub(super) struct Rows {
    contacts: Vec<contact::ActiveModel>,
    changes: Vec<stage_change::ActiveModel>,
    activities: Vec<activity::ActiveModel>,
    pending: Vec<pending_activity::ActiveModel>,
}

impl Rows {
    /// How many rows it holds.
    pub(super) fn count(&self) -> u64 {
        (self.contacts.len() + self.changes.len() + self.activities.len() + self.pending.len())
            as u64
    }

    /// Generates contact number `n` (its id is `id`).
    pub(super) fn add(&mut self, ids: &DemoIds, n: usize, id: i64, now: DateTime<Utc>) {
        let template = &TEMPLATES[n % TEMPLATES.len()];
        let owner = OWNERS[(n / TEMPLATES.len()) % OWNERS.len()];
        let created =
            now - Duration::days(70 + (n % 300) as i64) - Duration::minutes((n % 1_440) as i64);
        // Stays of one to nine days, varied by contact and stage, for the flow report's figures.
        let stay = |index: usize| Duration::hours(24 + ((n * 37 + index * 53) % 193) as i64);
        let entered = |index: usize| created + (0..index).map(stay).sum::<Duration>();
        let last = template.stages.len() - 1;
        for (index, code) in template.stages.iter().enumerate() {
            let from = index
                .checked_sub(1)
                .map(|previous| template.stages[previous]);
            let by = from.map_or(owner, |from| mover(ids, owner, from, code));
            let step = StageStep {
                from: from.map(|from| (ids.stages[from], entered(index - 1))),
                to: ids.stages[code],
                operator_id: ids.operators[by],
                note: None,
                via: if from.is_some() {
                    StageChangeVia::Move
                } else {
                    StageChangeVia::Create
                },
            };
            let mut row = step.row(id, entered(index));
            row.company_id = Set(ids.company_id);
            self.changes.push(row);
        }
        let mut latest = entered(last);
        for (order, (index, code)) in template.activities.iter().enumerate() {
            let at = entered(*index) + Duration::hours(1 + order as i64);
            latest = latest.max(at);
            self.activities.push(activity::ActiveModel {
                id: NotSet,
                company_id: Set(ids.company_id),
                contact_id: Set(id),
                activity_type_id: Set(ids.types[code]),
                stage_id: Set(ids.stages[template.stages[*index]]),
                operator_id: Set(ids.operators[owner]),
                description: Set(Some(format!("{} with contact {n}", code.to_lowercase()))),
                performed_at: Set(at),
                created_at: Set(at),
            });
        }
        // Deadlines spread over the coming 30 days, an hour apart per contact.
        let due = now + Duration::minutes(60 + (n % (30 * 24 * 60)) as i64);
        self.pending.push(pending_activity::ActiveModel {
            id: NotSet,
            company_id: Set(ids.company_id),
            contact_id: Set(id),
            activity_type_id: Set(ids.types["FOLLOW_UP"]),
            description: Set(Some("follow up".to_owned())),
            pending_since: Set(latest),
            due_at: Set(Some(due)),
            assignee_id: Set(ids.operators[owner]),
            reminder_starts_at: Set(Some(due - Duration::minutes(30))),
            reminder_ends_at: Set(Some(due + Duration::minutes(30))),
            create_todo: Set(false),
            status: Set(WorkStatus::Open),
            completed_at: Set(None),
            completed_activity_id: Set(None),
            created_by_id: Set(ids.operators[owner]),
            created_at: Set(latest),
            updated_at: Set(latest),
        });
        self.contacts.push(contact::ActiveModel {
            id: Set(id),
            company_id: Set(ids.company_id),
            version: Set(template.stages.len() as i32),
            name: Set(format!("Load test contact {n:07}")),
            email: Set(Some(format!("contact{n}@load.example"))),
            phone: Set(None),
            owner_id: Set(Some(ids.operators[owner])),
            workflow_id: Set(ids.workflow.id),
            stage_id: Set(ids.stages[template.stages[last]]),
            stage_entered_at: Set(entered(last)),
            created_at: Set(created),
            updated_at: Set(latest),
        });
    }

    /// Writes them in multi-row statements.
    pub(super) async fn write(self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        super::insert_chunked::<contact::Entity>(db, self.contacts, 11).await?;
        super::insert_chunked::<stage_change::Entity>(db, self.changes, 9).await?;
        super::insert_chunked::<activity::Entity>(db, self.activities, 8).await?;
        super::insert_chunked::<pending_activity::Entity>(db, self.pending, 16).await
    }
}
