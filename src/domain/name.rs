//! Values the domain stores and shows under fixed names (a role, a status): read back by name,
//! written by name, and an unknown name refused.

/// A stored name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {name:?}")]
pub struct UnknownName {
    /// What kind of value was named.
    pub what: &'static str,
    /// The name.
    pub name: String,
}

/// Reads and shows a type with `ALL` and `as_str` by its names (`FromStr`, `Display`).
macro_rules! named {
    ($type:ty, $what:literal) => {
        impl std::str::FromStr for $type {
            type Err = $crate::domain::name::UnknownName;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str() == text)
                    .ok_or_else(|| $crate::domain::name::UnknownName {
                        what: $what,
                        name: text.to_owned(),
                    })
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named;
