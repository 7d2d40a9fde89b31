//! `/reform/export` (the ledger as xlsx) and `/reform/import` (upload, check, apply).

use axum::extract::{Multipart, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::attachments::read_form;
use crate::authz::{Action, Module};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::reform::ledger::{self, COLUMNS, Outcome, RowError};
use crate::reform::store::TaskFilter;
use crate::web::Ui;

/// `GET /reform/export`: the tasks matching the list's filters, in scope.
pub async fn export(ui: Ui, Query(mut f): Query<TaskFilter>) -> AppResult<Response> {
    let scope = ui.require(Module::Reform, Action::Export)?;
    if f.year.is_empty() {
        f.year = ui.state.clock.today().year().to_string();
    }
    let (bytes, _) = ledger::export(&ui.state.db, &scope, &f).await?;
    Ok(crate::export::download(&format!("改革任务台账_{}", f.year), bytes))
}

#[derive(Serialize)]
struct Page {
    headers: Vec<&'static str>,
    errors: Vec<RowError>,
    outcome: Option<Outcome>,
    file_name: String,
}

fn render(
    ui: &Ui,
    status: StatusCode,
    errors: Vec<RowError>,
    outcome: Option<Outcome>,
    file_name: String,
) -> AppResult<Response> {
    let headers = COLUMNS.iter().map(|(_, h, _)| *h).collect();
    ui.render_status(status, "reform/import.html", Page { headers, errors, outcome, file_name })
}

/// `GET /reform/import`
pub async fn page(ui: Ui) -> AppResult<Response> {
    ui.require(Module::Reform, Action::Approve)?;
    render(&ui, StatusCode::OK, Vec::new(), None, String::new())
}

/// `POST /reform/import` (multipart, one file).
pub async fn import(ui: Ui, m: Multipart) -> AppResult<Response> {
    ui.require(Module::Reform, Action::Approve)?;
    let form = read_form(m, 1).await?;
    let Some((name, bytes)) = form.files.into_iter().next() else {
        let e = RowError {
            row: None,
            column: String::new(),
            message: ui.say(&Msg::new("请选择要导入的台账文件")),
        };
        return render(&ui, StatusCode::UNPROCESSABLE_ENTITY, vec![e], None, String::new());
    };
    match ledger::import(&ui.caller(), &bytes).await? {
        Ok(out) => render(&ui, StatusCode::OK, Vec::new(), Some(out), name),
        Err(errors) => render(&ui, StatusCode::UNPROCESSABLE_ENTITY, errors, None, name),
    }
}
