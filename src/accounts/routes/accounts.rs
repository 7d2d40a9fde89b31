//! The system administrator's account pages.

use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::accounts::actions::{self, CreatedAccount};
use crate::accounts::model::AccountInput;
use crate::accounts::store::{self, Account, AccountFilter};
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;
use crate::web::list::Pager;

#[derive(Serialize)]
struct ListPage {
    rows: Vec<Account>,
    pager: Pager,
    filter: AccountFilter,
    roles: Vec<crate::authz::store::Role>,
    can_write: bool,
    can_export: bool,
    base: &'static str,
}

/// Renders an account list for `/admin/accounts` or `/admin/grants`.
pub async fn list_page(ui: &Ui, f: AccountFilter, base: &'static str) -> AppResult<Response> {
    let scope = ui.require(Module::Accounts, Action::Read)?;
    let (rows, total) = store::list(&ui.state.db, &scope, &f, ui.now()).await?;
    let page = ListPage {
        pager: Pager::new(&f.paging, total, rows.len()),
        rows,
        roles: crate::authz::store::list(&ui.state.db).await?,
        filter: f,
        can_write: ui.user.can(Module::Accounts, Action::Write),
        can_export: ui.user.can(Module::Accounts, Action::Export),
        base,
    };
    ui.render("accounts/list.html", page)
}

/// `GET /admin/accounts`
pub async fn list(ui: Ui, Query(f): Query<AccountFilter>) -> AppResult<Response> {
    ui.require(Module::Accounts, Action::Write)?;
    list_page(&ui, f, "/admin/accounts").await
}

#[derive(Serialize)]
struct FormPage {
    form: AccountInput,
    errors: std::collections::BTreeMap<String, String>,
    units: Vec<(i64, String)>,
    people: Vec<(i64, String)>,
    account: Option<Account>,
}

async fn form_page(
    ui: &Ui,
    form: AccountInput,
    account: Option<Account>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = ui.require(Module::Accounts, Action::Write)?;
    let people_scope = ui.user.scope(Module::People, Action::Read);
    let page = FormPage {
        form,
        errors: ui.field_errors(&errors),
        units: crate::org::units::store::options(&ui.state.db, &scope).await?,
        people: crate::org::people::store::options(&ui.state.db, &people_scope, 2000).await?,
        account,
    };
    ui.render_status(status, "accounts/form.html", page)
}

/// `GET /admin/accounts/new`
pub async fn new(ui: Ui) -> AppResult<Response> {
    form_page(&ui, AccountInput::default(), None, FieldErrors::default(), StatusCode::OK).await
}

#[derive(Serialize)]
struct PasswordShown {
    account: Account,
    password: String,
    created: bool,
}

/// `POST /admin/accounts`
pub async fn create(ui: Ui, Form(form): Form<AccountInput>) -> AppResult<Response> {
    match actions::create(&ui.caller(), &form).await {
        Ok(CreatedAccount { id, initial_password }) => {
            let account = store::get(&ui.state.db, id).await?.ok_or(AppError::NotFound)?;
            ui.render(
                "accounts/password_shown.html",
                PasswordShown { account, password: initial_password, created: true },
            )
        }
        Err(AppError::Invalid(e)) => form_page(&ui, form, None, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct DetailPage {
    account: Account,
    chosen: Vec<(i64, String)>,
    can_maintain: bool,
    grants_link: bool,
}

/// `GET /admin/accounts/{id}`
pub async fn detail(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let c = ui.caller();
    let account = actions::readable(&c, id).await?;
    let can_maintain = actions::maintainable(&c, id).await.is_ok();
    let page = DetailPage {
        chosen: store::chosen_units(&ui.state.db, id).await?,
        account,
        can_maintain,
        grants_link: ui.user.can(Module::Roles, Action::Write),
    };
    ui.render("accounts/detail.html", page)
}

/// `GET /admin/accounts/{id}/edit`
pub async fn edit(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let a = actions::maintainable(&ui.caller(), id).await?;
    let form = AccountInput {
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        unit_id: a.unit_id.to_string(),
        person_id: a.person_id.map(|p| p.to_string()).unwrap_or_default(),
        password: String::new(),
    };
    form_page(&ui, form, Some(a), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /admin/accounts/{id}`
pub async fn update(ui: Ui, Path(id): Path<i64>, Form(form): Form<AccountInput>) -> AppResult<Response> {
    match actions::update(&ui.caller(), id, &form).await {
        Ok(()) => Ok(ui.done(&format!("/admin/accounts/{id}"), Msg::new("已保存"))),
        Err(AppError::Invalid(e)) => {
            let a = store::get(&ui.state.db, id).await?;
            form_page(&ui, form, a, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/admin/accounts/{id}"), e),
    }
}

/// `POST /admin/accounts/{id}/disable`
pub async fn disable(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    match actions::set_active(&ui.caller(), id, false).await {
        Ok(()) => Ok(ui.done(&format!("/admin/accounts/{id}"), Msg::new("账户已停用"))),
        Err(e) => ui.refused_or(&format!("/admin/accounts/{id}"), e),
    }
}

/// `POST /admin/accounts/{id}/enable`
pub async fn enable(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    match actions::set_active(&ui.caller(), id, true).await {
        Ok(()) => Ok(ui.done(&format!("/admin/accounts/{id}"), Msg::new("账户已启用"))),
        Err(e) => ui.refused_or(&format!("/admin/accounts/{id}"), e),
    }
}

/// `POST /admin/accounts/{id}/reset-password`
pub async fn reset_password(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    match actions::reset_password(&ui.caller(), id).await {
        Ok(password) => {
            let account = store::get(&ui.state.db, id).await?.ok_or(AppError::NotFound)?;
            ui.render("accounts/password_shown.html", PasswordShown { account, password, created: false })
        }
        Err(e) => ui.refused_or(&format!("/admin/accounts/{id}"), e),
    }
}

/// `GET /admin/accounts/export`
pub async fn export(ui: Ui, Query(f): Query<AccountFilter>) -> AppResult<Response> {
    let (name, bytes) = actions::export(&ui.caller(), &f).await?;
    Ok(crate::export::download(&name, bytes))
}
