//! Research pages. A form that fails its checks comes back with the messages
//! beside the fields (topics, outputs, instructions, follow-ups); small forms
//! on a detail page (a milestone, an article, a score) say why in the page's
//! message line.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::followup::State;
use super::funds::{self, BudgetInput, SpendingInput};
use super::instructions::{self, InstructionInput};
use super::outputs::{self, CompilationInput, OutputInput, TransformationInput};
use super::selection::{self, AwardCounts, RoundInput};
use super::{journal, topics};
use crate::authz::{Action, Module};
use crate::db::{Db, DbResult, Query as Q};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;
use crate::web::form::MultiForm;

type Errors = BTreeMap<String, String>;
type Pairs = &'static [(&'static str, &'static str)];

/// `?year=`
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct YearQuery {
    /// Year.
    pub year: String,
}

/// Active accounts holding any research permission (owners, judges).
pub async fn people(db: &Db) -> DbResult<Vec<(i64, String)>> {
    db.all(Q::new(
        "select a.id, a.display_name || '（' || u.name || '）' from accounts a join units u on u.id = a.unit_id \
         where a.status = 'active' and exists (select 1 from account_roles ar \
         join role_permissions p on p.role_id = ar.role_id where ar.account_id = a.id and p.module = 'research') \
         order by u.path, a.display_name, a.id",
    ))
    .await
}

async fn write_units(ui: &Ui) -> AppResult<Vec<(i64, String)>> {
    Ok(crate::org::units::store::options(&ui.state.db, &ui.user.scope(Module::Research, Action::Write))
        .await?)
}

async fn all_units(ui: &Ui) -> AppResult<Vec<(i64, String)>> {
    Ok(crate::org::units::store::options(&ui.state.db, &ui.user.scope(Module::Org, Action::Read)).await?)
}

fn saved_or<T>(r: AppResult<T>) -> AppResult<Result<T, FieldErrors>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(AppError::Invalid(e)) => Ok(Err(e)),
        Err(e) => Err(e),
    }
}

mod instructions_pages;
mod journal_pages;
mod outputs_pages;
mod selection_pages;
mod topics_pages;

pub use instructions_pages::*;
pub use journal_pages::*;
pub use outputs_pages::*;
pub use selection_pages::*;
pub use topics_pages::*;
