//! `saveWorkflow`: a workflow with its stages, stage activity rules and transitions, saved as a
//! whole. Stages keep their ids (matched by id or code); a stage left out is deleted only when
//! nothing uses it; rules and transitions are replaced.

mod checks;
mod rows;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter};

use super::names::{self, Owner};
use super::{Problems, require_admin, row_to_change};
use crate::domain::configuration::{
    StageDefinition, TransitionDefinition, check_workflow_definition,
};
use crate::domain::locale::LocalizedName;
use crate::domain::{Field, FieldPath, Role};
use crate::entity::{stage, workflow};
use crate::service::company;
use crate::service::writes::{Actor, Write};
use crate::service::{ServiceResult, Store, clock};

/// An activity type listed on a stage.
#[derive(Debug, Clone)]
pub struct RuleInput {
    /// The listed type.
    pub activity_type_id: i64,
    /// Scheduled next on completion.
    pub next_activity_type_id: Option<i64>,
    /// Must be recorded before leaving the stage.
    pub mandatory: bool,
    /// The next one gets a to-do.
    pub create_todo_for_next: bool,
    /// Highlighted in clients.
    pub highlighted: bool,
}

/// A stage, in position order.
#[derive(Debug, Clone)]
pub struct StageInput {
    /// An existing stage of this workflow (else matched by code, else created).
    pub id: Option<i64>,
    /// Code, unique in the workflow.
    pub code: String,
    /// Name.
    pub name: String,
    /// Colour.
    pub color: Option<String>,
    /// New contacts start here.
    pub is_initial: bool,
    /// End of the workflow.
    pub is_final: bool,
    /// Days its contacts may rest before they are stale; none: never.
    pub stale_after_days: Option<i32>,
    /// Listed activity types, in order.
    pub rules: Vec<RuleInput>,
    /// Names in other languages; none: keep those of the stage it keeps.
    pub localized_names: Option<Vec<LocalizedName>>,
}

/// A transition between two stages named by code.
#[derive(Debug, Clone)]
pub struct TransitionInput {
    /// Name (default: "From → To").
    pub name: Option<String>,
    /// Stage left.
    pub from: String,
    /// Stage entered.
    pub to: String,
    /// Roles that may take it; empty: every role.
    pub allowed_roles: Vec<Role>,
}

/// A workflow to create (no id) or replace.
#[derive(Debug, Clone)]
pub struct SaveWorkflow {
    /// The workflow to replace; none: create.
    pub id: Option<i64>,
    /// Code, unique.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Clients show the Log tab.
    pub log_tab_visible: bool,
    /// Only listed types may be recorded in a stage.
    pub restrict_activity_types: bool,
    /// New contacts without a workflow go here.
    pub is_default: bool,
    /// The stages, in position order.
    pub stages: Vec<StageInput>,
    /// The transitions.
    pub transitions: Vec<TransitionInput>,
}

/// `saveWorkflow`.
pub async fn save_workflow(
    store: &Store,
    actor: Actor,
    input: SaveWorkflow,
) -> ServiceResult<workflow::Model> {
    require_admin(actor)?;
    let definitions: Vec<StageDefinition<'_>> = input
        .stages
        .iter()
        .map(|s| StageDefinition {
            code: &s.code,
            name: &s.name,
            color: s.color.as_deref(),
            is_initial: s.is_initial,
            stale_after_days: s.stale_after_days,
            rule_types: s.rules.iter().map(|r| r.activity_type_id).collect(),
        })
        .collect();
    let transitions: Vec<TransitionDefinition<'_>> = input
        .transitions
        .iter()
        .map(|t| TransitionDefinition {
            name: t.name.as_deref(),
            from: &t.from,
            to: &t.to,
        })
        .collect();
    let mut problems = check_workflow_definition(
        &input.code,
        &input.name,
        input.description.as_deref(),
        &definitions,
        &transitions,
    );
    let mut write = Write::begin(store, actor.company_id).await?;
    let db = &*write;
    checks::check_types(db, &input, &mut problems).await?;
    let existing = row_to_change::<workflow::Entity>(db, input.id, "workflow").await?;
    let old_stages = match &existing {
        Some(w) => {
            company::find::<stage::Entity>(db)
                .filter(stage::Column::WorkflowId.eq(w.id))
                .all(db)
                .await?
        }
        None => Vec::new(),
    };
    let mut problems = Problems(problems);
    let column = (
        workflow::Column::Code,
        (|w: &workflow::Model| w.id) as fn(&_) -> i64,
    );
    problems
        .unique::<workflow::Entity>(db, column, &input.code, input.id, (Field::Code, "code"))
        .await?;
    let matched = checks::match_stages(&input, &old_stages, &mut problems.0);
    let localized: Vec<Option<Vec<LocalizedName>>> = input
        .stages
        .iter()
        .enumerate()
        .map(|(index, stage)| {
            let at = FieldPath::of(&[Field::Stages, Field::Index(index)]);
            names::checked(&mut problems, &at, stage.localized_names.as_deref())
        })
        .collect();
    let removed: Vec<&stage::Model> = old_stages
        .iter()
        .filter(|o| !matched.contains(&Some(o.id)))
        .collect();
    checks::check_removed(db, &removed, &mut problems.0).await?;
    problems.check()?;
    let now = clock::now();
    if input.is_default {
        company::update_many::<workflow::Entity>(db)
            .col_expr(workflow::Column::IsDefault, Expr::val(false))
            .exec(db)
            .await?;
    }
    let saved = match existing {
        Some(row) => {
            let mut active: workflow::ActiveModel = row.into();
            active.code = Set(input.code.trim().to_owned());
            active.name = Set(input.name.trim().to_owned());
            active.description = Set(input.description.clone());
            active.log_tab_visible = Set(input.log_tab_visible);
            active.restrict_activity_types = Set(input.restrict_activity_types);
            active.is_default = Set(input.is_default);
            active.update(db).await?
        }
        None => {
            company::insert(
                db,
                workflow::ActiveModel {
                    id: NotSet,
                    company_id: NotSet,
                    code: Set(input.code.trim().to_owned()),
                    name: Set(input.name.trim().to_owned()),
                    description: Set(input.description.clone()),
                    log_tab_visible: Set(input.log_tab_visible),
                    restrict_activity_types: Set(input.restrict_activity_types),
                    is_default: Set(input.is_default),
                    created_at: Set(now),
                },
            )
            .await?
        }
    };
    let stage_ids =
        rows::replace_stages(db, &input, saved.id, &old_stages, &matched, &removed).await?;
    for (id, names) in stage_ids.into_iter().zip(localized) {
        if let Some(names) = names {
            names::replace(db, Owner::Stage(id), &names).await?;
        }
    }
    write.configuration_changed();
    write.commit().await?;
    Ok(saved)
}
