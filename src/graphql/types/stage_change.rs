//! The stage log: one row per stage change.

use async_graphql::{Context, Enum, ID, Object, Result};

use super::config::{Operator, Stage};
use super::contact::Contact;
use crate::domain;
use crate::entity::stage_change;
use crate::graphql::context::loader;
use crate::graphql::ids::{self, kind};
use crate::graphql::loaders::{ContactKey, OperatorKey, StageKey, known, required};
use crate::graphql::scalars::{DateTime, int};

/// Log: one row per stage change.
pub struct StageChange(pub stage_change::Model);

/// How a stage change came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum StageChangeVia {
    /// The contact was created: its entry into the first stage.
    Create,
    /// A `saveContact` that named a target stage.
    Save,
    /// `moveContactToStage`.
    Move,
    /// `moveContactsToStage`.
    BulkMove,
}

impl From<domain::StageChangeVia> for StageChangeVia {
    fn from(via: domain::StageChangeVia) -> Self {
        match via {
            domain::StageChangeVia::Create => Self::Create,
            domain::StageChangeVia::Save => Self::Save,
            domain::StageChangeVia::Move => Self::Move,
            domain::StageChangeVia::BulkMove => Self::BulkMove,
        }
    }
}

/// Log: one row per stage change.
#[Object]
impl StageChange {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::STAGE_CHANGE, self.0.id)
    }
    /// The contact that moved.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Contact> {
        Ok(Contact(
            required(loader(ctx), ContactKey(self.0.contact_id)).await?,
        ))
    }
    /// The stage left; null for the row written when the contact was created.
    async fn from(&self, ctx: &Context<'_>) -> Result<Option<Stage>> {
        match self.0.from_stage_id {
            Some(id) => Ok(Some(Stage(known(ctx, StageKey(id)).await?))),
            None => Ok(None),
        }
    }
    /// The stage entered.
    async fn to(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(known(ctx, StageKey(self.0.to_stage_id)).await?))
    }
    /// Who moved it.
    async fn operator(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(known(ctx, OperatorKey(self.0.operator_id)).await?))
    }
    /// When (server time).
    async fn changed_at(&self) -> DateTime {
        self.0.changed_at.into()
    }
    /// Why, if the operator said.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// How long the contact had been in the stage it left, in seconds (null for the first row).
    async fn seconds_in_previous_stage(&self) -> Option<i32> {
        self.0.seconds_in_previous_stage.map(int)
    }
    /// How the change came about.
    async fn via(&self) -> StageChangeVia {
        self.0.via.into()
    }
}
