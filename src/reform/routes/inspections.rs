//! Inspections, their findings, rectification items and notices.

use axum::extract::{Form, Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::attachments::read_form;
use crate::attachments::store::{self as files, Attachment};
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::rectify::{self, CloseInput, Item, ItemFilter};
use crate::reform::inspections::{
    self, FindingInput, InspectedUnit, Inspection, InspectionInput, KINDS, RESULTS,
};
use crate::reform::notices::{self, Notice, NoticeInput};
use crate::web::Ui;
use crate::web::list::Pager;

/// `?year=`
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct YearQuery {
    /// Year (default this year).
    pub year: String,
    /// Kind filter.
    pub kind: String,
}

#[derive(Serialize)]
struct ListPage {
    year: i64,
    rows: Vec<Inspection>,
    can_manage: bool,
    kinds: &'static [(&'static str, &'static str)],
    units: Vec<(i64, String)>,
    form: InspectionInput,
    errors: std::collections::BTreeMap<String, String>,
}

async fn list_page(
    ui: &Ui,
    year: i64,
    form: InspectionInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = ui.require(Module::Reform, Action::Read)?;
    let can_manage = ui.user.can(Module::Reform, Action::Approve);
    let units = if can_manage {
        crate::org::units::store::options(&ui.state.db, &ui.user.scope(Module::Reform, Action::Approve))
            .await?
    } else {
        Vec::new()
    };
    let page = ListPage {
        year,
        rows: inspections::list(&ui.state.db, &scope, year).await?,
        can_manage,
        kinds: KINDS,
        units,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "reform/inspections.html", page)
}

/// `GET /reform/inspections`
pub async fn list(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let year = ui.year_or_this(&q.year);
    let form = InspectionInput {
        kind: "onsite".into(),
        held_on: ui.state.clock.today().to_string(),
        ..InspectionInput::default()
    };
    list_page(&ui, year, form, FieldErrors::default(), StatusCode::OK).await
}

fn inspection_input(pairs: Vec<(String, String)>) -> InspectionInput {
    let mut f = InspectionInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "title" => f.title = v,
            "kind" => f.kind = v,
            "held_on" => f.held_on = v,
            "organizer" => f.organizer = v,
            "summary" => f.summary = v,
            "unit_ids" => f.unit_ids.push(v),
            _ => {}
        }
    }
    f
}

/// `POST /reform/inspections`
pub async fn create(ui: Ui, Form(pairs): Form<Vec<(String, String)>>) -> AppResult<Response> {
    let form = inspection_input(pairs);
    match inspections::create(&ui.caller(), &form).await {
        Ok(id) => Ok(ui.done(&format!("/reform/inspections/{id}"), Msg::new("督察已登记"))),
        Err(AppError::Invalid(e)) => {
            let year = ui.year_or_this(form.held_on.get(..4).unwrap_or_default());
            list_page(&ui, year, form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct DetailPage {
    inspection: Inspection,
    kind_label: &'static str,
    units: Vec<InspectedUnit>,
    findings: Vec<inspections::Finding>,
    results: &'static [(&'static str, &'static str)],
    can_manage: bool,
    unit_options: Vec<(i64, String)>,
    owners: Vec<(i64, String)>,
    form: FindingInput,
    errors: std::collections::BTreeMap<String, String>,
}

async fn detail_page(
    ui: &Ui,
    id: i64,
    form: FindingInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let (inspection, units, findings) = inspections::visible_one(&c, id).await?;
    let approve = ui.user.scope(Module::Reform, Action::Approve);
    let can_manage = !approve.is_empty()
        && units.iter().all(|u| {
            approve.allows(crate::authz::Target { unit_id: u.unit_id, unit_path: &u.path, owner_id: None })
        });
    let unit_options: Vec<(i64, String)> = units.iter().map(|u| (u.unit_id, u.name.clone())).collect();
    let mut owners = Vec::new();
    if can_manage && !units.is_empty() {
        let mut sql = crate::db::Sql::new(
            "select a.id, a.display_name || '（' || u.name || '）' from accounts a join units u on u.id = a.unit_id \
             where a.status = 'active' and a.unit_id in ",
        );
        sql.bind_list(units.iter().map(|u| u.unit_id)).push(" order by u.path, a.display_name");
        owners = ui.state.db.all(sql.build()).await?;
    }
    let page = DetailPage {
        unit_options,
        owners,
        kind_label: inspections::label_of(KINDS, &inspection.kind),
        inspection,
        units,
        findings,
        results: RESULTS,
        can_manage,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "reform/inspection.html", page)
}

/// `GET /reform/inspections/{id}`
pub async fn detail(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    detail_page(&ui, id, FindingInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// The result form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResultForm {
    unit_id: i64,
    result: String,
}

/// `POST /reform/inspections/{id}/results`
pub async fn set_result(ui: Ui, Path(id): Path<i64>, Form(f): Form<ResultForm>) -> AppResult<Response> {
    let to = format!("/reform/inspections/{id}");
    match inspections::set_result(&ui.caller(), id, f.unit_id, &f.result).await {
        Ok(()) => Ok(ui.done(&to, Msg::new("督察结果已保存"))),
        Err(e) => ui.refused_or(&to, e),
    }
}

/// `POST /reform/inspections/{id}/findings`
pub async fn add_finding(ui: Ui, Path(id): Path<i64>, Form(form): Form<FindingInput>) -> AppResult<Response> {
    match inspections::add_finding(&ui.caller(), id, &form).await {
        Ok(_) => Ok(ui.done(&format!("/reform/inspections/{id}"), Msg::new("问题已登记，整改事项已交办"))),
        Err(AppError::Invalid(e)) => detail_page(&ui, id, form, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or(&format!("/reform/inspections/{id}"), e),
    }
}

#[derive(Serialize)]
struct Count {
    code: &'static str,
    label: &'static str,
    n: i64,
}

#[derive(Serialize)]
struct ItemsPage {
    rows: Vec<Item>,
    pager: Pager,
    filter: ItemFilter,
    counts: Vec<Count>,
    units: Vec<(i64, String)>,
}

/// `GET /reform/rectifications`
pub async fn items(ui: Ui, Query(f): Query<ItemFilter>) -> AppResult<Response> {
    let scope = ui.require(Module::Reform, Action::Read)?;
    let (rows, total) = rectify::list(&ui.state.db, &scope, &f).await?;
    let by = rectify::colour_counts(&ui.state.db, &scope, &f).await?;
    let counts = crate::deadline::Colour::ALL
        .iter()
        .rev()
        .map(|c| Count {
            code: c.code(),
            label: c.label(),
            n: by.iter().find(|(k, _)| k == c.code()).map_or(0, |(_, n)| *n),
        })
        .collect();
    let units =
        crate::org::units::store::options(&ui.state.db, &ui.user.scope(Module::Org, Action::Read)).await?;
    ui.render(
        "reform/rectifications.html",
        ItemsPage { pager: Pager::new(&f.paging, total, rows.len()), rows, filter: f, counts, units },
    )
}

#[derive(Serialize)]
struct ItemPage {
    item: Item,
    source: Option<(i64, String)>,
    files: Vec<Attachment>,
    can_close: bool,
    can_reopen: bool,
    form: CloseInput,
    errors: std::collections::BTreeMap<String, String>,
}

async fn item_page(
    ui: &Ui,
    id: i64,
    form: CloseInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let item = rectify::visible(&c, id).await?;
    let target = crate::authz::Target { unit_id: item.unit_id, unit_path: &item.unit_path, owner_id: None };
    let module = rectify::module_of(&item.source_type);
    let can_close = item.status == "open" && ui.user.scope(module, Action::Write).allows(target);
    let can_reopen = item.status == "closed" && ui.user.scope(module, Action::Approve).allows(target);
    let source: Option<(i64, String)> = if item.source_type == "reform_finding" {
        ui.state
            .db
            .opt(crate::db::Query::new(
                "select i.id, i.title from reform_findings f join reform_inspections i on i.id = f.inspection_id where f.id = $1",
            ).bind(item.source_id))
            .await?
    } else {
        None
    };
    let files = files::for_owner(
        &ui.state.db,
        &ui.user.scope(Module::Attachments, Action::Read),
        "rectification",
        &id.to_string(),
    )
    .await?;
    let page =
        ItemPage { item, source, files, can_close, can_reopen, form, errors: ui.field_errors(&errors) };
    ui.render_status(status, "reform/rectification.html", page)
}

/// `GET /reform/rectifications/{id}`
pub async fn item(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    item_page(&ui, id, CloseInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /reform/rectifications/{id}/close` (multipart, with one evidence file).
pub async fn close(ui: Ui, Path(id): Path<i64>, m: Multipart) -> AppResult<Response> {
    let form = read_form(m, 1).await?;
    let input = CloseInput { evidence: form.text("evidence"), closed_on: form.text("closed_on") };
    let c = ui.caller();
    let file = match form.files.into_iter().next() {
        Some((name, bytes)) => match crate::attachments::actions::check(&c, &name, bytes).await {
            Ok(f) => Some(f),
            Err(AppError::BadRequest(m)) => {
                return item_page(
                    &ui,
                    id,
                    input,
                    FieldErrors::one("file", m),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    match rectify::close(&c, id, &input, file.as_ref()).await {
        Ok(()) => Ok(ui.done(&format!("/reform/rectifications/{id}"), Msg::new("整改事项已销号"))),
        Err(AppError::Invalid(e)) => item_page(&ui, id, input, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or(&format!("/reform/rectifications/{id}"), e),
    }
}

/// The reopen form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonForm {
    reason: String,
}

/// `POST /reform/rectifications/{id}/reopen`
pub async fn reopen(ui: Ui, Path(id): Path<i64>, Form(f): Form<ReasonForm>) -> AppResult<Response> {
    match rectify::reopen(&ui.caller(), id, &f.reason).await {
        Ok(()) => Ok(ui.done(&format!("/reform/rectifications/{id}"), Msg::new("整改事项已重新打开"))),
        Err(e) => ui.refused_or(&format!("/reform/rectifications/{id}"), e),
    }
}

#[derive(Serialize)]
struct NoticesPage {
    year: i64,
    kind: String,
    rows: Vec<Notice>,
    kinds: &'static [(&'static str, &'static str)],
    can_manage: bool,
    units: Vec<(i64, String)>,
    form: NoticeInput,
    errors: std::collections::BTreeMap<String, String>,
}

async fn notices_page(
    ui: &Ui,
    q: &YearQuery,
    form: NoticeInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = ui.require(Module::Reform, Action::Read)?;
    let year = ui.year_or_this(&q.year);
    let kind = if notices::KINDS.iter().any(|(k, _)| *k == q.kind) { q.kind.clone() } else { String::new() };
    let can_manage = ui.user.can(Module::Reform, Action::Approve);
    let units = if can_manage {
        crate::org::units::store::options(&ui.state.db, &ui.user.scope(Module::Reform, Action::Approve))
            .await?
    } else {
        Vec::new()
    };
    let page = NoticesPage {
        year,
        rows: notices::list(&ui.state.db, &scope, year, &kind).await?,
        kind,
        kinds: notices::KINDS,
        can_manage,
        units,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "reform/notices.html", page)
}

/// `GET /reform/notices`
pub async fn notices_list(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let form = NoticeInput {
        kind: "praise".into(),
        issued_on: ui.state.clock.today().to_string(),
        ..NoticeInput::default()
    };
    notices_page(&ui, &q, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /reform/notices`
pub async fn notices_create(ui: Ui, Form(pairs): Form<Vec<(String, String)>>) -> AppResult<Response> {
    let mut form = NoticeInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "kind" => form.kind = v,
            "title" => form.title = v,
            "issuing_body" => form.issuing_body = v,
            "doc_no" => form.doc_no = v,
            "issued_on" => form.issued_on = v,
            "summary" => form.summary = v,
            "unit_ids" => form.unit_ids.push(v),
            "task_codes" => form.task_codes = v,
            _ => {}
        }
    }
    match notices::create(&ui.caller(), &form).await {
        Ok(_) => Ok(ui.done("/reform/notices", Msg::new("通报已登记"))),
        Err(AppError::Invalid(e)) => {
            let q = YearQuery {
                year: form.issued_on.get(..4).unwrap_or_default().to_string(),
                kind: String::new(),
            };
            notices_page(&ui, &q, form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}
