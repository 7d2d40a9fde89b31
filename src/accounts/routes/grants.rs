//! The security administrator's account pages: roles, chosen units, unlock,
//! TOTP reset, and upkeep of the administrator accounts themselves.

use axum::extract::{Form, Path, Query};
use axum::response::Response;
use serde::Serialize;

use crate::accounts::actions::{self, GrantsInput};
use crate::accounts::store::{self, Account, AccountFilter};
use crate::authz::store::Role;
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::web::Ui;

/// `GET /admin/grants`
pub async fn list(ui: Ui, Query(f): Query<AccountFilter>) -> AppResult<Response> {
    ui.require(Module::Roles, Action::Write)?;
    super::accounts::list_page(&ui, f, "/admin/grants").await
}

#[derive(Serialize)]
struct Page {
    account: Account,
    roles: Vec<Role>,
    held: Vec<i64>,
    chosen: Vec<i64>,
    units: Vec<(i64, String)>,
    locked: bool,
    is_self: bool,
}

/// `GET /admin/grants/{id}`
pub async fn detail(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    ui.require(Module::Roles, Action::Write)?;
    let account = actions::readable(&ui.caller(), id).await?;
    let locked = account.locked_until.is_some_and(|t| t > ui.now());
    let page = Page {
        roles: crate::authz::store::list(&ui.state.db).await?,
        held: store::role_ids(&ui.state.db, id).await?,
        chosen: store::chosen_units(&ui.state.db, id).await?.into_iter().map(|(u, _)| u).collect(),
        units: crate::org::units::store::options(&ui.state.db, &crate::authz::Scope::everything()).await?,
        is_self: account.id == ui.user.account_id,
        account,
        locked,
    };
    ui.render("accounts/grants.html", page)
}

/// `POST /admin/grants/{id}` (repeated `roles` and `units` fields).
pub async fn save(
    ui: Ui,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut input = GrantsInput::default();
    for (k, v) in pairs {
        let Ok(n) = v.parse::<i64>() else { continue };
        match k.as_str() {
            "roles" => input.roles.push(n),
            "units" => input.units.push(n),
            _ => {}
        }
    }
    match actions::set_grants(&ui.caller(), id, &input).await {
        Ok(()) => Ok(ui.done(&format!("/admin/grants/{id}"), Msg::new("授权已保存"))),
        Err(e) => ui.refused_or(&format!("/admin/grants/{id}"), e),
    }
}

/// `POST /admin/grants/{id}/unlock`
pub async fn unlock(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    match actions::unlock(&ui.caller(), id).await {
        Ok(()) => Ok(ui.done(&format!("/admin/grants/{id}"), Msg::new("账户已解锁"))),
        Err(e) => ui.refused_or(&format!("/admin/grants/{id}"), e),
    }
}

/// `POST /admin/grants/{id}/reset-totp`
pub async fn reset_totp(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    match actions::reset_totp(&ui.caller(), id).await {
        Ok(()) => {
            Ok(ui
                .done(&format!("/admin/grants/{id}"), Msg::new("已重置动态口令，该账户下次登录时需重新绑定")))
        }
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => ui.refused_or(&format!("/admin/grants/{id}"), e),
    }
}
