//! The workflow rules of contactflow as plain Rust.
//!
//! Nothing here touches the database, HTTP or GraphQL: every function takes what it needs
//! (including `now`) as arguments, so each rule is unit-tested in isolation and used by every
//! path that needs it (a save, a stage move, a completed to-do, a read that explains a rule).

pub mod activity_types;
pub mod bulk_move;
pub mod configuration;
pub mod event;
pub mod field;
pub mod global_id;
pub mod limits;
pub mod locale;
pub mod name;
pub mod pipeline;
pub mod reminder;
pub mod rights;
pub mod role;
pub mod save;
pub mod stage_move;
pub mod status;
pub mod violation;
pub mod webhook;
pub mod workflow;

pub use field::{Field, FieldPath};
pub use pipeline::StageChangeVia;
pub use role::Role;
pub use status::WorkStatus;
pub use violation::{FieldViolation, RuleCode, Violation};
pub use workflow::{ActivityRule, StageRules, TransitionRule, WorkflowRules};
