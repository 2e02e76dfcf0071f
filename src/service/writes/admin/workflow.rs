//! `saveWorkflow`: a workflow with its stages, stage activity rules and transitions, saved as a
//! whole. Stages keep their ids (matched by id or code); a stage left out is deleted only when
//! nothing uses it; rules and transitions are replaced.

use std::collections::HashMap;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};

use super::{Actor, require_admin};
use crate::domain::configuration::{
    StageDefinition, TransitionDefinition, check_workflow_definition,
};
use crate::domain::{FieldViolation, Role, RuleCode, Violation};
use crate::entity::{
    activity, activity_type, contact, stage, stage_activity_rule, stage_change, transition,
    workflow,
};
use crate::service::{ServiceError, ServiceResult, clock};

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
    /// Listed activity types, in order.
    pub rules: Vec<RuleInput>,
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

async fn stage_in_use(db: &impl ConnectionTrait, stage_id: i64) -> ServiceResult<bool> {
    let uses = contact::Entity::find()
        .filter(contact::Column::StageId.eq(stage_id))
        .count(db)
        .await?
        + activity::Entity::find()
            .filter(activity::Column::StageId.eq(stage_id))
            .count(db)
            .await?
        + stage_change::Entity::find()
            .filter(
                stage_change::Column::ToStageId
                    .eq(stage_id)
                    .or(stage_change::Column::FromStageId.eq(stage_id)),
            )
            .count(db)
            .await?;
    Ok(uses > 0)
}

async fn check_types(
    db: &impl ConnectionTrait,
    input: &SaveWorkflow,
    problems: &mut Vec<FieldViolation>,
) -> ServiceResult<()> {
    let known: Vec<i64> = activity_type::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    for (index, stage) in input.stages.iter().enumerate() {
        for (rule_index, rule) in stage.rules.iter().enumerate() {
            for (field, id) in [
                ("activityTypeId", Some(rule.activity_type_id)),
                ("nextActivityTypeId", rule.next_activity_type_id),
            ] {
                if id.is_some_and(|id| !known.contains(&id)) {
                    let path = [
                        "input".to_owned(),
                        "stages".into(),
                        index.to_string(),
                        "activityRules".into(),
                        rule_index.to_string(),
                        field.into(),
                    ];
                    problems.push(FieldViolation {
                        field: path.to_vec(),
                        violation: Violation::new(RuleCode::NotFound, "no such activity type"),
                    });
                }
            }
        }
    }
    Ok(())
}

/// `saveWorkflow`.
pub async fn save_workflow(
    db: &DatabaseConnection,
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
            is_initial: s.is_initial,
            rule_types: s.rules.iter().map(|r| r.activity_type_id).collect(),
        })
        .collect();
    let transitions: Vec<TransitionDefinition<'_>> = input
        .transitions
        .iter()
        .map(|t| TransitionDefinition {
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
    let (txn, _writer) = crate::db::begin_write(db).await?;
    check_types(&txn, &input, &mut problems).await?;
    let existing = super::row_to_change::<workflow::Entity>(&txn, input.id, "workflow").await?;
    let column = workflow::Column::Code;
    super::check_unique::<workflow::Entity>(
        &txn,
        column,
        &input.code,
        input.id,
        |w| w.id,
        "code",
        &mut problems,
    )
    .await?;
    let old_stages = match &existing {
        Some(w) => {
            stage::Entity::find()
                .filter(stage::Column::WorkflowId.eq(w.id))
                .all(&txn)
                .await?
        }
        None => Vec::new(),
    };
    let matched: Vec<Option<i64>> = input
        .stages
        .iter()
        .map(|s| {
            old_stages
                .iter()
                .find(|o| Some(o.id) == s.id || (s.id.is_none() && o.code == s.code))
                .map(|o| o.id)
        })
        .collect();
    for (index, stage_input) in input.stages.iter().enumerate() {
        if stage_input.id.is_some() && matched[index].is_none() {
            let path = [
                "input".to_owned(),
                "stages".into(),
                index.to_string(),
                "id".into(),
            ];
            problems.push(FieldViolation {
                field: path.to_vec(),
                violation: Violation::new(RuleCode::NotFound, "no such stage in this workflow"),
            });
        }
    }
    let removed: Vec<&stage::Model> = old_stages
        .iter()
        .filter(|o| !matched.contains(&Some(o.id)))
        .collect();
    for old in &removed {
        if stage_in_use(&txn, old.id).await? {
            problems.push(FieldViolation::at(
                &["input", "stages"],
                Violation::new(
                    RuleCode::InvalidInput,
                    format!("stage {} is in use and cannot be removed", old.code),
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ServiceError::Rules(problems));
    }
    let now = clock::now();
    if input.is_default {
        workflow::Entity::update_many()
            .col_expr(workflow::Column::IsDefault, Expr::val(false))
            .exec(&txn)
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
            active.update(&txn).await?
        }
        None => {
            workflow::ActiveModel {
                id: NotSet,
                code: Set(input.code.trim().to_owned()),
                name: Set(input.name.trim().to_owned()),
                description: Set(input.description.clone()),
                log_tab_visible: Set(input.log_tab_visible),
                restrict_activity_types: Set(input.restrict_activity_types),
                is_default: Set(input.is_default),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    let old_ids: Vec<i64> = old_stages.iter().map(|s| s.id).collect();
    transition::Entity::delete_many()
        .filter(transition::Column::WorkflowId.eq(saved.id))
        .exec(&txn)
        .await?;
    stage_activity_rule::Entity::delete_many()
        .filter(stage_activity_rule::Column::StageId.is_in(old_ids))
        .exec(&txn)
        .await?;
    for old in removed {
        stage::Entity::delete_by_id(old.id).exec(&txn).await?;
    }
    let initial_index = input.stages.iter().position(|s| s.is_initial).unwrap_or(0);
    let mut ids_by_code = HashMap::new();
    for (index, stage_input) in input.stages.iter().enumerate() {
        let fields = stage::ActiveModel {
            id: matched[index].map_or(NotSet, Set),
            workflow_id: Set(saved.id),
            code: Set(stage_input.code.trim().to_owned()),
            name: Set(stage_input.name.trim().to_owned()),
            position: Set(index as i32 + 1),
            is_initial: Set(index == initial_index),
            is_final: Set(stage_input.is_final),
            color: Set(stage_input.color.clone()),
        };
        let row = if matched[index].is_some() {
            fields.update(&txn).await?
        } else {
            fields.insert(&txn).await?
        };
        ids_by_code.insert(stage_input.code.as_str(), row.id);
        for (position, rule) in stage_input.rules.iter().enumerate() {
            stage_activity_rule::ActiveModel {
                id: NotSet,
                stage_id: Set(row.id),
                activity_type_id: Set(rule.activity_type_id),
                next_activity_type_id: Set(rule.next_activity_type_id),
                mandatory: Set(rule.mandatory),
                create_todo_for_next: Set(rule.create_todo_for_next),
                highlighted: Set(rule.highlighted),
                position: Set(position as i32),
            }
            .insert(&txn)
            .await?;
        }
    }
    let name_of = |code: &str| {
        input
            .stages
            .iter()
            .find(|s| s.code == code)
            .map_or(code.to_owned(), |s| s.name.clone())
    };
    for (position, t) in input.transitions.iter().enumerate() {
        transition::ActiveModel {
            id: NotSet,
            workflow_id: Set(saved.id),
            name: Set(t
                .name
                .clone()
                .unwrap_or_else(|| format!("{} → {}", name_of(&t.from), name_of(&t.to)))),
            from_stage_id: Set(ids_by_code[t.from.as_str()]),
            to_stage_id: Set(ids_by_code[t.to.as_str()]),
            allowed_roles: Set(Role::format_list(&t.allowed_roles)),
            position: Set(position as i32),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(saved)
}
