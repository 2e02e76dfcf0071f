//! Errors as clients see them: top-level errors with `extensions.code` ([`codes`]), and
//! `UserError`s in mutation payloads ([`user`]). Every service error is mapped here, once;
//! internal errors are logged and shown as a generic message.

pub mod codes;
pub mod user;

use async_graphql::ErrorExtensions;

pub use user::{InputNames, UserError, UserErrorCode, usual_names};

use crate::service::ServiceError;

/// A top-level error with a code.
pub fn coded(message: impl Into<String>, code: &'static str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", code))
}

/// Maps a service error to a top-level GraphQL error.
pub fn to_graphql(error: &ServiceError) -> async_graphql::Error {
    match error {
        ServiceError::Unauthenticated => coded(
            "authentication required: send a valid bearer token",
            codes::UNAUTHENTICATED,
        ),
        ServiceError::Forbidden(message) => coded(message.clone(), codes::FORBIDDEN),
        ServiceError::RateLimited(wait) => {
            let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            let message = format!("too many failed sign-ins: try again in {seconds} s");
            async_graphql::Error::new(message).extend_with(|_, extensions| {
                extensions.set("code", codes::RATE_LIMITED);
                extensions.set("retryAfterSeconds", seconds);
            })
        }
        ServiceError::BadInput(message) => coded(message.clone(), codes::BAD_USER_INPUT),
        ServiceError::Rules(violations) => {
            let message = violations.first().map_or_else(
                || "invalid input".to_owned(),
                |v| v.violation.message.clone(),
            );
            coded(message, codes::BAD_USER_INPUT)
        }
        ServiceError::Unavailable => coded(
            "the database is unavailable: try again shortly",
            codes::SERVICE_UNAVAILABLE,
        ),
        ServiceError::Database(_) | ServiceError::Internal(_) => {
            tracing::error!(error = %error, "internal error while answering a request");
            coded("internal server error", codes::INTERNAL_SERVER_ERROR)
        }
    }
}

/// Resolver results from service results, with the error mapped.
pub trait ApiResult<T> {
    /// The same result with a GraphQL error.
    fn api(self) -> async_graphql::Result<T>;
}

impl<T> ApiResult<T> for Result<T, ServiceError> {
    fn api(self) -> async_graphql::Result<T> {
        self.map_err(|error| to_graphql(&error))
    }
}

/// A mutation's payload: the records written, or the `userErrors` that say why nothing was.
pub trait Payload: Sized {
    /// The payload of a refused input.
    fn refused(user_errors: Vec<UserError>) -> Self;
}

/// Declares each payload type's refusal: `userErrors` set, every other field at its default.
macro_rules! payloads {
    ($($payload:ty),+ $(,)?) => {
        $(impl $crate::graphql::errors::Payload for $payload {
            fn refused(user_errors: Vec<$crate::graphql::errors::UserError>) -> Self {
                Self { user_errors, ..Default::default() }
            }
        })+
    };
}

pub(crate) use payloads;

/// A mutation's answer from its use case's outcome: the payload `written` builds, or the
/// broken rules as `userErrors` named as `names` says; any other failure is a top-level error.
pub fn answer<T, P: Payload>(
    outcome: Result<T, ServiceError>,
    names: InputNames,
    written: impl FnOnce(T) -> P,
) -> async_graphql::Result<P> {
    match outcome {
        Ok(value) => Ok(written(value)),
        Err(ServiceError::Rules(violations)) => Ok(P::refused(
            violations
                .iter()
                .map(|violation| UserError::of(violation, names))
                .collect(),
        )),
        Err(other) => Err(to_graphql(&other)),
    }
}
