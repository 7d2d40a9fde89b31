//! `/reform/reports`: reports awaiting review, and reports overdue.

use axum::response::Response;
use serde::Serialize;

use crate::authz::{Action, Module};
use crate::error::AppResult;
use crate::reform::reports::{self, Overdue, Report};
use crate::web::Ui;

#[derive(Serialize)]
struct Page {
    queue: Vec<Report>,
    overdue: Vec<Overdue>,
    can_review: bool,
}

/// `GET /reform/reports`
pub async fn page(ui: Ui) -> AppResult<Response> {
    let read = ui.require(Module::Reform, Action::Read)?;
    let approve = ui.user.scope(Module::Reform, Action::Approve);
    let queue =
        if approve.is_empty() { Vec::new() } else { reports::queue(&ui.state.db, &approve, 200).await? };
    let overdue = reports::overdue(&ui.state.db, &read, ui.state.clock.today(), 500).await?;
    ui.render("reform/reports.html", Page { queue, overdue, can_review: !approve.is_empty() })
}
