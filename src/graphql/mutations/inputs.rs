//! Inputs shared by several mutations, and their translation to service inputs.

use async_graphql::{ID, InputObject};

use crate::graphql::ids::{self, kind};
use crate::graphql::scalars::DateTime;
use crate::service::writes::save_contact::{NewActivity, NewPending};

/// An activity that was just done. Its date and operator are set by the server.
#[derive(Debug, Clone, InputObject)]
pub struct ActivityInput {
    /// Its type; it must be allowed in the stage the contact is in before the save.
    pub activity_type_id: ID,
    /// What was done (at most 10,000 characters).
    pub description: Option<String>,
}

/// The next activity to do.
#[derive(Debug, Clone, InputObject)]
pub struct PendingActivityInput {
    /// Its type; it must be allowed in the stage the contact is in after the save.
    pub activity_type_id: ID,
    /// What is to be done (at most 10,000 characters).
    pub description: Option<String>,
    /// Data chiusura: the deadline.
    pub due_at: Option<DateTime>,
    /// Operatore: who must do it (default: the caller); must be active.
    pub assignee_id: Option<ID>,
    /// When the reminder starts showing; give both ends of the window or neither.
    pub reminder_starts_at: Option<DateTime>,
    /// When the reminder stops showing; after its start.
    pub reminder_ends_at: Option<DateTime>,
    /// Crea attività: put a to-do on the assignee's list, linked to this pending activity.
    #[graphql(default = false)]
    pub create_todo: bool,
}

/// The number inside an id of the expected kind; ids that name nothing become -1 (not found).
pub fn number(id: &ID, expected: &str) -> i64 {
    ids::filter_value(id, expected)
}

impl ActivityInput {
    /// The service form.
    pub fn to_service(&self) -> NewActivity {
        NewActivity {
            activity_type_id: number(&self.activity_type_id, kind::ACTIVITY_TYPE),
            description: self.description.clone(),
        }
    }
}

impl PendingActivityInput {
    /// The service form.
    pub fn to_service(&self) -> NewPending {
        NewPending {
            activity_type_id: number(&self.activity_type_id, kind::ACTIVITY_TYPE),
            description: self.description.clone(),
            due_at: self.due_at.map(|d| d.0),
            assignee_id: self
                .assignee_id
                .as_ref()
                .map(|id| number(id, kind::OPERATOR)),
            reminder_starts_at: self.reminder_starts_at.map(|d| d.0),
            reminder_ends_at: self.reminder_ends_at.map(|d| d.0),
            create_todo: self.create_todo,
        }
    }
}
