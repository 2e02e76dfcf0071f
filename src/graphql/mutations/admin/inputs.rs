//! The inputs and payloads of the ADMIN mutations, and their translation to service inputs.

use async_graphql::{ID, InputObject, MaybeUndefined, SimpleObject};

use crate::domain::locale::LocalizedName;
use crate::graphql::errors::{UserError, payloads};
use crate::graphql::ids::kind;
use crate::graphql::mutations::inputs::number;
use crate::graphql::types::config::{ActivityType, Operator, RoleValue, Workflow};
use crate::service::writes::Patch;
use crate::service::writes::admin::{self, workflow as workflows};

/// An activity type listed on a stage, and what the stage does with it.
#[derive(Debug, Clone, InputObject)]
pub struct StageActivityRuleInput {
    /// The listed type.
    pub activity_type_id: ID,
    /// Scheduled next when a pending activity of this type is completed without `next`.
    pub next_activity_type_id: Option<ID>,
    /// The contact cannot leave the stage until an activity of this type was recorded in it.
    #[graphql(default = false)]
    pub mandatory: bool,
    /// The scheduled next activity gets a to-do.
    #[graphql(default = false)]
    pub create_todo_for_next: bool,
    /// Clients highlight this type in the stage.
    #[graphql(default = false)]
    pub highlighted: bool,
}

/// A stage of a saved workflow; its position is its place in the list.
#[derive(Debug, Clone, InputObject)]
pub struct StageInput {
    /// An existing stage of this workflow; absent: matched by code, else created.
    pub id: Option<ID>,
    /// Code, unique in the workflow.
    pub code: String,
    /// Name.
    pub name: String,
    /// Colour (CSS notation).
    pub color: Option<String>,
    /// New contacts start here (default: the first stage).
    #[graphql(default = false)]
    pub is_initial: bool,
    /// The end of the workflow.
    #[graphql(default = false)]
    pub is_final: bool,
    /// How many days (1 to 3650) a contact may rest untouched in the stage before it is
    /// stale; absent or null: never.
    pub stale_after_days: Option<i32>,
    /// The activity types listed on the stage, in order.
    #[graphql(default)]
    pub activity_rules: Vec<StageActivityRuleInput>,
    /// The stage's name in other languages, replacing those it had; absent: kept as they are.
    pub localized_names: Option<Vec<LocalizedNameInput>>,
}

/// A name in one language.
#[derive(Debug, Clone, InputObject)]
pub struct LocalizedNameInput {
    /// The language (BCP 47), for example `it` or `pt-BR`.
    pub locale: String,
    /// The name in that language.
    pub name: String,
}

/// The service form of localized names as given.
fn localized(names: Option<&Vec<LocalizedNameInput>>) -> Option<Vec<LocalizedName>> {
    names.map(|names| {
        names
            .iter()
            .map(|given| LocalizedName {
                locale: given.locale.clone(),
                name: given.name.clone(),
            })
            .collect()
    })
}

/// A transition between two stages of the saved workflow, named by stage code.
#[derive(Debug, Clone, InputObject)]
pub struct TransitionInput {
    /// Name (default: "From → To").
    pub name: Option<String>,
    /// Code of the stage left.
    pub from_stage_code: String,
    /// Code of the stage entered.
    pub to_stage_code: String,
    /// Roles that may take it; empty: every role.
    #[graphql(default)]
    pub allowed_roles: Vec<RoleValue>,
}

/// A workflow with its stages, rules and transitions, saved as a whole.
#[derive(Debug, Clone, InputObject)]
pub struct SaveWorkflowInput {
    /// The workflow to replace; absent: create.
    pub id: Option<ID>,
    /// Code, unique.
    pub code: String,
    /// Name.
    pub name: String,
    /// What the workflow is for.
    pub description: Option<String>,
    /// Clients show the Log tab.
    #[graphql(default = true)]
    pub log_tab_visible: bool,
    /// Only the activity types listed on a stage may be recorded there.
    #[graphql(default = false)]
    pub restrict_activity_types: bool,
    /// New contacts without a workflow go here.
    #[graphql(default = false)]
    pub is_default: bool,
    /// The stages, in position order. A stage left out is deleted, unless it is in use.
    pub stages: Vec<StageInput>,
    /// The transitions (they replace the old ones).
    #[graphql(default)]
    pub transitions: Vec<TransitionInput>,
}

/// The answer to `saveWorkflow`.
#[derive(SimpleObject, Default)]
pub struct SaveWorkflowPayload {
    /// The saved workflow.
    pub workflow: Option<Workflow>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

/// An activity type to create (no id) or change.
#[derive(Debug, Clone, InputObject)]
pub struct SaveActivityTypeInput {
    /// The type to change; absent: create.
    pub id: Option<ID>,
    /// Stable code, unique; required on create.
    pub code: Option<String>,
    /// Name; required on create.
    pub name: Option<String>,
    /// Inactive types can no longer be recorded or scheduled.
    pub active: Option<bool>,
    /// Place in lists.
    pub position: Option<i32>,
    /// The type's name in other languages, replacing those it had; absent: kept as they are.
    pub localized_names: Option<Vec<LocalizedNameInput>>,
}

/// The answer to `saveActivityType` and `deleteActivityType`.
#[derive(SimpleObject, Default)]
pub struct SaveActivityTypePayload {
    /// The saved (or deleted) activity type.
    pub activity_type: Option<ActivityType>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

/// Deletes an activity type that nothing uses.
#[derive(Debug, Clone, InputObject)]
pub struct DeleteActivityTypeInput {
    /// The type.
    pub id: ID,
}

/// An operator to create (no id) or change.
#[derive(Debug, Clone, InputObject)]
pub struct SaveOperatorInput {
    /// The operator to change; absent: create.
    pub id: Option<ID>,
    /// Sign-in name, unique; required on create.
    pub login: Option<String>,
    /// Name shown to people; required on create.
    pub display_name: Option<String>,
    /// E-mail address; null clears it.
    pub email: MaybeUndefined<String>,
    /// Role; required on create.
    pub role: Option<RoleValue>,
    /// Inactive operators cannot sign in or be assigned work.
    pub active: Option<bool>,
    /// IANA time zone, for example `Europe/Rome`.
    pub time_zone: Option<String>,
    /// The language (BCP 47, such as `it` or `pt-BR`) names of stages and activity types are
    /// shown in when a request's `Accept-Language` names none that has them.
    pub locale: Option<String>,
    /// A new password (at least 8 characters); required on create.
    #[graphql(secret)]
    pub password: Option<String>,
}

/// The answer to `saveOperator`.
#[derive(SimpleObject, Default)]
pub struct SaveOperatorPayload {
    /// The saved operator.
    pub operator: Option<Operator>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

payloads!(
    SaveWorkflowPayload,
    SaveActivityTypePayload,
    SaveOperatorPayload
);

/// The service form of a `saveWorkflow` input.
pub fn to_workflow(input: &SaveWorkflowInput) -> workflows::SaveWorkflow {
    workflows::SaveWorkflow {
        id: input.id.as_ref().map(|id| number(id, kind::WORKFLOW)),
        code: input.code.clone(),
        name: input.name.clone(),
        description: input.description.clone(),
        log_tab_visible: input.log_tab_visible,
        restrict_activity_types: input.restrict_activity_types,
        is_default: input.is_default,
        stages: input
            .stages
            .iter()
            .map(|s| workflows::StageInput {
                id: s.id.as_ref().map(|id| number(id, kind::STAGE)),
                code: s.code.clone(),
                name: s.name.clone(),
                color: s.color.clone(),
                is_initial: s.is_initial,
                is_final: s.is_final,
                stale_after_days: s.stale_after_days,
                rules: s
                    .activity_rules
                    .iter()
                    .map(|r| workflows::RuleInput {
                        activity_type_id: number(&r.activity_type_id, kind::ACTIVITY_TYPE),
                        next_activity_type_id: r
                            .next_activity_type_id
                            .as_ref()
                            .map(|id| number(id, kind::ACTIVITY_TYPE)),
                        mandatory: r.mandatory,
                        create_todo_for_next: r.create_todo_for_next,
                        highlighted: r.highlighted,
                    })
                    .collect(),
                localized_names: localized(s.localized_names.as_ref()),
            })
            .collect(),
        transitions: input
            .transitions
            .iter()
            .map(|t| workflows::TransitionInput {
                name: t.name.clone(),
                from: t.from_stage_code.clone(),
                to: t.to_stage_code.clone(),
                allowed_roles: t.allowed_roles.iter().map(|r| (*r).into()).collect(),
            })
            .collect(),
    }
}

impl SaveActivityTypeInput {
    /// The service form.
    pub fn to_service(&self) -> admin::SaveActivityType {
        admin::SaveActivityType {
            id: self.id.as_ref().map(|id| number(id, kind::ACTIVITY_TYPE)),
            code: self.code.clone(),
            name: self.name.clone(),
            active: self.active,
            position: self.position,
            localized_names: localized(self.localized_names.as_ref()),
        }
    }
}

impl SaveOperatorInput {
    /// The service form.
    pub fn into_service(self) -> admin::SaveOperator {
        admin::SaveOperator {
            id: self.id.as_ref().map(|id| number(id, kind::OPERATOR)),
            login: self.login,
            display_name: self.display_name,
            email: match self.email {
                MaybeUndefined::Undefined => Patch::Keep,
                MaybeUndefined::Null => Patch::Clear,
                MaybeUndefined::Value(email) => Patch::Set(email),
            },
            role: self.role.map(Into::into),
            active: self.active,
            time_zone: self.time_zone,
            password: self.password,
            locale: self.locale,
        }
    }
}
