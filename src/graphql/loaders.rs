//! Per-request data loaders: every relation a list resolves is fetched in one batched statement
//! per kind, whatever the page size. Created for each request, so nothing crosses callers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};

use super::errors::to_graphql;
use super::load_queue::LoadQueue;
use crate::domain::{WorkStatus, WorkflowRules};
use crate::entity::{
    activity, activity_type, contact, pending_activity, stage, stage_activity_rule, todo,
    transition, workflow,
};
use crate::service::company::Reads;
use crate::service::members::{self, Member};
use crate::service::{ServiceError, catalog, lookup, work_items};

/// The loaders' shared state.
pub struct Loaders {
    db: Reads,
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
pub fn for_request(db: &Reads) -> (DataLoader<Loaders>, LoadQueue) {
    let (spawner, queue) = super::load_queue::queue();
    let loader = DataLoader::new(Loaders { db: db.clone() }, spawner)
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

/// An operator by id, as a member of the request's company (none when not one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperatorKey(pub i64);

impl Loader<OperatorKey> for Loaders {
    type Value = Member;
    type Error = LoadError;

    async fn load(&self, keys: &[OperatorKey]) -> Result<HashMap<OperatorKey, Member>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|key| key.0).collect();
        let found = members::members_by_ids(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, member)| (OperatorKey(id), member))
            .collect())
    }
}

by_id!(/// An activity type by id.
    ActivityTypeKey => activity_type);
by_id!(/// A workflow by id.
    WorkflowKey => workflow);
by_id!(/// A stage by id.
    StageKey => stage);
by_id!(/// A transition by id.
    TransitionKey => transition);
by_id!(/// A contact by id.
    ContactKey => contact);
by_id!(/// A done activity by id.
    ActivityKey => activity);
by_id!(/// A pending activity by id.
    PendingKey => pending_activity);
by_id!(/// A to-do by id.
    TodoKey => todo);
children!(/// The stages of a workflow, by position.
    StagesOfWorkflow => stage by WorkflowId, |row| row.workflow_id, order [Position, Id]);
children!(/// The transitions of a workflow, in configured order.
    TransitionsOfWorkflow => transition by WorkflowId, |row| row.workflow_id, order [Position, Id]);
children!(/// The activity rules of a stage, in rule order.
    RulesOfStage => stage_activity_rule by StageId, |row| row.stage_id, order [Position, Id]);
children!(/// The to-dos created for a pending activity, oldest first.
    TodosOfPending => todo by PendingActivityId, |row| row.pending_activity_id.unwrap_or_default(), order [Id]);

/// A workflow's configuration as domain rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RulesOfWorkflow(pub i64);

impl Loader<RulesOfWorkflow> for Loaders {
    type Value = Arc<WorkflowRules>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[RulesOfWorkflow],
    ) -> Result<HashMap<RulesOfWorkflow, Self::Value>, Self::Error> {
        let mut loaded = HashMap::new();
        for key in keys {
            loaded.insert(
                *key,
                Arc::new(catalog::workflow_rules(&self.db, key.0).await?),
            );
        }
        Ok(loaded)
    }
}

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
        let types = catalog::activity_types(&self.db).await?;
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
