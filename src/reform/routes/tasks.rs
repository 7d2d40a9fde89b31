//! The task list and the task forms.

use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::{Choices, Stamps, choices, choices_at};
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::reform::actions;
use crate::reform::model::TaskInput;
use crate::reform::store::{self, Task, TaskFilter};
use crate::web::Ui;
use crate::web::list::Pager;

#[derive(Serialize)]
struct Count {
    code: &'static str,
    label: &'static str,
    n: i64,
}

#[derive(Serialize)]
struct ListPage {
    rows: Vec<Task>,
    pager: Pager,
    filter: TaskFilter,
    counts: Vec<Count>,
    all: i64,
    choices: Choices,
    can_manage: bool,
    can_export: bool,
}

/// `GET /reform`
pub async fn list(ui: Ui, Query(mut f): Query<TaskFilter>) -> AppResult<Response> {
    let scope = ui.require(Module::Reform, Action::Read)?;
    if f.year.is_empty() {
        f.year = ui.state.clock.today().year().to_string();
    }
    let stamps = Stamps::read(&ui.state.db).await?;
    let answer = ui.state.reform_listings.answer(&ui.state.db, &scope, &f, stamps.listing()).await?;
    let counts = crate::deadline::Colour::ALL
        .iter()
        .rev()
        .map(|c| Count { code: c.code(), label: c.label(), n: answer.of(c.code()) })
        .collect::<Vec<_>>();
    let page = ListPage {
        pager: Pager::new(&f.paging, answer.total(&f), answer.rows.len()),
        all: answer.all(),
        rows: answer.rows.clone(),
        counts,
        choices: choices_at(&ui, &stamps).await?,
        filter: f,
        can_manage: ui.user.can(Module::Reform, Action::Approve),
        can_export: ui.user.can(Module::Reform, Action::Export),
    };
    ui.render("reform/list.html", page)
}

#[derive(Serialize)]
struct FormPage {
    form: TaskInput,
    errors: std::collections::BTreeMap<String, String>,
    choices: Choices,
    task: Option<Task>,
}

async fn form_page(
    ui: &Ui,
    form: TaskInput,
    task: Option<Task>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Reform, Action::Approve)?;
    let page = FormPage { form, errors: ui.field_errors(&errors), choices: choices(ui).await?, task };
    ui.render_status(status, "reform/task_form.html", page)
}

/// `GET /reform/tasks/new`
pub async fn new(ui: Ui) -> AppResult<Response> {
    let form = TaskInput {
        year: ui.state.clock.today().year().to_string(),
        report_day: "25".into(),
        ..TaskInput::default()
    };
    form_page(&ui, form, None, FieldErrors::default(), StatusCode::OK).await
}

/// A task form: cooperating units come as repeated `unit_ids` fields.
fn input_of(pairs: Vec<(String, String)>) -> TaskInput {
    let mut t = TaskInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "title" => t.title = v,
            "year" => t.year = v,
            "source" => t.source = v,
            "field" => t.field = v,
            "lead_unit_id" => t.lead_unit_id = v,
            "unit_ids" => t.unit_ids.push(v),
            "leader_account_id" => t.leader_account_id = v,
            "leader_name" => t.leader_name = v,
            "goals" => t.goals = v,
            "outputs" => t.outputs = v,
            "start_on" => t.start_on = v,
            "deadline" => t.deadline = v,
            "tags" => t.tags = v,
            "report_cycle" => t.report_cycle = v,
            "report_day" => t.report_day = v,
            _ => {}
        }
    }
    t
}

/// `POST /reform/tasks`
pub async fn create(ui: Ui, Form(pairs): Form<Vec<(String, String)>>) -> AppResult<Response> {
    let form = input_of(pairs);
    match actions::create(&ui.caller(), &form).await {
        Ok(id) => Ok(ui.done(&format!("/reform/tasks/{id}"), Msg::new("改革任务已新增"))),
        Err(AppError::Invalid(e)) => form_page(&ui, form, None, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// The form values of an existing task.
pub fn input_from(t: &Task, unit_ids: Vec<String>, tags: String) -> TaskInput {
    TaskInput {
        title: t.title.clone(),
        year: t.year.to_string(),
        source: t.source.clone(),
        field: t.field.clone(),
        lead_unit_id: t.lead_unit_id.to_string(),
        unit_ids,
        leader_account_id: t.leader_account_id.map(|l| l.to_string()).unwrap_or_default(),
        leader_name: if t.leader_account_id.is_some() { String::new() } else { t.leader.clone() },
        goals: t.goals.clone(),
        outputs: t.outputs.clone(),
        start_on: t.start_on.to_string(),
        deadline: t.deadline.map(|d| d.to_string()).unwrap_or_default(),
        tags,
        report_cycle: t.report_cycle.clone(),
        report_day: t.report_day.to_string(),
    }
}

/// `GET /reform/tasks/{id}/edit`
pub async fn edit(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let t = actions::managed_task(&ui.caller(), id).await?;
    let units = store::task_units(&ui.state.db, id).await?;
    let unit_ids = units.iter().skip(1).map(|(u, _, _)| u.to_string()).collect();
    let tags = t.tags.replace('、', "，");
    let form = input_from(&t, unit_ids, tags);
    form_page(&ui, form, Some(t), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /reform/tasks/{id}`
pub async fn update(
    ui: Ui,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = input_of(pairs);
    match actions::update(&ui.caller(), id, &form).await {
        Ok(()) => Ok(ui.done(&format!("/reform/tasks/{id}"), Msg::new("已保存"))),
        Err(AppError::Invalid(e)) => {
            let t = store::get(&ui.state.db, id).await?;
            form_page(&ui, form, t, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/reform/tasks/{id}"), e),
    }
}

/// The status form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    reason: String,
}

/// `POST /reform/tasks/{id}/status`
pub async fn set_status(ui: Ui, Path(id): Path<i64>, Form(f): Form<StatusForm>) -> AppResult<Response> {
    match actions::set_status(&ui.caller(), id, &f.status, &f.reason).await {
        Ok(()) => Ok(ui.done(&format!("/reform/tasks/{id}"), Msg::new("已保存"))),
        Err(e) => ui.refused_or(&format!("/reform/tasks/{id}"), e),
    }
}
