//! Domain values stored as text columns: a role, the status of a pending activity or a to-do.
//! Each is written by its `Display` and read back by its `FromStr`, so a row never carries a
//! string the domain does not know.

use crate::domain::event::ContactEventKind;
use crate::domain::{Role, StageChangeVia, WorkStatus};

/// Lets sea-orm read and write a domain value kept in a text column.
macro_rules! stored_as_text {
    ($type:ty) => {
        impl From<$type> for sea_orm::Value {
            fn from(value: $type) -> Self {
                value.to_string().into()
            }
        }

        impl sea_orm::TryGetable for $type {
            fn try_get_by<I: sea_orm::ColIdx>(
                result: &sea_orm::QueryResult,
                index: I,
            ) -> Result<Self, sea_orm::TryGetError> {
                let text = String::try_get_by(result, index)?;
                text.parse().map_err(|error| {
                    sea_orm::TryGetError::DbErr(sea_orm::DbErr::TryIntoErr {
                        from: "String",
                        into: stringify!($type),
                        source: std::sync::Arc::new(error),
                    })
                })
            }
        }

        impl sea_orm::sea_query::ValueType for $type {
            fn try_from(value: sea_orm::Value) -> Result<Self, sea_orm::sea_query::ValueTypeErr> {
                let text = <String as sea_orm::sea_query::ValueType>::try_from(value)?;
                text.parse().map_err(|_| sea_orm::sea_query::ValueTypeErr)
            }

            fn type_name() -> String {
                stringify!($type).to_owned()
            }

            fn array_type() -> sea_orm::sea_query::ArrayType {
                sea_orm::sea_query::ArrayType::String
            }

            fn column_type() -> sea_orm::sea_query::ColumnType {
                sea_orm::sea_query::ColumnType::String(sea_orm::sea_query::StringLen::None)
            }
        }

        impl sea_orm::sea_query::Nullable for $type {
            fn null() -> sea_orm::Value {
                sea_orm::Value::String(None)
            }
        }

        impl sea_orm::IntoActiveValue<$type> for $type {
            fn into_active_value(self) -> sea_orm::ActiveValue<$type> {
                sea_orm::ActiveValue::Set(self)
            }
        }
    };
}

stored_as_text!(Role);
stored_as_text!(WorkStatus);
stored_as_text!(StageChangeVia);
stored_as_text!(ContactEventKind);
