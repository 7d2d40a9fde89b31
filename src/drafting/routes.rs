//! Drafting desk pages.

use axum::Form;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::chain::State;
use super::desk::{self, Filter, PublicationInput, TaskInput, VersionInput};
use super::diff;
use crate::authz::{Action, Module};
use crate::db::{Db, DbResult, Query as Q};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;

/// Accounts that may take part in drafting (hold any drafting permission).
pub async fn people(db: &Db) -> DbResult<Vec<(i64, String)>> {
    db.all(Q::new(
        "select a.id, a.display_name from accounts a where a.status = 'active' and exists (select 1 from account_roles ar \
         join role_permissions p on p.role_id = ar.role_id where ar.account_id = a.id and p.module = 'drafting') \
         order by a.display_name, a.id",
    ))
    .await
}

#[derive(Serialize)]
struct ListPage {
    year: i64,
    f: Filter,
    rows: Vec<desk::Task>,
    states: Vec<(&'static str, &'static str)>,
    kinds: &'static [(&'static str, &'static str)],
    can_write: bool,
    units: Vec<(i64, String)>,
    people: Vec<(i64, String)>,
    form: TaskInput,
    errors: std::collections::BTreeMap<String, String>,
    now: i64,
}

async fn list_page(
    ui: &Ui,
    f: Filter,
    form: TaskInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Drafting, Action::Read)?;
    let year = ui.year_or_this(&f.year);
    let can_write = ui.user.can(Module::Drafting, Action::Write);
    let (units, people) = if can_write {
        (
            crate::org::units::store::options(&ui.state.db, &ui.user.scope(Module::Drafting, Action::Write))
                .await?,
            people(&ui.state.db).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let page = ListPage {
        year,
        rows: desk::list(&ui.state.db, &ui.user, year, &f).await?,
        f,
        states: State::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        kinds: desk::KINDS,
        can_write,
        units,
        people,
        form,
        errors: ui.field_errors(&errors),
        now: ui.now().0,
    };
    ui.render_status(status, "drafting/list.html", page)
}

/// `GET /drafting`
pub async fn list(ui: Ui, Query(f): Query<Filter>) -> AppResult<Response> {
    let form = TaskInput { due_hours: "48".into(), ..TaskInput::default() };
    list_page(&ui, f, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /drafting`
pub async fn create(
    ui: Ui,
    crate::web::form::MultiForm(form): crate::web::form::MultiForm<TaskInput>,
) -> AppResult<Response> {
    match desk::create(&ui.caller(), &form).await {
        Ok(id) => Ok(ui.done(&format!("/drafting/{id}"), Msg::new("已新建起草任务"))),
        Err(AppError::Invalid(e)) => {
            list_page(&ui, Filter::default(), form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct DetailPage {
    task: desk::Task,
    kind_label: &'static str,
    state_label: &'static str,
    versions: Vec<desk::Version>,
    history: Vec<desk::HistoryRow>,
    publications: Vec<desk::Publication>,
    latest: String,
    drafter: bool,
    reviewer: bool,
    checker: bool,
    can_add_version: bool,
    text: String,
    note: String,
    publication: PublicationInput,
    errors: std::collections::BTreeMap<String, String>,
    overdue: bool,
    step_index: usize,
    can_instruct: bool,
}

async fn detail_page(
    ui: &Ui,
    id: i64,
    text: String,
    note: String,
    publication: PublicationInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let (t, p) = desk::visible_with_parts(&c, id).await?;
    let db = &ui.state.db;
    let latest = if t.versions > 0 {
        desk::version_text(db, t.id, t.versions).await?.unwrap_or_default()
    } else {
        String::new()
    };
    let text = if text.is_empty() && status == StatusCode::OK { latest.clone() } else { text };
    let page = DetailPage {
        kind_label: desk::kind_label(&t.kind),
        state_label: t.state().label(),
        versions: desk::versions(db, t.id).await?,
        history: desk::events(db, t.id).await?,
        publications: desk::publications(db, t.id).await?,
        latest,
        drafter: p.drafter,
        reviewer: p.reviewer && t.state() == State::Review,
        checker: p.checker && t.state() == State::Check,
        can_add_version: p.drafter
            && super::chain::accepts_versions(t.state())
            && ui.user.can(Module::Drafting, Action::Write),
        overdue: t.issued_at.is_none() && ui.now().0 > t.due_at.0,
        step_index: State::ALL.iter().position(|s| *s == t.state()).unwrap_or(0),
        can_instruct: ui.user.can(Module::Research, Action::Write),
        task: t,
        text,
        note,
        publication,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "drafting/detail.html", page)
}

/// `GET /drafting/{id}`
pub async fn detail(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    detail_page(
        &ui,
        id,
        String::new(),
        String::new(),
        PublicationInput::default(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /drafting/{id}/versions` (multipart: `text`, `note`, optional `file`).
pub async fn add_version(ui: Ui, Path(id): Path<i64>, m: Multipart) -> AppResult<Response> {
    let form = crate::attachments::read_form(m, 1).await?;
    let (text, note) = (form.text("text"), form.text("note"));
    let c = ui.caller();
    let file = match crate::attachments::actions::check_upload(&c, form.files).await? {
        Ok(f) => f,
        Err(e) => {
            return detail_page(
                &ui,
                id,
                text,
                note,
                PublicationInput::default(),
                e,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let input = VersionInput { text: text.clone(), note: note.clone(), file };
    match desk::add_version(&c, id, input).await {
        Ok(no) => Ok(ui.done(&format!("/drafting/{id}"), Msg::new("已保存第{no}稿").arg("no", no))),
        Err(AppError::Invalid(e)) => {
            detail_page(&ui, id, text, note, PublicationInput::default(), e, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => ui.refused_or(&format!("/drafting/{id}"), e),
    }
}

/// The step form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    /// `submit`, `approve`, `return`, `issue`.
    pub step: String,
    /// Comments.
    pub comment: String,
}

/// `POST /drafting/{id}/step`
pub async fn step(ui: Ui, Path(id): Path<i64>, Form(f): Form<StepForm>) -> AppResult<Response> {
    match desk::step(&ui.caller(), id, &f.step, &f.comment).await {
        Ok(to) => Ok(ui.done(&format!("/drafting/{id}"), Msg::new("文稿{state}").arg("state", to.label()))),
        Err(AppError::Invalid(e)) => {
            detail_page(
                &ui,
                id,
                String::new(),
                String::new(),
                PublicationInput::default(),
                e,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => ui.refused_or(&format!("/drafting/{id}"), e),
    }
}

/// `POST /drafting/{id}/publications`
pub async fn add_publication(
    ui: Ui,
    Path(id): Path<i64>,
    Form(f): Form<PublicationInput>,
) -> AppResult<Response> {
    match desk::add_publication(&ui.caller(), id, &f).await {
        Ok(_) => Ok(ui.done(&format!("/drafting/{id}"), Msg::new("已登记刊发情况"))),
        Err(AppError::Invalid(e)) => {
            detail_page(&ui, id, String::new(), String::new(), f, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/drafting/{id}"), e),
    }
}

#[derive(Serialize)]
struct VersionPage {
    task: desk::Task,
    no: i64,
    text: String,
}

/// `GET /drafting/{id}/versions/{no}`
pub async fn version(ui: Ui, Path((id, no)): Path<(i64, i64)>) -> AppResult<Response> {
    let t = desk::visible(&ui.caller(), id).await?;
    let text = desk::version_text(&ui.state.db, id, no).await?.ok_or(AppError::NotFound)?;
    ui.render("drafting/version.html", VersionPage { task: t, no, text })
}

/// `?a=&b=`
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CompareQuery {
    /// The older version's number.
    pub a: String,
    /// The newer version's number.
    pub b: String,
}

#[derive(Serialize)]
struct ComparePage {
    task: desk::Task,
    a: i64,
    b: i64,
    numbers: Vec<i64>,
    rows: Vec<diff::Row>,
    summary: diff::Summary,
}

/// `GET /drafting/{id}/compare?a=1&b=2` (default: the last two versions).
pub async fn compare(ui: Ui, Path(id): Path<i64>, Query(q): Query<CompareQuery>) -> AppResult<Response> {
    let t = desk::visible(&ui.caller(), id).await?;
    let b = q.b.trim().parse().unwrap_or(t.versions);
    let a = q.a.trim().parse().unwrap_or(b - 1);
    let db = &ui.state.db;
    let (Some(old), Some(new)) = (desk::version_text(db, id, a).await?, desk::version_text(db, id, b).await?)
    else {
        return Ok(ui.refuse(&format!("/drafting/{id}"), &Msg::new("请选择两个已有的版本进行比较")));
    };
    let (rows, summary) = diff::compare(&old, &new);
    let numbers = (1..=t.versions).collect();
    ui.render("drafting/compare.html", ComparePage { task: t, a, b, numbers, rows, summary })
}

/// `?year=`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    /// Year.
    pub year: String,
}

/// `GET /drafting/figures`
pub async fn figures(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    ui.require(Module::Drafting, Action::Read)?;
    let year = ui.year_or_this(&q.year);
    let f = super::figures::figures(&ui.state.db, &ui.user, year, ui.now(), ui.state.clock.offset()).await?;
    ui.render("drafting/figures.html", f)
}
