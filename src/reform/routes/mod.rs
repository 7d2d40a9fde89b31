//! Reform pages.

pub mod assessment;
pub mod cases;
pub mod detail;
pub mod halfway;
pub mod inspections;
pub mod ledger;
pub mod reports;
pub mod tasks;

use serde::Serialize;

use super::listing;
use crate::db::Query;
use crate::error::AppResult;
use crate::org::units::directory;
use crate::web::Ui;

/// Choices the task forms and filters offer.
#[derive(Serialize)]
pub struct Choices {
    /// Sources (code, label).
    pub sources: Vec<(String, String)>,
    /// Fields.
    pub fields: Vec<(String, String)>,
    /// Units the person may see.
    pub units: Vec<(i64, String)>,
    /// Leader accounts (id, name).
    pub leaders: Vec<(i64, String)>,
    /// Stages (code, label).
    pub stages: Vec<(&'static str, &'static str)>,
    /// Years with tasks, newest first.
    pub years: Vec<i64>,
    /// Report cycles.
    pub cycles: &'static [(&'static str, &'static str)],
}

/// Unit kinds that neither lead nor join reform tasks.
const NOT_IN_REFORM: &[&str] = &["section", "contact_point", "other"];

/// The lists behind the choices that change only with an administrator's
/// write, kept per node ([`crate::db::memo`]).
pub struct Lists {
    sources: Vec<(String, String)>,
    fields: Vec<(String, String)>,
    leaders: Vec<(i64, String)>,
}

/// The counters [`Lists`] depend on: permissions (leader accounts) and the
/// dictionaries.
pub type ListsStamp = (Option<String>, Option<String>);

/// The counters behind the choices and the list's answers, read in one
/// statement, with the years.
#[derive(sqlx::FromRow)]
pub struct Stamps {
    reform_version: Option<String>,
    units_version: Option<String>,
    units: i64,
    authz_version: Option<String>,
    dicts_version: Option<String>,
    first_year: Option<i64>,
    last_year: Option<i64>,
}

impl Stamps {
    /// Reads them. The years are two index seeks (a `distinct`, or min and
    /// max in one select, reads the whole index).
    pub async fn read(db: &crate::db::Db) -> crate::db::DbResult<Stamps> {
        db.one(
            Query::new(
                "select (select value from settings where key = $1) as reform_version, \
                 (select value from settings where key = $2) as units_version, \
                 (select count(*) from units) as units, \
                 (select value from settings where key = 'authz.version') as authz_version, \
                 (select value from settings where key = $3) as dicts_version, \
                 (select min(year) from reform_tasks) as first_year, (select max(year) from reform_tasks) as last_year",
            )
            .bind(listing::VERSION_KEY)
            .bind(directory::VERSION_KEY)
            .bind(crate::dicts::store::VERSION_KEY),
        )
        .await
    }

    /// The stamp of the list's answers.
    pub fn listing(&self) -> listing::Stamp {
        (self.reform_version.clone(), self.units_version.clone(), self.units)
    }
}

/// Loads the choices.
pub async fn choices(ui: &Ui) -> AppResult<Choices> {
    let stamps = Stamps::read(&ui.state.db).await?;
    choices_at(ui, &stamps).await
}

/// Loads the choices for counters already read: the lists behind them are read
/// only when a counter has moved.
pub async fn choices_at(ui: &Ui, s: &Stamps) -> AppResult<Choices> {
    let db = &ui.state.db;
    let stamp: ListsStamp = (s.authz_version.clone(), s.dicts_version.clone());
    let lists = match ui.state.reform_lists.get(&stamp) {
        Some(lists) => lists,
        None => ui.state.reform_lists.put(stamp, load_lists(db).await?),
    };
    let this_year = i64::from(ui.state.clock.today().year());
    let years: Vec<i64> = (s.first_year.unwrap_or(this_year).min(this_year)
        ..=s.last_year.unwrap_or(this_year).max(this_year))
        .rev()
        .collect();
    let org = ui.user.scope(crate::authz::Module::Org, crate::authz::Action::Read);
    let units = ui.state.units.units_at(db, (s.units_version.clone(), s.units)).await?;
    Ok(Choices {
        sources: lists.sources.clone(),
        fields: lists.fields.clone(),
        units: directory::options_of(&units, &org, NOT_IN_REFORM),
        leaders: lists.leaders.clone(),
        stages: super::stage::Stage::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        years,
        cycles: super::model::CYCLES,
    })
}

async fn load_lists(db: &crate::db::Db) -> crate::db::DbResult<Lists> {
    let leaders: Vec<(i64, String)> = db
        .all(Query::new(
            "select a.id, a.display_name from accounts a join account_roles ar on ar.account_id = a.id \
             join roles r on r.id = ar.role_id where r.code = 'leader' and a.status = 'active' order by a.id",
        ))
        .await?;
    let mut dicts = crate::dicts::store::options_by_type(db, &["reform_source", "reform_field"]).await?;
    Ok(Lists {
        sources: dicts.remove("reform_source").unwrap_or_default(),
        fields: dicts.remove("reform_field").unwrap_or_default(),
        leaders,
    })
}
