//! `saveContact` and `moveContactToStage`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};

use super::inputs::{ActivityInput, PendingActivityInput, number};
use crate::domain::Field;
use crate::graphql::context::store;
use crate::graphql::errors::{UserError, answer, payloads, usual_names};
use crate::graphql::guard::{SignedIn, signed_in};
use crate::graphql::ids::kind;
use crate::graphql::types::contact::Contact;
use crate::graphql::types::stage_change::StageChange;
use crate::graphql::types::todo::Todo;
use crate::graphql::types::work::{Activity, PendingActivity};
use crate::service::writes::Patch;
use crate::service::writes::save_contact::{SaveContact, SavedContact, save_contact};

/// The contact form: the contact's fields, the activity just done, a stage move and the next
/// pending activity, saved together or not at all.
#[derive(Debug, Clone, InputObject)]
pub struct SaveContactInput {
    /// The contact to update; absent: create one, in its workflow's initial stage.
    pub id: Option<ID>,
    /// The version the client last read; required when `id` is given.
    pub expected_version: Option<i32>,
    /// Makes retries safe: the same key with the same input answers the first payload and writes nothing.
    pub idempotency_key: Option<String>,
    /// Name (at most 200 characters); required on create.
    pub name: Option<String>,
    /// E-mail address (at most 254 characters); null clears it.
    pub email: MaybeUndefined<String>,
    /// Phone number; null clears it.
    pub phone: MaybeUndefined<String>,
    /// The responsible operator; null clears it.
    pub owner_id: MaybeUndefined<ID>,
    /// The workflow of a new contact (default: the default workflow).
    pub workflow_id: Option<ID>,
    /// A stage to move to in the same save, along a transition of the workflow.
    pub to_stage_id: Option<ID>,
    /// A note for the stage log when the save moves the contact.
    pub note: Option<String>,
    /// The activity just done, recorded in the stage the contact is in before the save.
    pub activity: Option<ActivityInput>,
    /// The next activity to do, checked against the stage after the save.
    pub pending_activity: Option<PendingActivityInput>,
}

fn patch<T, U>(value: &MaybeUndefined<T>, map: impl Fn(&T) -> U) -> Patch<U> {
    match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(map(v)),
    }
}

impl SaveContactInput {
    fn to_service(&self) -> SaveContact {
        SaveContact {
            id: self.id.as_ref().map(|id| number(id, kind::CONTACT)),
            expected_version: self.expected_version,
            idempotency_key: self.idempotency_key.clone(),
            name: self.name.clone(),
            email: patch(&self.email, Clone::clone),
            phone: patch(&self.phone, Clone::clone),
            owner_id: patch(&self.owner_id, |id| number(id, kind::OPERATOR)),
            workflow_id: self
                .workflow_id
                .as_ref()
                .map(|id| number(id, kind::WORKFLOW)),
            to_stage_id: self.to_stage_id.as_ref().map(|id| number(id, kind::STAGE)),
            note: self.note.clone(),
            activity: self.activity.as_ref().map(ActivityInput::to_service),
            pending: self
                .pending_activity
                .as_ref()
                .map(PendingActivityInput::to_service),
            must_move: false,
        }
    }
}

/// The answer to `saveContact`.
#[derive(SimpleObject, Default)]
pub struct SaveContactPayload {
    /// The contact after the save.
    pub contact: Option<Contact>,
    /// The recorded activity.
    pub activity: Option<Activity>,
    /// The scheduled pending activity.
    pub pending_activity: Option<PendingActivity>,
    /// The to-do created for it.
    pub todo: Option<Todo>,
    /// The stage change (the entry into the initial stage when the save created the contact).
    pub stage_change: Option<StageChange>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

impl From<SavedContact> for SaveContactPayload {
    fn from(saved: SavedContact) -> Self {
        Self {
            contact: Some(Contact(saved.contact)),
            activity: saved.activity.map(Activity),
            pending_activity: saved.pending.map(PendingActivity),
            todo: saved.todo.map(Todo),
            stage_change: saved.stage_change.map(StageChange),
            user_errors: vec![],
        }
    }
}

/// Moves a contact along a transition of its workflow.
#[derive(Debug, Clone, InputObject)]
pub struct MoveContactToStageInput {
    /// The contact.
    pub contact_id: ID,
    /// The stage to move to.
    pub to_stage_id: ID,
    /// The version the client last read.
    pub expected_version: i32,
    /// A note for the stage log (at most 10,000 characters).
    pub note: Option<String>,
}

/// The answer to `moveContactToStage`.
#[derive(SimpleObject, Default)]
pub struct MoveContactToStagePayload {
    /// The contact after the move.
    pub contact: Option<Contact>,
    /// The stage log row written.
    pub stage_change: Option<StageChange>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

payloads!(SaveContactPayload, MoveContactToStagePayload);

/// `moveContactToStage` names its contact `contactId`.
fn move_names(field: Field) -> Option<&'static str> {
    (field == Field::Record).then_some("contactId")
}

/// Contact mutations.
#[derive(Default)]
pub struct ContactMutation;

/// Contact mutations.
#[Object(guard = "SignedIn")]
impl ContactMutation {
    /// Creates or updates a contact with its activity, stage move and pending activity, in one
    /// transaction; every workflow rule is applied, or nothing is written.
    async fn save_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: SaveContactInput,
    ) -> Result<SaveContactPayload> {
        let actor = signed_in(ctx)?.actor();
        let outcome = save_contact(store(ctx), actor, input.to_service()).await;
        answer(outcome, usual_names, SaveContactPayload::from)
    }

    /// Moves a contact to another stage along a transition; writes one stage log row.
    async fn move_contact_to_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: MoveContactToStageInput,
    ) -> Result<MoveContactToStagePayload> {
        let actor = signed_in(ctx)?.actor();
        let save = SaveContact {
            id: Some(number(&input.contact_id, kind::CONTACT)),
            expected_version: Some(input.expected_version),
            to_stage_id: Some(number(&input.to_stage_id, kind::STAGE)),
            note: input.note.clone(),
            must_move: true,
            ..Default::default()
        };
        let outcome = save_contact(store(ctx), actor, save).await;
        answer(outcome, move_names, |saved| MoveContactToStagePayload {
            contact: Some(Contact(saved.contact)),
            stage_change: saved.stage_change.map(StageChange),
            user_errors: vec![],
        })
    }
}
