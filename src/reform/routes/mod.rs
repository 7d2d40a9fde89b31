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
use crate::db::{Query, Sql};
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
    #[sqlx(flatten)]
    listing: listing::Stamp,
    first_year: Option<i64>,
    last_year: Option<i64>,
}

impl Stamps {
    /// Reads them. The years are two index seeks (a `distinct`, or min and
    /// max in one select, reads the whole index).
    pub async fn read(db: &crate::db::Db) -> crate::db::DbResult<Stamps> {
        let mut sql = Sql::new("select ");
        sql.push(listing::STAMP_COLUMNS).push(
            ", (select min(year) from reform_tasks) as first_year, (select max(year) from reform_tasks) as last_year",
        );
        db.one(sql.build()).await
    }

    /// The stamp of the list's answers.
    pub fn listing(&self) -> listing::Stamp {
        self.listing.clone()
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
    let stamp: ListsStamp = (s.listing.authz.clone(), s.listing.dicts.clone());
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
    let units = ui.state.units.units_at(db, (s.listing.units_version.clone(), s.listing.units)).await?;
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
