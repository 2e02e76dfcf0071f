//! Operator roles and what each may do.

use super::name::{UnknownName, named};

/// The role of an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Configures workflows, activity types and operators; takes every transition.
    Admin,
    /// Works contacts; takes transitions reserved to managers.
    Manager,
    /// Works contacts.
    Operator,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Manager, Role::Operator];

    /// The stored and displayed name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Manager => "MANAGER",
            Role::Operator => "OPERATOR",
        }
    }

    /// Whether this role may change workflows, activity types and operators.
    pub fn may_configure(self) -> bool {
        self == Role::Admin
    }

    /// Whether a transition restricted to `allowed` may be taken by this role.
    /// An empty list admits every role; ADMIN takes every transition.
    pub fn may_take(self, allowed: &[Role]) -> bool {
        self == Role::Admin || allowed.is_empty() || allowed.contains(&self)
    }

    /// Reads a comma-separated list of roles as stored on a transition (empty: none listed).
    pub fn parse_list(text: &str) -> Result<Vec<Role>, UnknownName> {
        let mut roles: Vec<Role> = text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        roles.sort();
        roles.dedup();
        Ok(roles)
    }

    /// Writes a list of roles in the stored form read by [`Role::parse_list`].
    pub fn format_list(roles: &[Role]) -> String {
        let mut sorted = roles.to_vec();
        sorted.sort();
        sorted.dedup();
        sorted
            .iter()
            .map(|role| role.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

named!(Role, "role");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_role_list_admits_every_role() {
        for role in Role::ALL {
            assert!(role.may_take(&[]));
        }
    }

    #[test]
    fn a_manager_only_transition_refuses_operators_but_not_admins() {
        let allowed = [Role::Manager];
        assert!(Role::Manager.may_take(&allowed));
        assert!(Role::Admin.may_take(&allowed));
        assert!(!Role::Operator.may_take(&allowed));
    }

    #[test]
    fn only_admins_configure() {
        assert!(Role::Admin.may_configure());
        assert!(!Role::Manager.may_configure());
        assert!(!Role::Operator.may_configure());
    }

    #[test]
    fn role_lists_round_trip_through_their_stored_form() {
        let roles = Role::parse_list("OPERATOR, MANAGER,,MANAGER").unwrap();
        assert_eq!(roles, vec![Role::Manager, Role::Operator]);
        assert_eq!(Role::format_list(&roles), "MANAGER,OPERATOR");
        assert_eq!(Role::parse_list("").unwrap(), vec![]);
        assert!(Role::parse_list("BOSS").is_err());
    }
}
