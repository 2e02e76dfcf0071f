//! `saveCompany`: an ADMIN creates a company (becoming its first ADMIN) or renames one they are
//! an ADMIN of. Company codes are unique in the group: they are what a sign-in names.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, EntityTrait};

use super::{Problems, require_admin};
use crate::domain::limits::{LABEL_MAX, NAME_MAX};
use crate::domain::{Field, Role, RuleCode};
use crate::entity::{company as company_row, membership};
use crate::service::company;
use crate::service::members;
use crate::service::writes::{Actor, Write, refuse};
use crate::service::{ServiceResult, Store, clock};

/// A company to create (no id) or rename.
#[derive(Debug, Clone, Default)]
pub struct SaveCompany {
    /// The company to rename; none: create.
    pub id: Option<i64>,
    /// Short code, unique in the group.
    pub code: String,
    /// Name shown to people.
    pub name: String,
}

/// `saveCompany`.
pub async fn save_company(
    store: &Store,
    actor: Actor,
    input: SaveCompany,
) -> ServiceResult<company_row::Model> {
    require_admin(actor)?;
    let mut write = Write::begin(store, actor.company_id).await?;
    if let Some(id) = input.id {
        // Another company is as unknown as none; one the caller works for but does not run is
        // theirs to see, not to change.
        write.switch_to(id).await?;
        let member = members::member(&*write, actor.operator_id)
            .await?
            .filter(members::Member::active);
        match member {
            None => return Err(refuse(Field::Record, RuleCode::NotFound, "no such company")),
            Some(member) if member.role() != Role::Admin => {
                return Err(refuse(
                    Field::Record,
                    RuleCode::Forbidden,
                    "only an ADMIN of the company may rename it",
                ));
            }
            Some(_) => {}
        }
    }
    let mut problems = Problems::default();
    problems.label(Field::Code, "code", Some(&input.code), LABEL_MAX);
    problems.label(Field::Name, "name", Some(&input.name), NAME_MAX);
    let column = (
        company_row::Column::Code,
        (|c: &company_row::Model| c.id) as fn(&_) -> i64,
    );
    let among = company_row::Entity::find();
    problems
        .unique_among(
            write.unscoped(),
            among,
            column,
            &input.code,
            input.id,
            (Field::Code, "code"),
        )
        .await?;
    let code = input.code.trim().to_owned();
    problems.check()?;
    let now = clock::now();
    let name = input.name.trim().to_owned();
    let saved = match input.id {
        Some(id) => {
            let row = company_row::Entity::find_by_id(id)
                .one(write.unscoped())
                .await?
                .ok_or_else(|| refuse(Field::Record, RuleCode::NotFound, "no such company"))?;
            let mut changed: company_row::ActiveModel = row.into();
            changed.code = Set(code);
            changed.name = Set(name);
            changed.updated_at = Set(now);
            changed.update(write.unscoped()).await?
        }
        None => {
            let created = company_row::ActiveModel {
                id: NotSet,
                code: Set(code),
                name: Set(name),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(write.unscoped())
            .await?;
            write.switch_to(created.id).await?;
            let admin = membership::ActiveModel {
                id: NotSet,
                company_id: NotSet,
                operator_id: Set(actor.operator_id),
                role: Set(Role::Admin),
                active: Set(true),
                token_generation: NotSet,
                created_at: Set(now),
                updated_at: Set(now),
            };
            company::insert(&*write, admin).await?;
            created
        }
    };
    // A new membership, or a company renamed: the members' lists of companies change.
    write.person_changed();
    write.commit().await?;
    Ok(saved)
}
