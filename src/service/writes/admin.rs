//! ADMIN configuration: activity types, operators and workflows.
