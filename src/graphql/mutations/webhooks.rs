//! ADMIN webhooks: `saveWebhook` and `deleteWebhook`. Callers who are not an ADMIN get a
//! `FORBIDDEN` user error from the service.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::context::{state, store};
use crate::graphql::errors::{UserError, answer, payloads, usual_names};
use crate::graphql::guard::{SignedIn, signed_in};
use crate::graphql::ids::{self, kind};
use crate::graphql::mutations::inputs::number;
use crate::graphql::types::event::ContactEventKind;
use crate::graphql::types::webhook::Webhook;
use crate::service::writes::admin::{self, SaveWebhook};

/// A webhook to create (no id) or change.
#[derive(InputObject)]
pub struct SaveWebhookInput {
    /// The webhook to change; absent: create one (it hears of the events from now on).
    pub id: Option<ID>,
    /// Where deliveries are POSTed: an http(s) URL; private, loopback and link-local
    /// addresses are refused unless the server allows them.
    pub url: String,
    /// The kinds of event delivered (at least one).
    pub events: Vec<ContactEventKind>,
    /// The key deliveries are signed with (16 to 200 characters); never shown again.
    pub secret: String,
    /// Whether deliveries are made.
    #[graphql(default = true)]
    pub active: bool,
}

/// The answer to `saveWebhook`.
#[derive(SimpleObject, Default)]
pub struct SaveWebhookPayload {
    /// The saved webhook.
    pub webhook: Option<Webhook>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

/// The webhook to delete.
#[derive(InputObject)]
pub struct DeleteWebhookInput {
    /// The webhook (its deliveries go with it).
    pub id: ID,
}

/// The answer to `deleteWebhook`.
#[derive(SimpleObject, Default)]
pub struct DeleteWebhookPayload {
    /// The id the deleted webhook had.
    pub deleted_id: Option<ID>,
    /// Why nothing was deleted.
    pub user_errors: Vec<UserError>,
}

payloads!(SaveWebhookPayload, DeleteWebhookPayload);

/// Webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

/// Webhook mutations.
#[Object(guard = "SignedIn")]
impl WebhookMutation {
    /// ADMIN: creates or changes a webhook.
    async fn save_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: SaveWebhookInput,
    ) -> Result<SaveWebhookPayload> {
        let actor = signed_in(ctx)?.actor();
        let save = SaveWebhook {
            id: input.id.as_ref().map(|id| number(id, kind::WEBHOOK)),
            url: input.url,
            events: input.events.into_iter().map(Into::into).collect(),
            secret: input.secret,
            active: input.active,
        };
        let allow_private = state(ctx).webhook_allow_private;
        let outcome = admin::save_webhook(store(ctx), actor, save, allow_private).await;
        if outcome.is_ok() {
            state(ctx).events.webhooks_changed(actor.company_id);
        }
        answer(outcome, usual_names, |saved| SaveWebhookPayload {
            webhook: Some(Webhook(saved)),
            user_errors: vec![],
        })
    }

    /// ADMIN: deletes a webhook and its deliveries.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: DeleteWebhookInput,
    ) -> Result<DeleteWebhookPayload> {
        let actor = signed_in(ctx)?.actor();
        let id = number(&input.id, kind::WEBHOOK);
        let outcome = admin::delete_webhook(store(ctx), actor, id).await;
        answer(outcome, usual_names, |deleted| DeleteWebhookPayload {
            deleted_id: Some(ids::encode(kind::WEBHOOK, deleted)),
            user_errors: vec![],
        })
    }
}
