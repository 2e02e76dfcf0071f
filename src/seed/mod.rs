//! Data the app loads into a database: the demo of API.md (two companies, ACME and GLOBEX,
//! each with seven activity types, the CRM_CONTACTS workflow and contacts with a legal
//! history; five people working for one or both, so a newcomer sees a living pipeline at once),
//! and generated contacts in bulk for load tests ([`seed_contacts`], into ACME). It writes rows
//! directly, each history checked by the domain's rules.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};

use crate::domain::stage_move::plan_stage_move;
use crate::domain::{Role, WorkflowRules};
use crate::entity::{activity_type, company as company_row, operator, stage, workflow};
use crate::service::company::{self, CompanyDb};
use crate::service::{ServiceError, ServiceResult, auth, catalog, clock};

mod bulk;
mod configuration;
mod contacts;
mod rows;

pub use bulk::{SeedReport, seed_contacts};
pub use contacts::{DEMO_CONTACTS, GLOBEX_CONTACTS};

/// The demo's people: login and name (password `demo`).
const PEOPLE: [(&str, &str); 5] = [
    ("admin", "Ada Amministratore"),
    ("maria", "Maria Rossi"),
    ("alice", "Alice Bianchi"),
    ("bob", "Bob Verdi"),
    ("carla", "Carla Neri"),
];

/// A demo company: who works for it in which role, who owns its contacts, who moves them to
/// CUSTOMER (a MANAGER's transition), and how many contacts it has.
pub(crate) struct DemoCompany {
    pub code: &'static str,
    pub name: &'static str,
    pub members: &'static [(&'static str, Role)],
    pub owners: &'static [&'static str],
    pub closer: (&'static str, Role),
    pub contacts: usize,
}

/// The demo's companies: ACME holds the first wave's demo; GLOBEX its own, smaller one.
pub(crate) const COMPANIES: [DemoCompany; 2] = [
    DemoCompany {
        code: "ACME",
        name: "Acme S.p.A.",
        members: &[
            ("admin", Role::Admin),
            ("maria", Role::Manager),
            ("alice", Role::Operator),
            ("bob", Role::Operator),
        ],
        owners: &["alice", "bob", "maria"],
        closer: ("maria", Role::Manager),
        contacts: DEMO_CONTACTS,
    },
    DemoCompany {
        code: "GLOBEX",
        name: "Globex S.r.l.",
        members: &[
            ("admin", Role::Admin),
            ("bob", Role::Operator),
            ("carla", Role::Operator),
        ],
        owners: &["carla", "bob", "admin"],
        closer: ("admin", Role::Admin),
        contacts: GLOBEX_CONTACTS,
    },
];

const ACTIVITY_TYPES: [(&str, &str); 7] = [
    ("CALL", "Call"),
    ("DISCOVERY_CALL", "Discovery call"),
    ("EMAIL", "E-mail"),
    ("MEETING", "Meeting"),
    ("DEMO", "Demo"),
    ("QUOTE", "Quote"),
    ("FOLLOW_UP", "Follow-up"),
];

/// The Italian names (`it`) of the demo's stages and activity types, by code.
const ITALIAN: [(&str, &str); 15] = [
    ("START", "Inizio"),
    ("QUALIFICATION", "Qualificazione"),
    ("PROSPECT", "Prospect"),
    ("LEAD", "Lead"),
    ("OPPORTUNITY", "Opportunità"),
    ("NOT_QUALIFIED", "Non qualificato"),
    ("CUSTOMER", "Cliente"),
    ("CLOSED", "Chiuso"),
    ("CALL", "Telefonata"),
    ("DISCOVERY_CALL", "Call conoscitiva"),
    ("EMAIL", "E-mail"),
    ("MEETING", "Incontro"),
    ("DEMO", "Demo"),
    ("QUOTE", "Offerta"),
    ("FOLLOW_UP", "Follow-up"),
];

/// How many days a demo stage lets its contacts rest before they are stale.
fn stale_after_days(code: &str) -> Option<i32> {
    match code {
        "QUALIFICATION" => Some(7),
        "OPPORTUNITY" => Some(14),
        _ => None,
    }
}

/// The Italian name of a demo stage or activity type.
fn italian(code: &str) -> Vec<crate::domain::locale::LocalizedName> {
    ITALIAN
        .iter()
        .filter(|(known, _)| *known == code)
        .map(|(_, name)| crate::domain::locale::LocalizedName {
            locale: "it".to_owned(),
            name: (*name).to_owned(),
        })
        .collect()
}

/// Stage code, name, colour and the stage's own activity types (after CALL, EMAIL, FOLLOW_UP).
const STAGES: [(&str, &str, &str, &[&str]); 8] = [
    ("START", "Start", "#9e9e9e", &["DISCOVERY_CALL"]),
    (
        "QUALIFICATION",
        "Qualification",
        "#03a9f4",
        &["DISCOVERY_CALL"],
    ),
    ("PROSPECT", "Prospect", "#3f51b5", &["MEETING", "DEMO"]),
    ("LEAD", "Lead", "#9c27b0", &["MEETING", "DEMO"]),
    (
        "OPPORTUNITY",
        "Opportunity",
        "#ff9800",
        &["MEETING", "DEMO", "QUOTE"],
    ),
    ("NOT_QUALIFIED", "Not qualified", "#795548", &[]),
    ("CUSTOMER", "Customer", "#4caf50", &["QUOTE"]),
    ("CLOSED", "Closed", "#424242", &[]),
];

/// The pipeline from first contact to customer, each stage joined to the next (and back).
pub(crate) const PIPELINE: [&str; 6] = [
    "START",
    "QUALIFICATION",
    "PROSPECT",
    "LEAD",
    "OPPORTUNITY",
    "CUSTOMER",
];

/// The role of a demo operator in ACME (OPERATOR for a login that is not one of them).
pub(crate) fn role_of(login: &str) -> Role {
    COMPANIES[0]
        .members
        .iter()
        .find(|(known, _)| *known == login)
        .map_or(Role::Operator, |(_, role)| *role)
}

/// The demo configuration of one company as loaded: ids by code.
pub(crate) struct DemoIds {
    pub company_id: i64,
    pub company: &'static DemoCompany,
    pub operators: HashMap<&'static str, i64>,
    pub types: HashMap<&'static str, i64>,
    pub stages: HashMap<&'static str, i64>,
    pub workflow: WorkflowRules,
    pub now: DateTime<Utc>,
}

/// Loads the demo data unless the database already has operators. Returns whether it loaded.
pub async fn load_if_empty(db: &DatabaseConnection) -> ServiceResult<bool> {
    if operator::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let password_hash = auth::passwords::hash_now("demo")?;
    let txn = db.begin().await?;
    let people = configuration::load_people(&txn, &password_hash).await?;
    for company in &COMPANIES {
        let company_id = configuration::load_company(&txn, company, &people).await?;
        let scoped = CompanyDb::borrowing(&txn, company_id);
        let ids = configuration::load(&scoped, company, &people).await?;
        contacts::load(&scoped, &ids).await?;
    }
    txn.commit().await?;
    Ok(true)
}

impl DemoIds {
    /// ACME's demo configuration already in the database (operators, activity types and the
    /// CRM_CONTACTS workflow, by code).
    pub(crate) async fn read(db: &DatabaseConnection) -> ServiceResult<Self> {
        let missing = |what: &str| {
            ServiceError::BadInput(format!(
                "the demo configuration is incomplete ({what} is missing): load it with seed --demo into an empty database"
            ))
        };
        let acme = &COMPANIES[0];
        let company = company_row::Entity::find()
            .filter(company_row::Column::Code.eq(acme.code))
            .one(db)
            .await?
            .ok_or_else(|| missing(acme.code))?;
        let db = &CompanyDb::borrowing(db, company.id);
        let mut operators = HashMap::new();
        for (login, _) in acme.members {
            let row = operator::Entity::find()
                .filter(operator::Column::Login.eq(*login))
                .one(db)
                .await?
                .ok_or_else(|| missing(login))?;
            operators.insert(*login, row.id);
        }
        let mut types = HashMap::new();
        for (code, _) in ACTIVITY_TYPES {
            let row = company::find::<activity_type::Entity>(db)
                .filter(activity_type::Column::Code.eq(code))
                .one(db)
                .await?
                .ok_or_else(|| missing(code))?;
            types.insert(code, row.id);
        }
        let workflow_row = company::find::<workflow::Entity>(db)
            .filter(workflow::Column::Code.eq("CRM_CONTACTS"))
            .one(db)
            .await?
            .ok_or_else(|| missing("CRM_CONTACTS"))?;
        let mut stages = HashMap::new();
        for (code, _, _, _) in STAGES {
            let row = company::find::<stage::Entity>(db)
                .filter(stage::Column::WorkflowId.eq(workflow_row.id))
                .filter(stage::Column::Code.eq(code))
                .one(db)
                .await?
                .ok_or_else(|| missing(code))?;
            stages.insert(code, row.id);
        }
        Ok(Self {
            company_id: company.id,
            company: acme,
            operators,
            types,
            stages,
            workflow: catalog::workflow_rules(db, workflow_row.id).await?,
            now: clock::now(),
        })
    }

    /// Checks a demo stage move against the real rules, so the demo history is always legal.
    pub(crate) fn check_move(
        &self,
        from: &str,
        to: &str,
        role: Role,
        recorded: &HashSet<i64>,
    ) -> ServiceResult<()> {
        plan_stage_move(
            &self.workflow,
            self.stages[from],
            self.stages[to],
            role,
            recorded,
        )
        .map(|_| ())
        .map_err(|violations| {
            ServiceError::Internal(format!("demo move {from} → {to}: {violations:?}"))
        })
    }
}
