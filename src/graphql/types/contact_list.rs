//! How a client asks for a list of contacts: the filter and the order.

use async_graphql::{Enum, ID, InputObject};

use crate::graphql::ids::{self, kind};
use crate::graphql::scalars::DateTime;
use crate::service::contacts;

/// Which contacts a list shows; every given criterion must hold.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ContactFilter {
    /// Part of the name, e-mail or phone (case-insensitive).
    pub search: Option<String>,
    /// Only this workflow.
    pub workflow_id: Option<ID>,
    /// Only these stages.
    pub stage_ids: Option<Vec<ID>>,
    /// Only contacts owned by this operator.
    pub owner_id: Option<ID>,
    /// true: only contacts with an open pending activity; false: only those without.
    pub has_open_pending: Option<bool>,
    /// true: only contacts with an open pending activity past its deadline; false: only those without.
    pub overdue: Option<bool>,
    /// true: only stale contacts (untouched for their stage's `staleAfterDays` or longer); false:
    /// only the others.
    pub stale: Option<bool>,
    /// Only contacts changed after this moment (a save, an activity, a stage change): with
    /// `contactEvents(after:)`, how an app that was offline catches up.
    pub updated_after: Option<DateTime>,
}

impl ContactFilter {
    /// The service filter; ids that name nothing match nothing.
    pub fn to_service(&self) -> contacts::ContactFilter {
        contacts::ContactFilter {
            search: self.search.clone(),
            workflow_id: self
                .workflow_id
                .as_ref()
                .map(|id| ids::filter_value(id, kind::WORKFLOW)),
            stage_ids: self.stage_ids.as_ref().map(|list| {
                list.iter()
                    .map(|id| ids::filter_value(id, kind::STAGE))
                    .collect()
            }),
            owner_id: self
                .owner_id
                .as_ref()
                .map(|id| ids::filter_value(id, kind::OPERATOR)),
            has_open_pending: self.has_open_pending,
            overdue: self.overdue,
            stale: self.stale,
            stale_rules: Vec::new(),
            updated_after: self.updated_after.map(|moment| moment.0),
        }
    }
}

/// The key a contact list is sorted by; ties are broken by id, so the order is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ContactOrderField {
    /// By name.
    Name,
    /// By creation time.
    CreatedAt,
    /// By last change.
    UpdatedAt,
    /// By when the contact entered its stage.
    StageEnteredAt,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum OrderDirection {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// How a contact list is ordered (default: most recently updated first).
#[derive(Debug, Clone, Copy, InputObject)]
pub struct ContactOrder {
    /// The sort key.
    #[graphql(default_with = "ContactOrderField::UpdatedAt")]
    pub field: ContactOrderField,
    /// The direction.
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

impl ContactOrder {
    /// The service sort key and whether it is descending.
    pub fn to_service(order: Option<ContactOrder>) -> (contacts::ContactSort, bool) {
        let order = order.unwrap_or(ContactOrder {
            field: ContactOrderField::UpdatedAt,
            direction: OrderDirection::Desc,
        });
        let sort = match order.field {
            ContactOrderField::Name => contacts::ContactSort::Name,
            ContactOrderField::CreatedAt => contacts::ContactSort::CreatedAt,
            ContactOrderField::UpdatedAt => contacts::ContactSort::UpdatedAt,
            ContactOrderField::StageEnteredAt => contacts::ContactSort::StageEnteredAt,
        };
        (sort, order.direction == OrderDirection::Desc)
    }
}
