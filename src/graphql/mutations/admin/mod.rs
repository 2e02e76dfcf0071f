//! ADMIN configuration: `saveWorkflow`, `saveActivityType`, `deleteActivityType`, `saveOperator`,
//! `saveCompany`.
//! Callers who are not an ADMIN get a `FORBIDDEN` user error from the service.

mod company;
mod inputs;

use async_graphql::{Context, Object, Result};

use self::company::{SaveCompanyInput, SaveCompanyPayload};
use self::inputs::{
    DeleteActivityTypeInput, SaveActivityTypeInput, SaveActivityTypePayload, SaveOperatorInput,
    SaveOperatorPayload, SaveWorkflowInput, SaveWorkflowPayload, to_workflow,
};
use crate::graphql::context::store;
use crate::graphql::errors::{answer, usual_names};
use crate::graphql::guard::{SignedIn, signed_in};
use crate::graphql::ids::kind;
use crate::graphql::mutations::inputs::number;
use crate::graphql::types::company::Company;
use crate::graphql::types::config::{ActivityType, Operator, Workflow};
use crate::service::writes::admin::{self, workflow as workflows};

/// Configuration mutations.
#[derive(Default)]
pub struct AdminMutation;

/// Configuration mutations.
#[Object(guard = "SignedIn")]
impl AdminMutation {
    /// Creates or replaces a workflow with its stages, stage activity rules and transitions.
    async fn save_workflow(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: SaveWorkflowInput,
    ) -> Result<SaveWorkflowPayload> {
        let actor = signed_in(ctx)?.actor();
        let outcome = workflows::save_workflow(store(ctx), actor, to_workflow(&input)).await;
        answer(outcome, usual_names, |saved| SaveWorkflowPayload {
            workflow: Some(Workflow(saved)),
            user_errors: vec![],
        })
    }

    /// Creates or changes an activity type.
    async fn save_activity_type(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: SaveActivityTypeInput,
    ) -> Result<SaveActivityTypePayload> {
        let actor = signed_in(ctx)?.actor();
        let outcome = admin::save_activity_type(store(ctx), actor, input.to_service()).await;
        answer(outcome, usual_names, |saved| SaveActivityTypePayload {
            activity_type: Some(ActivityType(saved)),
            user_errors: vec![],
        })
    }

    /// Deletes an activity type; refused while anything uses it (deactivate it instead).
    async fn delete_activity_type(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: DeleteActivityTypeInput,
    ) -> Result<SaveActivityTypePayload> {
        let actor = signed_in(ctx)?.actor();
        let id = number(&input.id, kind::ACTIVITY_TYPE);
        let outcome = admin::delete_activity_type(store(ctx), actor, id).await;
        answer(outcome, usual_names, |deleted| SaveActivityTypePayload {
            activity_type: Some(ActivityType(deleted)),
            user_errors: vec![],
        })
    }

    /// ADMIN: creates or renames a company; its creator becomes its ADMIN.
    async fn save_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: SaveCompanyInput,
    ) -> Result<SaveCompanyPayload> {
        let actor = signed_in(ctx)?.actor();
        let outcome = admin::save_company(store(ctx), actor, input.into_service()).await;
        answer(outcome, usual_names, |saved| SaveCompanyPayload {
            company: Some(Company(saved)),
            user_errors: vec![],
        })
    }

    /// Creates or changes an operator of the caller's company (the person, and their role and
    /// activity in this company only); the company's last active ADMIN stays an active ADMIN.
    async fn save_operator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: SaveOperatorInput,
    ) -> Result<SaveOperatorPayload> {
        let actor = signed_in(ctx)?.actor();
        let outcome = admin::save_operator(store(ctx), actor, input.into_service()).await;
        answer(outcome, usual_names, |saved| SaveOperatorPayload {
            operator: Some(Operator(saved)),
            user_errors: vec![],
        })
    }
}
