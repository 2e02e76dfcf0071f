//! Per-request data loaders: every relation a list resolves is fetched in one batched statement
//! per kind, whatever the page size; configuration and members (stages, activity types,
//! workflows, operators…) come from the company's snapshot in memory, read once per request,
//! and cost no statement. Created for each request, so nothing crosses callers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};

use super::errors::to_graphql;
use super::load_queue::LoadQueue;
use crate::domain::{WorkStatus, WorkflowRules};
use crate::entity::{
    activity, activity_type, contact, pending_activity, stage, stage_activity_rule, todo,
    transition, workflow,
};
use crate::service::company::{InCompany, Reads};
use crate::service::members::Member;
use crate::service::snapshot::{Snapshot, Snapshots};
use crate::service::{ServiceError, ServiceResult, lookup, pipeline, work_items};

/// The loaders' shared state.
pub struct Loaders {
    db: Reads,
    snapshots: Arc<Snapshots>,
    /// The company's snapshot as this request saw it first, for a query.
    pinned: Option<tokio::sync::OnceCell<Arc<Snapshot>>>,
}

impl Loaders {
    /// The company's configuration and members.
    pub async fn snapshot(&self) -> ServiceResult<Arc<Snapshot>> {
        let latest = || self.snapshots.get(self.db.pool(), self.db.company_id());
        match &self.pinned {
            Some(cell) => cell.get_or_try_init(latest).await.cloned(),
            None => latest().await,
        }
    }
}

/// A failed load, shareable between the fields that waited on it.
#[derive(Clone)]
pub struct LoadError(Arc<ServiceError>);

impl From<ServiceError> for LoadError {
    fn from(error: ServiceError) -> Self {
        Self(Arc::new(error))
    }
}

impl From<LoadError> for async_graphql::Error {
    fn from(error: LoadError) -> Self {
        to_graphql(&error.0)
    }
}

/// A fresh loader for one request, and the queue its batch loads wait in: run them with
/// [`LoadQueue::drive`] around the request's execution (or [`LoadQueue::spawn`] for a stream).
/// Loads start as soon as a pass over the resolvers ends, so a single request pays no delay.
/// `pinned` for a query, which shows the configuration of one moment (a mutation shows what it
/// changed, a subscription lives on: they take the latest snapshot each time).
pub fn for_request(
    db: &Reads,
    snapshots: &Arc<Snapshots>,
    pinned: bool,
) -> (DataLoader<Loaders>, LoadQueue) {
    let (spawner, queue) = super::load_queue::queue();
    let loaders = Loaders {
        db: db.clone(),
        snapshots: snapshots.clone(),
        pinned: pinned.then(tokio::sync::OnceCell::new),
    };
    let loader = DataLoader::new(loaders, spawner)
        .delay(Duration::ZERO)
        .max_batch_size(500);
    (loader, queue)
}

macro_rules! by_id {
    ($(#[$doc:meta])* $key:ident => $entity:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for Loaders {
            type Value = $entity::Model;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i64> = keys.iter().map(|key| key.0).collect();
                let rows = lookup::by_ids::<$entity::Entity, _>(&self.db, $entity::Column::Id, &ids, |row| row.id).await?;
                Ok(rows.into_iter().map(|(id, row)| ($key(id), row)).collect())
            }
        }
    };
}

macro_rules! children {
    ($(#[$doc:meta])* $key:ident => $entity:ident by $parent:ident, $parent_of:expr, order [$($order:ident),*]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for Loaders {
            type Value = Vec<$entity::Model>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i64> = keys.iter().map(|key| key.0).collect();
                let rows = lookup::children::<$entity::Entity, _>(
                    &self.db,
                    $entity::Column::$parent,
                    &ids,
                    $parent_of,
                    &[$($entity::Column::$order),*],
                )
                .await?;
                Ok(rows.into_iter().map(|(id, rows)| ($key(id), rows)).collect())
            }
        }
    };
}

/// A key whose value is found in the company's snapshot.
pub trait InSnapshot: std::fmt::Debug {
    /// What the key finds.
    type Value;
    /// The value in `snapshot`, if it holds one.
    fn find(&self, snapshot: &Snapshot) -> Option<Self::Value>;
}

/// A key found in the company's snapshot, also as a loader (for lookups by global id).
macro_rules! from_snapshot {
    ($(#[$doc:meta])* $key:ident => $value:ty, |$snapshot:ident, $id:ident| $find:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl InSnapshot for $key {
            type Value = $value;

            fn find(&self, $snapshot: &Snapshot) -> Option<$value> {
                let $id = self.0;
                $find
            }
        }

        impl Loader<$key> for Loaders {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let snapshot = self.snapshot().await?;
                Ok(keys
                    .iter()
                    .filter_map(|key| key.find(&snapshot).map(|value| (*key, value)))
                    .collect())
            }
        }
    };
}

from_snapshot!(/// An operator by id, as a member of the request's company (none when not one).
    OperatorKey => Member, |snapshot, id| snapshot.member(id).cloned());
from_snapshot!(/// An activity type by id.
    ActivityTypeKey => activity_type::Model, |snapshot, id| snapshot.activity_type(id).cloned());
from_snapshot!(/// A workflow by id.
    WorkflowKey => workflow::Model, |snapshot, id| snapshot.workflow(id).cloned());
from_snapshot!(/// A stage by id.
    StageKey => stage::Model, |snapshot, id| snapshot.stage(id).cloned());
from_snapshot!(/// A transition by id.
    TransitionKey => transition::Model, |snapshot, id| snapshot.transition(id).cloned());
from_snapshot!(/// The stages of a workflow, by position.
    StagesOfWorkflow => Vec<stage::Model>, |snapshot, id| Some(snapshot.stages_of(id)));
from_snapshot!(/// The transitions of a workflow, in configured order.
    TransitionsOfWorkflow => Vec<transition::Model>, |snapshot, id| Some(snapshot.transitions_of(id)));
from_snapshot!(/// The activity rules of a stage, in rule order.
    RulesOfStage => Vec<stage_activity_rule::Model>, |snapshot, id| Some(snapshot.rules_of_stage(id)));
from_snapshot!(/// A workflow's configuration as domain rules.
    RulesOfWorkflow => Arc<WorkflowRules>, |snapshot, id| snapshot.workflow_rules(id));

by_id!(/// A contact by id.
    ContactKey => contact);
by_id!(/// A done activity by id.
    ActivityKey => activity);
by_id!(/// A pending activity by id.
    PendingKey => pending_activity);
by_id!(/// A to-do by id.
    TodoKey => todo);
children!(/// The to-dos created for a pending activity, oldest first.
    TodosOfPending => todo by PendingActivityId, |row| row.pending_activity_id.unwrap_or_default(), order [Id]);

/// Every activity type, in configured order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AllActivityTypes;

impl Loader<AllActivityTypes> for Loaders {
    type Value = Arc<Vec<activity_type::Model>>;
    type Error = LoadError;

    async fn load(
        &self,
        _: &[AllActivityTypes],
    ) -> Result<HashMap<AllActivityTypes, Self::Value>, Self::Error> {
        let types = self.snapshot().await?.activity_types().to_vec();
        Ok(HashMap::from([(AllActivityTypes, Arc::new(types))]))
    }
}

/// The pending activities of a contact with the statuses of a set (a bit per status, in the
/// order of `statuses`), soonest deadline first. Keys with the same set load in one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PendingOfContact {
    /// The contact.
    pub contact_id: i64,
    /// Which statuses: bit `i` set means `statuses[i]`.
    pub statuses: u8,
}

impl PendingOfContact {
    /// The key for a contact and a list of statuses (bit `i` for `WorkStatus::ALL[i]`).
    pub fn new(contact_id: i64, wanted: &[WorkStatus]) -> Self {
        let statuses = WorkStatus::ALL
            .iter()
            .enumerate()
            .filter(|(_, status)| wanted.contains(status))
            .fold(0u8, |bits, (i, _)| bits | (1 << i));
        Self {
            contact_id,
            statuses,
        }
    }

    /// The statuses of a set of bits.
    fn statuses(bits: u8) -> Vec<WorkStatus> {
        WorkStatus::ALL
            .into_iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, status)| status)
            .collect()
    }
}

impl Loader<PendingOfContact> for Loaders {
    type Value = Vec<pending_activity::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[PendingOfContact],
    ) -> Result<HashMap<PendingOfContact, Self::Value>, Self::Error> {
        let mut by_statuses: HashMap<u8, Vec<i64>> = HashMap::new();
        for key in keys {
            by_statuses
                .entry(key.statuses)
                .or_default()
                .push(key.contact_id);
        }
        let mut loaded = HashMap::new();
        for (statuses, contact_ids) in by_statuses {
            let key = |contact_id| PendingOfContact {
                contact_id,
                statuses,
            };
            let wanted = PendingOfContact::statuses(statuses);
            let mut grouped =
                work_items::pending_of_contacts(&self.db, &contact_ids, &wanted).await?;
            for contact_id in contact_ids {
                loaded.insert(
                    key(contact_id),
                    grouped.remove(&contact_id).unwrap_or_default(),
                );
            }
        }
        Ok(loaded)
    }
}

/// The newest done activity of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LastActivityOfContact(pub i64);

impl Loader<LastActivityOfContact> for Loaders {
    type Value = activity::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[LastActivityOfContact],
    ) -> Result<HashMap<LastActivityOfContact, Self::Value>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|key| key.0).collect();
        let newest = work_items::last_activities(&self.db, &ids).await?;
        Ok(newest
            .into_iter()
            .map(|(contact_id, row)| (LastActivityOfContact(contact_id), row))
            .collect())
    }
}

/// The number of contacts in a stage now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContactsInStage(pub i64);

impl Loader<ContactsInStage> for Loaders {
    type Value = i64;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ContactsInStage],
    ) -> Result<HashMap<ContactsInStage, Self::Value>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|key| key.0).collect();
        let counts = pipeline::contacts_per_stage(&self.db, &ids).await?;
        Ok(counts
            .into_iter()
            .map(|(stage, count)| (ContactsInStage(stage), count))
            .collect())
    }
}

/// What `key` finds in the request's snapshot (a lookup in memory: no batch, no statement);
/// a key it does not find is a dangling reference.
pub async fn known<K: InSnapshot>(ctx: &Context<'_>, key: K) -> async_graphql::Result<K::Value> {
    let snapshot = super::context::snapshot(ctx).await?;
    key.find(&snapshot).ok_or_else(|| {
        to_graphql(&ServiceError::Internal(format!(
            "dangling reference {key:?}"
        )))
    })
}

/// Loads one value that must exist (a foreign key target).
pub async fn required<K>(
    loader: &DataLoader<Loaders>,
    key: K,
) -> async_graphql::Result<<Loaders as Loader<K>>::Value>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + std::fmt::Debug + 'static,
    Loaders: Loader<K, Error = LoadError>,
{
    loader.load_one(key.clone()).await?.ok_or_else(|| {
        to_graphql(&ServiceError::Internal(format!(
            "dangling reference {key:?}"
        )))
    })
}
