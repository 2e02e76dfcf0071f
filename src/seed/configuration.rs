//! The demo configuration: people, companies and memberships; and each company's activity
//! types and CRM_CONTACTS workflow with its stages, stage activity rules and transitions, as
//! API.md describes them.

use std::collections::HashMap;

use chrono::Duration;
use sea_orm::ActiveModelTrait;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, DatabaseExecutor};

use super::{ACTIVITY_TYPES, DemoCompany, DemoIds, PEOPLE, PIPELINE, STAGES};
use crate::domain::Role;
use crate::entity::{
    activity_type, company as company_row, membership, operator, stage, stage_activity_rule,
    transition, workflow,
};
use crate::service::company::{CompanyDb, InCompany};
use crate::service::writes::admin::names::{self, Owner};
use crate::service::{ServiceResult, catalog, clock};

/// Loads the demo's people; their ids by login.
pub(super) async fn load_people(
    db: &impl ConnectionTrait,
    password_hash: &str,
) -> ServiceResult<HashMap<&'static str, i64>> {
    let created = clock::now() - Duration::days(120);
    let mut people = HashMap::new();
    for (login, name) in PEOPLE {
        let row = operator::ActiveModel {
            id: NotSet,
            login: Set(login.to_owned()),
            display_name: Set(name.to_owned()),
            email: Set(Some(format!("{login}@example.com"))),
            time_zone: Set("Europe/Rome".to_owned()),
            password_hash: Set(password_hash.to_owned()),
            token_generation: NotSet,
            locale: Set(crate::domain::locale::DEFAULT_LOCALE.to_owned()),
            created_at: Set(created),
            updated_at: Set(created),
        };
        people.insert(login, row.insert(db).await?.id);
    }
    Ok(people)
}

/// Loads a demo company and its memberships; its id.
pub(super) async fn load_company(
    db: &impl ConnectionTrait,
    company: &DemoCompany,
    people: &HashMap<&'static str, i64>,
) -> ServiceResult<i64> {
    let created = clock::now() - Duration::days(120);
    let row = company_row::ActiveModel {
        id: NotSet,
        code: Set(company.code.to_owned()),
        name: Set(company.name.to_owned()),
        created_at: Set(created),
        updated_at: Set(created),
    }
    .insert(db)
    .await?;
    for (login, role) in company.members {
        membership::ActiveModel {
            id: NotSet,
            company_id: Set(row.id),
            operator_id: Set(people[login]),
            role: Set(*role),
            active: Set(true),
            token_generation: NotSet,
            created_at: Set(created),
            updated_at: Set(created),
        }
        .insert(db)
        .await?;
    }
    Ok(row.id)
}

/// Loads a company's activity types and CRM_CONTACTS workflow; their ids.
pub(super) async fn load(
    db: &CompanyDb<DatabaseExecutor<'_>>,
    company: &'static DemoCompany,
    people: &HashMap<&'static str, i64>,
) -> ServiceResult<DemoIds> {
    let company_id = db.company_id();
    let now = clock::now();
    let created = now - Duration::days(120);
    let operators: HashMap<&'static str, i64> = company
        .members
        .iter()
        .map(|(login, _)| (*login, people[login]))
        .collect();
    let mut types = HashMap::new();
    for (position, (code, name)) in ACTIVITY_TYPES.into_iter().enumerate() {
        let row = activity_type::ActiveModel {
            id: NotSet,
            company_id: Set(company_id),
            code: Set(code.to_owned()),
            name: Set(name.to_owned()),
            active: Set(true),
            position: Set(position as i32),
            created_at: Set(created),
        };
        let id = row.insert(db).await?.id;
        names::replace(db, Owner::ActivityType(id), &super::italian(code)).await?;
        types.insert(code, id);
    }
    let workflow_row = workflow::ActiveModel {
        id: NotSet,
        company_id: Set(company_id),
        code: Set("CRM_CONTACTS".to_owned()),
        name: Set("CRM contacts".to_owned()),
        description: Set(Some(
            "From first call to customer: the contact pipeline.".to_owned(),
        )),
        log_tab_visible: Set(true),
        restrict_activity_types: Set(true),
        is_default: Set(true),
        created_at: Set(created),
    }
    .insert(db)
    .await?;
    let mut stages = HashMap::new();
    for (position, (code, name, color, own)) in STAGES.into_iter().enumerate() {
        let row = stage::ActiveModel {
            id: NotSet,
            company_id: Set(company_id),
            workflow_id: Set(workflow_row.id),
            code: Set(code.to_owned()),
            name: Set(name.to_owned()),
            position: Set(position as i32 + 1),
            is_initial: Set(code == "START"),
            is_final: Set(code == "CLOSED"),
            color: Set(Some(color.to_owned())),
            stale_after_days: Set(super::stale_after_days(code)),
        }
        .insert(db)
        .await?;
        names::replace(db, Owner::Stage(row.id), &super::italian(code)).await?;
        stages.insert(code, row.id);
        let listed = ["CALL", "EMAIL", "FOLLOW_UP"].iter().chain(own.iter());
        for (rule_position, type_code) in listed.enumerate() {
            let (next, todo) = match *type_code {
                "CALL" => (Some("FOLLOW_UP"), true),
                "EMAIL" => (Some("FOLLOW_UP"), false),
                "MEETING" => (Some("DEMO"), true),
                "DEMO" if own.contains(&"QUOTE") => (Some("QUOTE"), true),
                _ => (None, false),
            };
            stage_activity_rule::ActiveModel {
                id: NotSet,
                company_id: Set(company_id),
                stage_id: Set(row.id),
                activity_type_id: Set(types[type_code]),
                next_activity_type_id: Set(next.map(|code| types[code])),
                mandatory: Set(code == "QUALIFICATION" && *type_code == "DISCOVERY_CALL"),
                create_todo_for_next: Set(todo),
                highlighted: Set(own.contains(type_code)),
                position: Set(rule_position as i32),
            }
            .insert(db)
            .await?;
        }
    }
    let mut pairs: Vec<(&str, &str, Vec<Role>)> = Vec::new();
    for step in PIPELINE.windows(2) {
        let forward_roles = if step == ["OPPORTUNITY", "CUSTOMER"] {
            vec![Role::Manager]
        } else {
            vec![]
        };
        pairs.push((step[0], step[1], forward_roles));
        pairs.push((step[1], step[0], vec![]));
    }
    pairs.push(("QUALIFICATION", "NOT_QUALIFIED", vec![]));
    pairs.push(("NOT_QUALIFIED", "QUALIFICATION", vec![]));
    for (code, ..) in STAGES.iter().filter(|(code, ..)| *code != "CLOSED") {
        pairs.push((code, "CLOSED", vec![]));
    }
    let stage_name = |code: &str| STAGES.iter().find(|s| s.0 == code).map_or("", |s| s.1);
    for (position, (from, to, roles)) in pairs.into_iter().enumerate() {
        transition::ActiveModel {
            id: NotSet,
            company_id: Set(company_id),
            workflow_id: Set(workflow_row.id),
            name: Set(format!("{} → {}", stage_name(from), stage_name(to))),
            from_stage_id: Set(stages[from]),
            to_stage_id: Set(stages[to]),
            allowed_roles: Set(Role::format_list(&roles)),
            position: Set(position as i32),
        }
        .insert(db)
        .await?;
    }
    let workflow = catalog::workflow_rules(db, workflow_row.id).await?;
    Ok(DemoIds {
        company_id,
        company,
        operators,
        types,
        stages,
        workflow,
        now,
    })
}
