//! Localized names of stages and activity types: checked with the rest of their record's edit,
//! then replaced as a whole when the edit gives them (kept when it does not).

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, QueryFilter};

use super::Problems;
use crate::domain::FieldPath;
use crate::domain::locale::{LocalizedName, check_names};
use crate::entity::{activity_type_name, stage_name};
use crate::service::ServiceResult;
use crate::service::company::{self, InCompany};

/// Whose names they are.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    /// A stage, by id.
    Stage(i64),
    /// An activity type, by id.
    ActivityType(i64),
}

/// The names given at `at`, checked and in canonical form; their problems go to `problems`.
pub fn checked(
    problems: &mut Problems,
    at: &FieldPath,
    names: Option<&[LocalizedName]>,
) -> Option<Vec<LocalizedName>> {
    match check_names(at, names?) {
        Ok(names) => Some(names),
        Err(found) => {
            for problem in found {
                problems.push(problem);
            }
            None
        }
    }
}

/// Deletes every localized name of `owner`.
pub async fn delete(db: &impl InCompany, owner: Owner) -> ServiceResult<()> {
    match owner {
        Owner::Stage(id) => {
            company::delete_many::<stage_name::Entity>(db)
                .filter(stage_name::Column::StageId.eq(id))
                .exec(db)
                .await?;
        }
        Owner::ActivityType(id) => {
            company::delete_many::<activity_type_name::Entity>(db)
                .filter(activity_type_name::Column::ActivityTypeId.eq(id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Replaces the localized names of `owner` with `names`.
pub async fn replace(
    db: &impl InCompany,
    owner: Owner,
    names: &[LocalizedName],
) -> ServiceResult<()> {
    delete(db, owner).await?;
    for LocalizedName { locale, name } in names.iter().cloned() {
        match owner {
            Owner::Stage(stage_id) => {
                let row = stage_name::ActiveModel {
                    id: NotSet,
                    company_id: NotSet,
                    stage_id: Set(stage_id),
                    locale: Set(locale),
                    name: Set(name),
                };
                company::insert(db, row).await?;
            }
            Owner::ActivityType(activity_type_id) => {
                let row = activity_type_name::ActiveModel {
                    id: NotSet,
                    company_id: NotSet,
                    activity_type_id: Set(activity_type_id),
                    locale: Set(locale),
                    name: Set(name),
                };
                company::insert(db, row).await?;
            }
        }
    }
    Ok(())
}
