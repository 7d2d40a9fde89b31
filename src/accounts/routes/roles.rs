//! Role pages (security administrator).

use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::accounts::roles::{self, RoleInput};
use crate::authz::store::{self as role_store, Role};
use crate::authz::{Action, Module, ScopeKind};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;

#[derive(Serialize)]
struct ListPage {
    roles: Vec<RoleSummary>,
    can_write: bool,
}

#[derive(Serialize)]
struct RoleSummary {
    #[serde(flatten)]
    role: Role,
    holders: i64,
    grants: usize,
}

/// `GET /admin/roles`
pub async fn list(ui: Ui) -> AppResult<Response> {
    ui.require(Module::Roles, Action::Read)?;
    let mut roles = Vec::new();
    for role in role_store::list(&ui.state.db).await? {
        let holders: i64 = ui
            .state
            .db
            .scalar(
                crate::db::Query::new("select count(*) from account_roles where role_id = $1").bind(role.id),
            )
            .await?;
        let grants = role_store::grants(&ui.state.db, role.id).await?.len();
        roles.push(RoleSummary { role, holders, grants });
    }
    ui.render("accounts/roles.html", ListPage { roles, can_write: ui.user.can(Module::Roles, Action::Write) })
}

#[derive(Serialize)]
struct Cell {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct MatrixRow {
    module: &'static str,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct FormPage {
    role: Option<Role>,
    form: RoleInput,
    matrix: Vec<MatrixRow>,
    actions: Vec<&'static str>,
    scopes: Vec<(&'static str, &'static str)>,
    errors: std::collections::BTreeMap<String, String>,
    editable: bool,
}

/// Modules a custom role may hold (the administration modules are reserved).
const BUSINESS_MODULES: &[Module] = &[
    Module::Org,
    Module::People,
    Module::Attachments,
    Module::Reform,
    Module::Research,
    Module::Drafting,
    Module::Liaison,
    Module::Party,
    Module::Search,
    Module::Dashboard,
];

fn matrix(form: &RoleInput, all_modules: bool) -> Vec<MatrixRow> {
    let modules: &[Module] = if all_modules { Module::ALL } else { BUSINESS_MODULES };
    modules
        .iter()
        .map(|m| MatrixRow {
            module: m.label(),
            cells: Action::ALL
                .iter()
                .map(|a| {
                    let key = format!("{}.{}", m.code(), a.code());
                    Cell { value: form.grants.get(&key).cloned().unwrap_or_default(), key }
                })
                .collect(),
        })
        .collect()
}

async fn form_page(
    ui: &Ui,
    role: Option<Role>,
    form: RoleInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Roles, Action::Read)?;
    let editable = ui.user.can(Module::Roles, Action::Write) && role.as_ref().is_none_or(|r| !r.builtin);
    let builtin = role.as_ref().is_some_and(|r| r.builtin);
    let page = FormPage {
        matrix: matrix(&form, builtin),
        role,
        form,
        actions: Action::ALL.iter().map(|a| a.label()).collect(),
        scopes: ScopeKind::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        errors: ui.field_errors(&errors),
        editable,
    };
    ui.render_status(status, "accounts/role_form.html", page)
}

/// `GET /admin/roles/new`
pub async fn new(ui: Ui) -> AppResult<Response> {
    ui.require(Module::Roles, Action::Write)?;
    form_page(&ui, None, RoleInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /admin/roles`
pub async fn create(ui: Ui, Form(pairs): Form<Vec<(String, String)>>) -> AppResult<Response> {
    let input = RoleInput::from_form(pairs);
    match roles::create(&ui.caller(), &input).await {
        Ok(id) => Ok(ui.done(&format!("/admin/roles/{id}"), Msg::new("角色已新建"))),
        Err(AppError::Invalid(e)) => form_page(&ui, None, input, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// `GET /admin/roles/{id}`
pub async fn detail(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    ui.require(Module::Roles, Action::Read)?;
    let role = role_store::get(&ui.state.db, id).await?.ok_or(AppError::NotFound)?;
    let grants = role_store::grants(&ui.state.db, id).await?;
    let form = RoleInput {
        code: role.code.clone(),
        name: role.name.clone(),
        description: role.description.clone(),
        grants: grants
            .iter()
            .map(|g| (format!("{}.{}", g.module.code(), g.action.code()), g.scope.code().to_string()))
            .collect(),
    };
    form_page(&ui, Some(role), form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /admin/roles/{id}`
pub async fn update(
    ui: Ui,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let input = RoleInput::from_form(pairs);
    match roles::update(&ui.caller(), id, &input).await {
        Ok(()) => Ok(ui.done(&format!("/admin/roles/{id}"), Msg::new("已保存"))),
        Err(AppError::Invalid(e)) => {
            let role = role_store::get(&ui.state.db, id).await?;
            form_page(&ui, role, input, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/admin/roles/{id}"), e),
    }
}

/// `POST /admin/roles/{id}/delete`
pub async fn delete(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    match roles::delete(&ui.caller(), id).await {
        Ok(()) => Ok(ui.done("/admin/roles", Msg::new("角色已删除"))),
        Err(e) => ui.refused_or(&format!("/admin/roles/{id}"), e),
    }
}
