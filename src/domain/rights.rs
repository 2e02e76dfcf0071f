//! Who may do what with the work of others (API.md, "Who may do what").

use super::role::Role;

/// The people a pending activity concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingParties {
    /// Who must do it.
    pub assignee: i64,
    /// Who scheduled it.
    pub creator: i64,
    /// The owner of its contact, if any.
    pub owner: Option<i64>,
}

/// Whether `caller` (with `role`) may complete or cancel a pending activity: its assignee, its
/// creator, its contact's owner, a MANAGER or an ADMIN.
pub fn may_close_pending(caller: i64, role: Role, parties: PendingParties) -> bool {
    matches!(role, Role::Admin | Role::Manager)
        || caller == parties.assignee
        || caller == parties.creator
        || parties.owner == Some(caller)
}

/// Whether `caller` may complete a to-do on `owner`'s list: its operator or an ADMIN.
pub fn may_complete_todo(caller: i64, role: Role, owner: i64) -> bool {
    caller == owner || role.may_configure()
}

/// Whether `caller` sees a reminder of `assignee`: only its assignee does.
pub fn may_see_reminder(caller: i64, assignee: i64) -> bool {
    caller == assignee
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTIES: PendingParties = PendingParties {
        assignee: 1,
        creator: 2,
        owner: Some(3),
    };

    #[test]
    fn the_people_of_a_pending_activity_and_managers_may_close_it() {
        for caller in [1, 2, 3] {
            assert!(
                may_close_pending(caller, Role::Operator, PARTIES),
                "{caller}"
            );
        }
        assert!(may_close_pending(9, Role::Manager, PARTIES));
        assert!(may_close_pending(9, Role::Admin, PARTIES));
        assert!(!may_close_pending(9, Role::Operator, PARTIES));
        let unowned = PendingParties {
            owner: None,
            ..PARTIES
        };
        assert!(!may_close_pending(3, Role::Operator, unowned));
    }

    #[test]
    fn a_todo_is_its_operators_or_an_admins_and_a_reminder_its_assignees() {
        assert!(may_complete_todo(4, Role::Operator, 4));
        assert!(may_complete_todo(5, Role::Admin, 4));
        assert!(!may_complete_todo(5, Role::Manager, 4));
        assert!(may_see_reminder(4, 4) && !may_see_reminder(5, 4));
    }
}
