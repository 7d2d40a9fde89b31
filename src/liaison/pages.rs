//! Grassroots pages: the case list, the phone-width submission form, a case
//! with the forms each party may use, the registry, the lexicon and the
//! figures. A form that fails its checks comes back with the message beside
//! the field.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::cases::{self, Case};
use super::flow::{self, Rating, State};
use super::steps::{self, StepInput};
use super::submit::{self, SubmitInput};
use crate::authz::{Action, Module};
use crate::db::Query as Q;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;

type Errors = BTreeMap<String, String>;
type Pairs = &'static [(&'static str, &'static str)];

async fn categories(ui: &Ui) -> AppResult<Vec<(String, String)>> {
    Ok(crate::dicts::store::options(&ui.state.db, "submission_category").await?)
}

fn states() -> Vec<(&'static str, &'static str)> {
    let mut v = vec![("open", "未办结"), ("office", "待研究室处理")];
    v.extend(State::ALL.iter().map(|s| (s.code(), s.label())));
    v
}

#[derive(Serialize)]
struct ListPage {
    f: cases::Filter,
    rows: Vec<Case>,
    more: bool,
    page: i64,
    states: Vec<(&'static str, &'static str)>,
    categories: Vec<(String, String)>,
    can_submit: bool,
    office: bool,
}

/// `GET /liaison`
pub async fn list(ui: Ui, Query(f): Query<cases::Filter>) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Read)?;
    let (rows, more) = cases::list(&ui.state.db, &ui.user, &f).await?;
    let page = ListPage {
        page: f.page.trim().parse().unwrap_or(1),
        f,
        rows,
        more,
        states: states(),
        categories: categories(&ui).await?,
        can_submit: is_point(&ui).await?,
        office: ui.user.can(Module::Liaison, Action::Approve),
    };
    ui.render("liaison/list.html", page)
}

/// Is the person's unit a registered contact point?
async fn is_point(ui: &Ui) -> AppResult<bool> {
    if !ui.user.can(Module::Liaison, Action::Write) {
        return Ok(false);
    }
    let n: i64 = ui
        .state
        .db
        .scalar(Q::new("select count(*) from liaison_points where unit_id = $1").bind(ui.user.unit_id))
        .await?;
    Ok(n > 0)
}

#[derive(Serialize)]
struct NewPage {
    form: SubmitInput,
    errors: Errors,
    urgency: Pairs,
    categories: Vec<(String, String)>,
    points: Vec<(i64, String)>,
}

async fn new_page(
    ui: &Ui,
    form: SubmitInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Write)?;
    // The office may submit for any point (a phone call noted down); a point submits for itself.
    let points = if ui.user.can(Module::Liaison, Action::Approve) {
        let mut sql = crate::db::Sql::new(
            "select u.id, u.name from liaison_points p join units u on u.id = p.unit_id \
             where p.status = 'active' and u.status = 'active' and ",
        );
        ui.user.scope(Module::Liaison, Action::Write).filter(&mut sql, "u.id", None);
        sql.push(" order by u.path");
        ui.state.db.all(sql.build()).await?
    } else {
        Vec::new()
    };
    let page = NewPage {
        form,
        errors: ui.field_errors(&errors),
        urgency: cases::URGENCY,
        categories: categories(ui).await?,
        points,
    };
    ui.render_status(status, "liaison/new.html", page)
}

/// `GET /liaison/new`
pub async fn new(ui: Ui) -> AppResult<Response> {
    new_page(&ui, SubmitInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /liaison/new` (multipart: the fields and up to six photos or files).
pub async fn submit(ui: Ui, m: Multipart) -> AppResult<Response> {
    let form = crate::attachments::read_form(m, cases::MAX_FILES).await?;
    let input = SubmitInput {
        title: form.text("title"),
        content: form.text("content"),
        place: form.text("place"),
        category: form.text("category"),
        urgency: form.text("urgency"),
        point_id: form.text("point_id"),
    };
    let c = ui.caller();
    let mut checked_files = Vec::new();
    for (name, bytes) in form.files {
        match crate::attachments::actions::check(&c, &name, bytes).await {
            Ok(f) => checked_files.push(f),
            Err(AppError::BadRequest(m)) => {
                return new_page(&ui, input, FieldErrors::one("files", m), StatusCode::UNPROCESSABLE_ENTITY)
                    .await;
            }
            Err(e) => return Err(e),
        }
    }
    let checked = match submit::check_submission(&c, &input).await {
        Ok(s) => s,
        Err(AppError::Invalid(e)) => return new_page(&ui, input, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => return Err(e),
    };
    let s = submit::submit(&c, checked, checked_files, "form", None).await?;
    Ok(ui.done(&format!("/liaison/cases/{}", s.id), Msg::new("已受理，受理编号{no}").arg("no", s.no)))
}

#[derive(Serialize)]
struct CasePage {
    case: Case,
    state_label: &'static str,
    channel_label: &'static str,
    close_label: &'static str,
    history: Vec<cases::HistoryRow>,
    duplicates: Vec<Case>,
    files: Vec<crate::attachments::store::Attachment>,
    office: bool,
    handler: bool,
    point: bool,
    categories: Vec<(String, String)>,
    units: Vec<(i64, String)>,
    return_reasons: Pairs,
    transfer_reasons: Pairs,
    solved: Pairs,
    ratings: Vec<(&'static str, &'static str)>,
    form: StepInput,
    errors: Errors,
    risk_label: &'static str,
}

async fn case_page(
    ui: &Ui,
    id: i64,
    form: StepInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let case = cases::visible(&c, id).await?;
    let parts = cases::parts(&c, &case);
    let db = &ui.state.db;
    let units = if parts.office {
        crate::org::units::store::options(db, &crate::authz::Scope::everything()).await?.into_iter().collect()
    } else {
        Vec::new()
    };
    let files = crate::attachments::store::for_owner(
        db,
        &crate::authz::Scope::everything(),
        "liaison_case",
        &id.to_string(),
    )
    .await?;
    let mut form = form;
    if form.category.is_empty() {
        form.category = if case.category.is_empty() { case.suggested.clone() } else { case.category.clone() };
    }
    if form.into.is_empty() {
        form.into = case.dup_of.map(|d| d.to_string()).unwrap_or_default();
    }
    let page = CasePage {
        state_label: case.state().label(),
        channel_label: crate::research::label_of(cases::CHANNELS, &case.channel),
        close_label: crate::research::label_of(cases::CLOSE_REASONS, &case.close_reason),
        history: cases::history(db, id).await?,
        duplicates: cases::duplicates(db, &ui.user, &case).await?,
        files,
        office: parts.office,
        handler: parts.handler,
        point: parts.point,
        categories: categories(ui).await?,
        units,
        return_reasons: flow::RETURN_REASONS,
        transfer_reasons: flow::TRANSFER_REASONS,
        solved: flow::SOLVED,
        ratings: Rating::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        form,
        errors: ui.field_errors(&errors),
        risk_label: cases::risk_label(case.risk_level),
        case,
    };
    ui.render_status(status, "liaison/case.html", page)
}

/// `GET /liaison/cases/{id}`
pub async fn case(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    case_page(&ui, id, StepInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /liaison/cases/{id}/step`
pub async fn step(ui: Ui, Path(id): Path<i64>, Form(f): Form<StepInput>) -> AppResult<Response> {
    match steps::step(&ui.caller(), id, &f).await {
        Ok(to) => {
            Ok(ui.done(&format!("/liaison/cases/{id}"), Msg::new("案件{state}").arg("state", to.label())))
        }
        Err(AppError::Invalid(e)) => case_page(&ui, id, f, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or(&format!("/liaison/cases/{id}"), e),
    }
}

/// `GET /liaison/cases/{id}/files/{file}`: a case's photo or file, for whoever
/// may see the case (the case's scope, not the uploader unit's, decides).
pub async fn file(ui: Ui, Path((id, file)): Path<(i64, i64)>) -> AppResult<Response> {
    cases::visible(&ui.caller(), id).await?;
    let a = crate::attachments::store::get(&ui.state.db, file).await?.ok_or(AppError::NotFound)?;
    if a.owner_type != "liaison_case" || a.owner_ref != id.to_string() {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(crate::attachments::store::blob_path(&ui.state.files_dir(), &a.sha))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(crate::attachments::file_response(&a, bytes))
}

/// `GET /liaison/export`: the case ledger as xlsx (the list's filter, within the export scope).
pub async fn export(ui: Ui, Query(f): Query<cases::Filter>) -> AppResult<Response> {
    let bytes = super::ledger::cases(&ui.caller(), &f).await?;
    Ok(crate::export::download("基层问题台账.xlsx", bytes))
}
