//! The localized names of every stage and activity type of a company, read whole and kept for a
//! few seconds:
//! they are a handful of rows that change only when an ADMIN edits the configuration, and every
//! page of contacts shows stage names, so a page costs no statement for them. An edit on this
//! instance forgets them at once; another instance sees it within [`KEPT_FOR`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sea_orm::QueryOrder;

use super::ServiceResult;
use crate::domain::locale::LocalizedName;
use crate::entity::{activity_type_name, stage_name};
use crate::service::company::{self, InCompany};

/// How long names read from the database are used before they are read again.
pub const KEPT_FOR: Duration = Duration::from_secs(5);

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

/// The names of every company, each kept on its own.
#[derive(Default)]
pub struct NameCache {
    companies: RwLock<HashMap<i64, Arc<Kept>>>,
}

impl NameCache {
    /// The names of the connection's company (see [`Kept::get`]).
    pub async fn get(&self, db: &impl InCompany) -> ServiceResult<Arc<Names>> {
        self.of(db.company_id()).get(db).await
    }

    /// Forgets the names kept for a company: an edit changed them.
    pub fn forget(&self, company_id: i64) {
        self.of(company_id).forget();
    }

    fn of(&self, company_id: i64) -> Arc<Kept> {
        let known = self
            .companies
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&company_id)
            .cloned();
        known.unwrap_or_else(|| {
            self.companies
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .entry(company_id)
                .or_default()
                .clone()
        })
    }
}

/// The names of one company last read, and when.
#[derive(Default)]
struct Kept {
    read: RwLock<Option<(Instant, Arc<Names>)>>,
    reading: tokio::sync::Mutex<()>,
    /// Raised by each edit, so that a read that began before it is not kept.
    edits: AtomicU64,
}

impl Kept {
    /// The names, read again when the ones kept are older than [`KEPT_FOR`]. One request at a
    /// time reads them; meanwhile the others go on with the names kept, and wait only when
    /// there are none (at start, or after an edit here).
    async fn get(&self, db: &impl InCompany) -> ServiceResult<Arc<Names>> {
        let kept = self.kept();
        if let Some((at, names)) = &kept
            && at.elapsed() < KEPT_FOR
        {
            return Ok(names.clone());
        }
        let _one_reader = match (&kept, self.reading.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some((_, names)), Err(_)) => return Ok(names.clone()),
            (None, Err(_)) => self.reading.lock().await,
        };
        if let Some((at, names)) = self.kept()
            && at.elapsed() < KEPT_FOR
        {
            return Ok(names);
        }
        let edits = self.edits.load(Ordering::Acquire);
        let names = Arc::new(read(db).await?);
        let mut kept = self.write();
        if self.edits.load(Ordering::Acquire) == edits {
            *kept = Some((Instant::now(), names.clone()));
        }
        Ok(names)
    }

    /// Forgets the names kept: an edit changed them.
    fn forget(&self) {
        let mut kept = self.write();
        self.edits.fetch_add(1, Ordering::AcqRel);
        *kept = None;
    }

    fn kept(&self) -> Option<(Instant, Arc<Names>)> {
        let kept = self
            .read
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.clone()
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Option<(Instant, Arc<Names>)>> {
        self.read
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

async fn read(db: &impl InCompany) -> ServiceResult<Names> {
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
