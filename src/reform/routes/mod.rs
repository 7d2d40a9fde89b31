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

use crate::db::Query;
use crate::error::AppResult;
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

/// Loads the choices.
pub async fn choices(ui: &Ui) -> AppResult<Choices> {
    let db = &ui.state.db;
    let org = ui.user.scope(crate::authz::Module::Org, crate::authz::Action::Read);
    let leaders: Vec<(i64, String)> = db
        .all(Query::new(
            "select a.id, a.display_name from accounts a join account_roles ar on ar.account_id = a.id \
             join roles r on r.id = ar.role_id where r.code = 'leader' and a.status = 'active' order by a.id",
        ))
        .await?;
    // Every year from the first task's to the last's, and this year: two index
    // seeks (a `distinct`, or min and max in one select, reads the whole index).
    let (first, last): (Option<i64>, Option<i64>) = db
        .one(Query::new("select (select min(year) from reform_tasks), (select max(year) from reform_tasks)"))
        .await?;
    let this_year = i64::from(ui.state.clock.today().year());
    let years: Vec<i64> = (first.unwrap_or(this_year).min(this_year)
        ..=last.unwrap_or(this_year).max(this_year))
        .rev()
        .collect();
    let mut dicts = crate::dicts::store::options_by_type(db, &["reform_source", "reform_field"]).await?;
    Ok(Choices {
        sources: dicts.remove("reform_source").unwrap_or_default(),
        fields: dicts.remove("reform_field").unwrap_or_default(),
        units: ui.state.units.options(db, &org, NOT_IN_REFORM).await?,
        leaders,
        stages: super::stage::Stage::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        years,
        cycles: super::model::CYCLES,
    })
}
