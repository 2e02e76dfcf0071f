//! What GraphiQL's example tabs refer to: the default workflow's example, as the domain picks it.

use sea_orm::ConnectionTrait;

use super::ServiceResult;
use super::catalog::{activity_types, type_infos, workflow_rules, workflows};
use crate::domain::explorer::{ExplorerExample, example};

/// The example for the default workflow; `None` when there is no workflow yet.
pub async fn default_example(db: &impl ConnectionTrait) -> ServiceResult<Option<ExplorerExample>> {
    let Some(workflow) = workflows(db).await?.into_iter().next() else {
        return Ok(None);
    };
    let rules = workflow_rules(db, workflow.id).await?;
    let types = activity_types(db).await?;
    Ok(example(&rules, &type_infos(&types)))
}
