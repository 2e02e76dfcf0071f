//! `saveActivityType` and `deleteActivityType`.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, PaginatorTrait, QueryFilter};

use super::names::{self, Owner};
use super::{Problems, require_admin, row_to_change};
use crate::domain::limits::{LABEL_MAX, NAME_MAX};
use crate::domain::locale::LocalizedName;
use crate::domain::{Field, FieldPath, RuleCode};
use crate::entity::{activity, activity_type, pending_activity, stage_activity_rule, todo};
use crate::service::company;
use crate::service::writes::{Actor, Write, refuse};
use crate::service::{ServiceError, ServiceResult, Store, clock};

/// An activity type to create (no id) or change.
#[derive(Debug, Clone, Default)]
pub struct SaveActivityType {
    /// The type to change; none: create.
    pub id: Option<i64>,
    /// Stable code, unique.
    pub code: Option<String>,
    /// Name shown to people.
    pub name: Option<String>,
    /// Switched on or off.
    pub active: Option<bool>,
    /// Place in lists.
    pub position: Option<i32>,
    /// Names in other languages; none: keep them.
    pub localized_names: Option<Vec<LocalizedName>>,
}

/// `saveActivityType`.
pub async fn save_activity_type(
    store: &Store,
    actor: Actor,
    input: SaveActivityType,
) -> ServiceResult<activity_type::Model> {
    require_admin(actor)?;
    let mut write = Write::begin(store, actor.company_id).await?;
    let existing =
        row_to_change::<activity_type::Entity>(&*write, input.id, "activity type").await?;
    let creating = existing.is_none();
    let mut problems = Problems::default();
    problems.required(creating, Field::Code, "code", input.code.is_some());
    problems.required(creating, Field::Name, "name", input.name.is_some());
    problems.label(Field::Code, "code", input.code.as_deref(), LABEL_MAX);
    problems.label(Field::Name, "name", input.name.as_deref(), NAME_MAX);
    if let Some(code) = &input.code {
        let column = (
            activity_type::Column::Code,
            (|t: &activity_type::Model| t.id) as fn(&_) -> i64,
        );
        problems
            .unique::<activity_type::Entity>(&*write, column, code, input.id, (Field::Code, "code"))
            .await?;
    }
    let localized = names::checked(
        &mut problems,
        &FieldPath::whole(),
        input.localized_names.as_deref(),
    );
    problems.check()?;
    let saved = match existing {
        Some(row) => {
            let mut active: activity_type::ActiveModel = row.into();
            if let Some(code) = input.code {
                active.code = Set(code.trim().to_owned());
            }
            if let Some(name) = input.name {
                active.name = Set(name.trim().to_owned());
            }
            if let Some(flag) = input.active {
                active.active = Set(flag);
            }
            if let Some(position) = input.position {
                active.position = Set(position);
            }
            active.update(&*write).await?
        }
        None => {
            let position = match input.position {
                Some(position) => position,
                None => {
                    company::find::<activity_type::Entity>(&*write)
                        .count(&*write)
                        .await? as i32
                }
            };
            company::insert(
                &*write,
                activity_type::ActiveModel {
                    id: NotSet,
                    company_id: NotSet,
                    code: Set(input.code.unwrap_or_default().trim().to_owned()),
                    name: Set(input.name.unwrap_or_default().trim().to_owned()),
                    active: Set(input.active.unwrap_or(true)),
                    position: Set(position),
                    created_at: Set(clock::now()),
                },
            )
            .await?
        }
    };
    if let Some(localized) = localized {
        names::replace(&*write, Owner::ActivityType(saved.id), &localized).await?;
    }
    write.configuration_changed();
    write.commit().await?;
    Ok(saved)
}

/// `deleteActivityType`: refused while any activity, pending activity, to-do or stage rule uses it.
pub async fn delete_activity_type(
    store: &Store,
    actor: Actor,
    id: i64,
) -> ServiceResult<activity_type::Model> {
    require_admin(actor)?;
    let mut write = Write::begin(store, actor.company_id).await?;
    let db = &*write;
    let Some(row) = row_to_change::<activity_type::Entity>(db, Some(id), "activity type").await?
    else {
        return Err(ServiceError::Internal(
            "a looked-up row is missing".to_owned(),
        ));
    };
    let uses = company::find::<activity::Entity>(db)
        .filter(activity::Column::ActivityTypeId.eq(id))
        .count(db)
        .await?
        + company::find::<pending_activity::Entity>(db)
            .filter(pending_activity::Column::ActivityTypeId.eq(id))
            .count(db)
            .await?
        + company::find::<todo::Entity>(db)
            .filter(todo::Column::ActivityTypeId.eq(id))
            .count(db)
            .await?
        + company::find::<stage_activity_rule::Entity>(db)
            .filter(
                stage_activity_rule::Column::ActivityTypeId
                    .eq(id)
                    .or(stage_activity_rule::Column::NextActivityTypeId.eq(id)),
            )
            .count(db)
            .await?;
    if uses > 0 {
        return Err(refuse(
            Field::Record,
            RuleCode::InvalidInput,
            format!(
                "activity type {} is in use ({uses} records): deactivate it instead",
                row.code
            ),
        ));
    }
    names::delete(db, Owner::ActivityType(id)).await?;
    company::delete_many::<activity_type::Entity>(db)
        .filter(activity_type::Column::Id.eq(id))
        .exec(db)
        .await?;
    write.configuration_changed();
    write.commit().await?;
    Ok(row)
}
