//! A company of the group, as its members see it.

use async_graphql::{Context, ID, Object, Result};

use crate::entity::company;
use crate::graphql::context::directory;
use crate::graphql::errors::ApiResult;
use crate::graphql::guard::signed_in;
use crate::graphql::ids::{self, kind};
use crate::service::companies;

/// A company of the group: its workflows, activity types, contacts and people are its own.
pub struct Company(pub company::Model);

/// A company of the group: its workflows, activity types, contacts and people are its own.
#[Object]
impl Company {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::COMPANY, self.0.id)
    }
    /// Short code, unique in the group, for example `ACME`; given at sign-in (`companyCode`).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name shown to people.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// The companies an operator belongs to that the caller belongs to too.
pub async fn shared_companies(ctx: &Context<'_>, operator_id: i64) -> Result<Vec<Company>> {
    let who = signed_in(ctx)?;
    let found = companies::shared(directory(ctx), who.operator.id, operator_id)
        .await
        .api()?;
    Ok(found.into_iter().map(Company).collect())
}
