//! `moveContactsToStage`: many contacts to one stage, a result for each.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::inputs::number;
use crate::graphql::context::store;
use crate::graphql::errors::{UserError, answer, payloads, usual_names};
use crate::graphql::guard::{SignedIn, signed_in};
use crate::graphql::ids::kind;
use crate::graphql::scalars::int;
use crate::graphql::types::contact::Contact;
use crate::graphql::types::stage_change::StageChange;
use crate::service::writes::bulk_move::{BulkMove, BulkMoved, move_contacts};

/// Moves many contacts to one stage, each by the rules of `moveContactToStage`.
#[derive(Debug, Clone, InputObject)]
pub struct MoveContactsToStageInput {
    /// The contacts, 1 to 500; the results come back in this order, one per id.
    pub contact_ids: Vec<ID>,
    /// The stage to move them to.
    pub to_stage_id: ID,
    /// A note on every stage change (at most 10,000 characters).
    pub note: Option<String>,
    /// true: move all or none; false: move each that passes its rules.
    #[graphql(default = false)]
    pub all_or_none: bool,
    /// Makes retries safe: the same key with the same input answers the first payload and
    /// writes nothing.
    pub idempotency_key: Option<String>,
}

/// What became of one listed contact.
#[derive(SimpleObject)]
pub struct ContactMoveResult {
    /// The id as listed.
    pub contact_id: ID,
    /// The contact after the move (or as it stays); null for an id that names none.
    pub contact: Option<Contact>,
    /// The stage log row written; null when the contact did not move.
    pub stage_change: Option<StageChange>,
    /// Why it did not move.
    pub user_errors: Vec<UserError>,
}

/// The answer to `moveContactsToStage`.
#[derive(SimpleObject, Default)]
pub struct MoveContactsToStagePayload {
    /// One result per listed id, in input order.
    pub results: Vec<ContactMoveResult>,
    /// How many contacts moved.
    pub moved_count: i32,
    /// Why nothing at all was done (too many ids, an unknown stage…).
    pub user_errors: Vec<UserError>,
}

payloads!(MoveContactsToStagePayload);

impl MoveContactsToStagePayload {
    fn of(listed: Vec<ID>, moved: BulkMoved) -> Self {
        let results = listed
            .into_iter()
            .zip(moved.results)
            .map(|(contact_id, result)| ContactMoveResult {
                contact_id,
                contact: result.contact.map(Contact),
                stage_change: result.stage_change.map(StageChange),
                user_errors: result
                    .problems
                    .iter()
                    .map(|problem| UserError::of(problem, usual_names))
                    .collect(),
            })
            .collect();
        Self {
            results,
            moved_count: int(moved.moved_count),
            user_errors: vec![],
        }
    }
}

/// Bulk mutations.
#[derive(Default)]
pub struct BulkMutation;

/// Bulk mutations.
#[Object(guard = "SignedIn")]
impl BulkMutation {
    /// Moves up to 500 contacts to one stage in one transaction, each checked by the rules of
    /// `moveContactToStage` (no `expectedVersion`: each moves from its stored version and
    /// bumps it); results in input order, each with its own `userErrors`. The stage log rows
    /// say `via: BULK_MOVE`.
    async fn move_contacts_to_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: MoveContactsToStageInput,
    ) -> Result<MoveContactsToStagePayload> {
        let actor = signed_in(ctx)?.actor();
        let bulk = BulkMove {
            contact_ids: input
                .contact_ids
                .iter()
                .map(|id| number(id, kind::CONTACT))
                .collect(),
            to_stage_id: number(&input.to_stage_id, kind::STAGE),
            note: input.note,
            all_or_none: input.all_or_none,
            idempotency_key: input.idempotency_key,
        };
        let outcome = move_contacts(store(ctx), actor, bulk).await;
        let listed = input.contact_ids;
        answer(outcome, usual_names, |moved| {
            MoveContactsToStagePayload::of(listed, moved)
        })
    }
}
