//! Unit pages: the list with its tree, detail, forms, move/disable/merge, export.

use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::actions;
use super::model::{UnitInput, status_label};
use super::store::{self, Unit, UnitFilter};
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;
use crate::web::list::Pager;

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    unit: Unit,
    status_label: &'static str,
}

fn rows(units: Vec<Unit>) -> Vec<Row> {
    units.into_iter().map(|u| Row { status_label: status_label(&u.status), unit: u }).collect()
}

#[derive(Serialize)]
struct ListPage {
    rows: Vec<Row>,
    tree: Vec<Row>,
    pager: Pager,
    filter: UnitFilter,
    kinds: Vec<(String, String)>,
    can_write: bool,
    can_export: bool,
}

/// `GET /org/units`
pub async fn list(ui: Ui, Query(f): Query<UnitFilter>) -> AppResult<Response> {
    let scope = ui.require(Module::Org, Action::Read)?;
    let (units, total) = store::list(&ui.state.db, &scope, &f).await?;
    let pager = Pager::new(&f.paging, total, units.len());
    let tree = rows(store::children(&ui.state.db, &scope, None).await?);
    let page = ListPage {
        rows: rows(units),
        tree,
        pager,
        kinds: crate::dicts::store::options(&ui.state.db, "unit_kind").await?,
        filter: f,
        can_write: ui.user.can(Module::Org, Action::Write),
        can_export: ui.user.can(Module::Org, Action::Export),
    };
    ui.render("org/units.html", page)
}

#[derive(Serialize)]
struct ChildrenPage {
    tree: Vec<Row>,
}

/// `GET /org/units/{id}/children` — one level of the tree (htmx).
pub async fn children(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let scope = ui.require(Module::Org, Action::Read)?;
    let tree = rows(store::children(&ui.state.db, &scope, Some(id)).await?);
    ui.render("org/_tree.html", ChildrenPage { tree })
}

#[derive(Serialize)]
struct DetailPage {
    unit: Row,
    crumbs: Vec<(i64, String)>,
    children: Vec<Row>,
    usage: store::Usage,
    options: Vec<(i64, String)>,
    can_write: bool,
    errors: std::collections::BTreeMap<String, String>,
    attachments: Vec<crate::attachments::store::Attachment>,
    can_upload: bool,
}

async fn detail_page(ui: &Ui, id: i64, errors: FieldErrors, status: StatusCode) -> AppResult<Response> {
    let scope = ui.require(Module::Org, Action::Read)?;
    let unit = store::get(&ui.state.db, id).await?.ok_or(AppError::NotFound)?;
    ui.user.require_on(
        Module::Org,
        Action::Read,
        crate::authz::Target { unit_id: unit.id, unit_path: &unit.path, owner_id: unit.created_by },
    )?;
    let crumbs = store::ancestors(&ui.state.db, &unit.path).await?;
    let children = rows(store::children(&ui.state.db, &scope, Some(id)).await?);
    let usage = store::usage(&ui.state.db, id).await?;
    let can_write = ui
        .user
        .require_on(
            Module::Org,
            Action::Write,
            crate::authz::Target { unit_id: unit.id, unit_path: &unit.path, owner_id: unit.created_by },
        )
        .is_ok();
    let options = if can_write {
        store::options(&ui.state.db, &ui.user.scope(Module::Org, Action::Write)).await?
    } else {
        Vec::new()
    };
    let files = ui.user.scope(Module::Attachments, Action::Read);
    let attachments =
        crate::attachments::store::for_owner(&ui.state.db, &files, "unit", &id.to_string()).await?;
    let can_upload = can_write && ui.user.can(Module::Attachments, Action::Write);
    let page = DetailPage {
        attachments,
        can_upload,
        unit: Row { status_label: status_label(&unit.status), unit },
        crumbs,
        children,
        usage,
        options,
        can_write,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "org/unit.html", page)
}

/// `GET /org/units/{id}`
pub async fn detail(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    detail_page(&ui, id, FieldErrors::default(), StatusCode::OK).await
}

#[derive(Serialize)]
struct FormPage {
    form: UnitInput,
    errors: std::collections::BTreeMap<String, String>,
    kinds: Vec<(String, String)>,
    options: Vec<(i64, String)>,
    unit: Option<Unit>,
}

async fn form_page(
    ui: &Ui,
    form: UnitInput,
    unit: Option<Unit>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = ui.require(Module::Org, Action::Write)?;
    let page = FormPage {
        form,
        errors: ui.field_errors(&errors),
        kinds: crate::dicts::store::options(&ui.state.db, "unit_kind").await?,
        options: store::options(&ui.state.db, &scope).await?,
        unit,
    };
    ui.render_status(status, "org/unit_form.html", page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    parent: String,
}

/// `GET /org/units/new?parent=ID`
pub async fn new(ui: Ui, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let form = UnitInput { parent_id: q.parent, kind: "section".into(), ..UnitInput::default() };
    form_page(&ui, form, None, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /org/units`
pub async fn create(ui: Ui, Form(form): Form<UnitInput>) -> AppResult<Response> {
    match actions::create(&ui.caller(), &form).await {
        Ok(id) => Ok(ui.done(&format!("/org/units/{id}"), Msg::new("单位已新增"))),
        Err(AppError::Invalid(e)) => form_page(&ui, form, None, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// `GET /org/units/{id}/edit`
pub async fn edit(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let u = actions::reachable(&ui.caller(), id, Action::Write).await?;
    let form = UnitInput {
        name: u.name.clone(),
        short_name: u.short_name.clone(),
        code: u.code.clone().unwrap_or_default(),
        kind: u.kind.clone(),
        parent_id: u.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        sort_order: u.sort_order.to_string(),
        note: u.note.clone(),
    };
    form_page(&ui, form, Some(u), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /org/units/{id}`
pub async fn update(ui: Ui, Path(id): Path<i64>, Form(form): Form<UnitInput>) -> AppResult<Response> {
    match actions::update(&ui.caller(), id, &form).await {
        Ok(()) => Ok(ui.done(&format!("/org/units/{id}"), Msg::new("已保存"))),
        Err(AppError::Invalid(e)) => {
            let u = store::get(&ui.state.db, id).await?;
            form_page(&ui, form, u, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// The move and merge forms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TargetForm {
    parent_id: String,
    target_id: String,
}

/// `POST /org/units/{id}/move`
pub async fn move_to(ui: Ui, Path(id): Path<i64>, Form(f): Form<TargetForm>) -> AppResult<Response> {
    match actions::move_to(&ui.caller(), id, &f.parent_id).await {
        Ok(()) => Ok(ui.done(&format!("/org/units/{id}"), Msg::new("已调整上级单位"))),
        Err(AppError::Invalid(e)) => detail_page(&ui, id, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// `POST /org/units/{id}/merge`
pub async fn merge(ui: Ui, Path(id): Path<i64>, Form(f): Form<TargetForm>) -> AppResult<Response> {
    match actions::merge(&ui.caller(), id, &f.target_id).await {
        Ok(()) => Ok(ui.done(&format!("/org/units/{id}"), Msg::new("单位已合并"))),
        Err(AppError::Invalid(e)) => detail_page(&ui, id, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or(&format!("/org/units/{id}"), e),
    }
}

/// `POST /org/units/{id}/disable`
pub async fn disable(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    match actions::disable(&ui.caller(), id).await {
        Ok(()) => Ok(ui.done(&format!("/org/units/{id}"), Msg::new("单位已停用"))),
        Err(e) => ui.refused_or(&format!("/org/units/{id}"), e),
    }
}

/// `POST /org/units/{id}/enable`
pub async fn enable(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    match actions::enable(&ui.caller(), id).await {
        Ok(()) => Ok(ui.done(&format!("/org/units/{id}"), Msg::new("单位已启用"))),
        Err(e) => ui.refused_or(&format!("/org/units/{id}"), e),
    }
}

/// `GET /org/units/export`
pub async fn export(ui: Ui, Query(f): Query<UnitFilter>) -> AppResult<Response> {
    let (name, bytes) = super::export::workbook(&ui.caller(), &f).await?;
    Ok(crate::export::download(&name, bytes))
}
