//! Account endpoints. Reading follows the accounts scope; writing follows the
//! same three-role rules as the pages.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::actions::{self, CreatedAccount, GrantsInput};
use super::model::AccountInput;
use super::roles::{self, RoleInput};
use super::store::{self, Account, AccountFilter};
use crate::api::{ApiUser, Created, Page};
use crate::app::AppState;
use crate::authz::store::Role;
use crate::authz::{Action, Grant, Module};
use crate::error::AppResult;

/// Accounts in the caller's scope.
#[utoipa::path(get, path = "/accounts", tag = "accounts", params(AccountFilter), responses((status = 200, body = Page<Account>), (status = 403)))]
pub async fn list(api: ApiUser, Query(f): Query<AccountFilter>) -> AppResult<Json<Page<Account>>> {
    let scope = api.who.require(Module::Accounts, Action::Read)?;
    let (items, total) = store::list(&api.state.db, &scope, &f, api.state.clock.now()).await?;
    let w = f.paging.window();
    Ok(Json(Page { items, total, page: w.page, per: w.per }))
}

/// Creates an account; the initial password is returned once.
#[utoipa::path(post, path = "/accounts", tag = "accounts", request_body = AccountInput, responses((status = 200, body = CreatedAccount), (status = 403), (status = 422)))]
pub async fn create(api: ApiUser, Json(input): Json<AccountInput>) -> AppResult<Json<CreatedAccount>> {
    Ok(Json(actions::create(&api.caller(), &input).await?))
}

/// One account.
#[utoipa::path(get, path = "/accounts/{id}", tag = "accounts", params(("id" = i64, Path)), responses((status = 200, body = Account), (status = 403), (status = 404)))]
pub async fn get(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<Account>> {
    Ok(Json(actions::readable(&api.caller(), id).await?))
}

/// Changes an account's name, unit or person.
#[utoipa::path(put, path = "/accounts/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = AccountInput, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<AccountInput>,
) -> AppResult<StatusCode> {
    actions::update(&api.caller(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Grants roles and chosen units (security administrator).
#[utoipa::path(put, path = "/accounts/{id}/grants", tag = "accounts", params(("id" = i64, Path)), request_body = GrantsInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn grants(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<GrantsInput>,
) -> AppResult<StatusCode> {
    actions::set_grants(&api.caller(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account ledger as xlsx.
#[utoipa::path(get, path = "/accounts/export", tag = "accounts", params(AccountFilter), responses((status = 200, description = "xlsx"), (status = 403)))]
pub async fn export(api: ApiUser, Query(f): Query<AccountFilter>) -> AppResult<Response> {
    let (name, bytes) = actions::export(&api.caller(), &f).await?;
    Ok(crate::export::download(&name, bytes))
}

/// A role with its grants.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RoleDetail {
    /// The role.
    #[serde(flatten)]
    pub role: Role,
    /// What it grants.
    pub grants: Vec<Grant>,
}

/// Every role with its grants.
#[utoipa::path(get, path = "/roles", tag = "accounts", responses((status = 200, body = Vec<RoleDetail>), (status = 403)))]
pub async fn roles_list(api: ApiUser) -> AppResult<Json<Vec<RoleDetail>>> {
    api.who.require(Module::Roles, Action::Read)?;
    let mut out = Vec::new();
    for role in crate::authz::store::list(&api.state.db).await? {
        let grants = crate::authz::store::grants(&api.state.db, role.id).await?;
        out.push(RoleDetail { role, grants });
    }
    Ok(Json(out))
}

/// Creates a custom role.
#[utoipa::path(post, path = "/roles", tag = "accounts", request_body = RoleInput, responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn roles_create(api: ApiUser, Json(input): Json<RoleInput>) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: roles::create(&api.caller(), &input).await? }))
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(get, update))
        .routes(routes!(grants))
        .routes(routes!(roles_list, roles_create))
        .merge(upkeep())
}

/// The result of a password reset: the new password, shown once.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ResetPassword {
    /// Must be changed at the next sign-in.
    pub initial_password: String,
}

/// Disables an account (its sessions end).
#[utoipa::path(post, path = "/accounts/{id}/disable", tag = "accounts", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 409)))]
pub async fn disable(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    actions::set_active(&api.caller(), id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Re-enables an account.
#[utoipa::path(post, path = "/accounts/{id}/enable", tag = "accounts", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 409)))]
pub async fn enable(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    actions::set_active(&api.caller(), id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resets a password to a new random one that must be changed.
#[utoipa::path(post, path = "/accounts/{id}/reset-password", tag = "accounts", params(("id" = i64, Path)), responses((status = 200, body = ResetPassword), (status = 403), (status = 409)))]
pub async fn reset_password(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<ResetPassword>> {
    Ok(Json(ResetPassword { initial_password: actions::reset_password(&api.caller(), id).await? }))
}

/// Lifts a lock (security administrator).
#[utoipa::path(post, path = "/accounts/{id}/unlock", tag = "accounts", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn unlock(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    actions::unlock(&api.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Clears TOTP so the owner sets it up again (security administrator).
#[utoipa::path(post, path = "/accounts/{id}/reset-totp", tag = "accounts", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404), (status = 409)))]
pub async fn reset_totp(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    actions::reset_totp(&api.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a custom role.
#[utoipa::path(put, path = "/roles/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = RoleInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn roles_update(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<RoleInput>,
) -> AppResult<StatusCode> {
    roles::update(&api.caller(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a custom role nobody holds.
#[utoipa::path(delete, path = "/roles/{id}", tag = "accounts", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 409)))]
pub async fn roles_delete(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    roles::delete(&api.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account-upkeep routes.
pub fn upkeep() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(disable))
        .routes(routes!(enable))
        .routes(routes!(reset_password))
        .routes(routes!(unlock))
        .routes(routes!(reset_totp))
        .routes(routes!(roles_update, roles_delete))
}
