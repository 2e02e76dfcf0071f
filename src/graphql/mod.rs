//! The GraphQL layer: thin resolvers over `service`, object and input types, data loaders, and
//! the one place where errors become `extensions.code` / `UserErrorCode`. No SQL and no business
//! rule lives here.

pub mod context;
pub mod errors;
pub mod guard;
pub mod ids;
pub mod load_queue;
pub mod loaders;
pub mod mutations;
pub mod query;
pub mod scalars;
pub mod sharing;
pub mod subscription;
pub mod types;

use async_graphql::Schema;

pub use context::{AppState, RequestAuth};
pub use guard::Caller;

/// The contactflow schema.
pub type ContactflowSchema = Schema<query::Query, mutations::Mutation, subscription::Subscription>;

/// Limits that bound the work a single document may ask for. Depth and the other limits on a
/// document's shape are checked before execution by the HTTP layer's document gate, which
/// measures introspection apart (`http::gate`).
#[derive(Debug, Clone, Copy)]
pub struct SchemaLimits {
    /// Largest complexity (a list field costs `first × child`).
    pub complexity: usize,
    /// Whether introspection is answered.
    pub introspection: bool,
    /// Whether validation errors suggest similar names.
    pub suggestions: bool,
}

impl Default for SchemaLimits {
    fn default() -> Self {
        Self {
            complexity: 10_000,
            introspection: true,
            suggestions: true,
        }
    }
}

/// Builds the schema; without `state` it can only print its SDL.
pub fn build_schema(state: Option<AppState>, limits: SchemaLimits) -> ContactflowSchema {
    let mut builder = Schema::build(
        query::Query,
        mutations::Mutation::default(),
        subscription::Subscription,
    )
    .limit_complexity(limits.complexity);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if !limits.suggestions {
        builder = builder.disable_suggestions();
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, SchemaLimits::default()).sdl()
}
