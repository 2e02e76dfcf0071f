//! `saveCompany`: its input and payload.

use async_graphql::{ID, InputObject, SimpleObject};

use crate::graphql::errors::{UserError, payloads};
use crate::graphql::ids::kind;
use crate::graphql::mutations::inputs::number;
use crate::graphql::types::company::Company;
use crate::service::writes::admin::SaveCompany;

/// A company to create (no id) or rename.
#[derive(InputObject)]
pub struct SaveCompanyInput {
    /// The company to rename (one the caller is an ADMIN of); absent: create one, with the
    /// caller as its first ADMIN.
    pub id: Option<ID>,
    /// Short code, unique in the group; what `login` takes as `companyCode`.
    pub code: String,
    /// Name shown to people.
    pub name: String,
}

impl SaveCompanyInput {
    /// The service form.
    pub fn into_service(self) -> SaveCompany {
        SaveCompany {
            id: self.id.as_ref().map(|id| number(id, kind::COMPANY)),
            code: self.code,
            name: self.name,
        }
    }
}

/// The answer to `saveCompany`.
#[derive(SimpleObject, Default)]
pub struct SaveCompanyPayload {
    /// The saved company.
    pub company: Option<Company>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

payloads!(SaveCompanyPayload);
