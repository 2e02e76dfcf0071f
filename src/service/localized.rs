//! The localized names of every stage and activity type of a company, read whole: a handful of
//! rows that change only when an ADMIN edits the configuration, kept in memory with the rest of
//! it ([`super::snapshot`]).

use std::collections::HashMap;

use sea_orm::QueryOrder;

use super::ServiceResult;
use crate::domain::locale::LocalizedName;
use crate::entity::{activity_type_name, stage_name};
use crate::service::company::{self, InCompany};

/// The localized names of stages and activity types, by id, in locale order.
#[derive(Debug, Default)]
pub struct Names {
    stages: HashMap<i64, Vec<LocalizedName>>,
    activity_types: HashMap<i64, Vec<LocalizedName>>,
}

impl Names {
    /// The names of a stage.
    pub fn of_stage(&self, id: i64) -> &[LocalizedName] {
        self.stages.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The names of an activity type.
    pub fn of_activity_type(&self, id: i64) -> &[LocalizedName] {
        self.activity_types.get(&id).map_or(&[], Vec::as_slice)
    }
}

/// Reads the localized names of the connection's company.
pub(crate) async fn read(db: &impl InCompany) -> ServiceResult<Names> {
    let mut names = Names::default();
    let stage_rows = company::find::<stage_name::Entity>(db)
        .order_by_asc(stage_name::Column::Locale)
        .all(db)
        .await?;
    for row in stage_rows {
        let name = LocalizedName {
            locale: row.locale,
            name: row.name,
        };
        names.stages.entry(row.stage_id).or_default().push(name);
    }
    let type_rows = company::find::<activity_type_name::Entity>(db)
        .order_by_asc(activity_type_name::Column::Locale)
        .all(db)
        .await?;
    for row in type_rows {
        let name = LocalizedName {
            locale: row.locale,
            name: row.name,
        };
        names
            .activity_types
            .entry(row.activity_type_id)
            .or_default()
            .push(name);
    }
    Ok(names)
}
