//! `saveWebhook` and `deleteWebhook` (ADMIN): a target checked before it is stored — an
//! http(s) URL whose host, as written and as it resolves now (when it does), is no private,
//! loopback or link-local address unless the setting allows them — at least one kind of event, and a
//! secret long enough not to be guessed. A new webhook starts at the company's latest event:
//! it hears of what happens from then on.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter};

use super::{Problems, require_admin, row_to_change};
use crate::domain::event::ContactEventKind;
use crate::domain::limits::check_text;
use crate::domain::webhook::{SECRET_MAX, SECRET_MIN, TargetProblem, check_target, reachable};
use crate::domain::{Field, FieldViolation, RuleCode};
use crate::entity::{webhook, webhook_delivery};
use crate::service::company;
use crate::service::writes::{Actor, Write};
use crate::service::{ServiceResult, Store, clock, events};

/// A webhook to create (no id) or change.
#[derive(Debug, Clone)]
pub struct SaveWebhook {
    /// The webhook to change; none: create.
    pub id: Option<i64>,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The kinds of event delivered.
    pub events: Vec<ContactEventKind>,
    /// The key deliveries are signed with.
    pub secret: String,
    /// Whether deliveries are made.
    pub active: bool,
}

/// The kinds of a webhook as stored: their names, comma-separated, in the order of the kinds.
pub fn stored_kinds(kinds: &[ContactEventKind]) -> String {
    let mut kinds = kinds.to_vec();
    kinds.sort();
    kinds.dedup();
    kinds
        .iter()
        .map(|kind| kind.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The kinds a stored webhook lists.
pub fn kinds_of(stored: &str) -> Vec<ContactEventKind> {
    stored
        .split(',')
        .filter_map(|kind| kind.parse().ok())
        .collect()
}

/// How long saving waits for a target's host to resolve.
const RESOLVE_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether the target's host, as it resolves now, names only addresses deliveries may go to.
/// A host that does not resolve (yet) is taken: every delivery checks the addresses it
/// connects to again, so a name that later points inside is refused then.
async fn check_resolved(url: &url::Url, allow_private: bool) -> Result<(), TargetProblem> {
    let Some(url::Host::Domain(host)) = url.host() else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::time::timeout(RESOLVE_WITHIN, tokio::net::lookup_host((host, port)));
    let Ok(Ok(addresses)) = lookup.await else {
        return Ok(());
    };
    for address in addresses {
        if !reachable(address.ip(), allow_private) {
            return Err(TargetProblem::Private(address.ip()));
        }
    }
    Ok(())
}

/// The problems of the input, all at once.
async fn problems_of(input: &SaveWebhook, allow_private: bool) -> Problems {
    let mut problems = Problems::default();
    if let Err(violation) = check_text("URL", &input.url, crate::domain::webhook::URL_MAX) {
        problems.push(FieldViolation::at(Field::Url, violation));
    } else {
        let checked = match check_target(&input.url, allow_private) {
            Ok(url) => check_resolved(&url, allow_private).await,
            Err(problem) => Err(problem),
        };
        if let Err(problem) = checked {
            let code = match problem {
                TargetProblem::TooLong => RuleCode::TooLong,
                _ => RuleCode::InvalidInput,
            };
            problems.push(FieldViolation::new(Field::Url, code, problem.to_string()));
        }
    }
    if input.events.is_empty() {
        let message = "list at least one kind of event";
        problems.push(FieldViolation::new(
            Field::Events,
            RuleCode::InvalidInput,
            message,
        ));
    }
    if let Err(violation) = check_text("secret", &input.secret, SECRET_MAX) {
        problems.push(FieldViolation::at(Field::Secret, violation));
    } else if input.secret.chars().count() < SECRET_MIN {
        let message = format!("the secret needs at least {SECRET_MIN} characters");
        problems.push(FieldViolation::new(
            Field::Secret,
            RuleCode::InvalidInput,
            message,
        ));
    }
    problems
}

/// Creates or changes a webhook.
pub async fn save_webhook(
    store: &Store,
    actor: Actor,
    input: SaveWebhook,
    allow_private: bool,
) -> ServiceResult<webhook::Model> {
    require_admin(actor)?;
    let problems = problems_of(&input, allow_private).await;
    if input.id.is_none() {
        // Every committed event numbered, so that the new webhook starts after the latest.
        while events::sequence(&store.db, actor.company_id).await? == events::Sequenced::More {}
    }
    let write = Write::begin(store, actor.company_id).await?;
    let existing = row_to_change::<webhook::Entity>(&*write, input.id, "webhook").await?;
    problems.check()?;
    let now = clock::now();
    let saved = match existing {
        Some(row) => {
            let mut row = row.into_active_model();
            row.url = Set(input.url.trim().to_owned());
            row.events = Set(stored_kinds(&input.events));
            row.secret = Set(input.secret);
            row.active = Set(input.active);
            row.updated_at = Set(now);
            row.update(&*write).await?
        }
        None => {
            let position = events::head(&*write).await?.seq;
            let row = webhook::ActiveModel {
                id: NotSet,
                company_id: NotSet,
                url: Set(input.url.trim().to_owned()),
                events: Set(stored_kinds(&input.events)),
                secret: Set(input.secret),
                active: Set(input.active),
                position: Set(position),
                lease_owner: Set(None),
                lease_until: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            };
            company::insert(&*write, row).await?
        }
    };
    write.commit().await?;
    Ok(saved)
}

/// Deletes a webhook and its deliveries; the id it had.
pub async fn delete_webhook(store: &Store, actor: Actor, id: i64) -> ServiceResult<i64> {
    require_admin(actor)?;
    let write = Write::begin(store, actor.company_id).await?;
    let Some(found) = row_to_change::<webhook::Entity>(&*write, Some(id), "webhook").await? else {
        return Err(crate::service::writes::refuse(
            Field::Record,
            RuleCode::NotFound,
            "no such webhook",
        ));
    };
    company::delete_many::<webhook_delivery::Entity>(&*write)
        .filter(webhook_delivery::Column::WebhookId.eq(found.id))
        .exec(&*write)
        .await?;
    company::delete_many::<webhook::Entity>(&*write)
        .filter(webhook::Column::Id.eq(found.id))
        .exec(&*write)
        .await?;
    write.commit().await?;
    Ok(found.id)
}
