//! Unit endpoints.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::actions;
use super::model::UnitInput;
use super::store::{self, Unit, UnitFilter};
use crate::api::{ApiUser, Created, Page};
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::error::AppResult;

/// Units in the caller's scope.
#[utoipa::path(get, path = "/units", tag = "org", params(UnitFilter),
    responses((status = 200, body = Page<Unit>), (status = 403)))]
pub async fn list(api: ApiUser, Query(f): Query<UnitFilter>) -> AppResult<Json<Page<Unit>>> {
    let scope = api.who.require(Module::Org, Action::Read)?;
    let (items, total) = store::list(&api.state.db, &scope, &f).await?;
    let w = f.paging.window();
    Ok(Json(Page { items, total, page: w.page, per: w.per }))
}

/// Creates a unit.
#[utoipa::path(post, path = "/units", tag = "org", request_body = UnitInput,
    responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn create(api: ApiUser, Json(input): Json<UnitInput>) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: actions::create(&api.caller(), &input).await? }))
}

/// One unit.
#[utoipa::path(get, path = "/units/{id}", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = Unit), (status = 403), (status = 404)))]
pub async fn get(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<Unit>> {
    Ok(Json(actions::reachable(&api.caller(), id, Action::Read).await?))
}

/// Changes a unit's own fields (not its parent: see move).
#[utoipa::path(put, path = "/units/{id}", tag = "org", params(("id" = i64, Path)), request_body = UnitInput,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<UnitInput>,
) -> AppResult<StatusCode> {
    actions::update(&api.caller(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The new parent of a move, or the target of a merge.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TargetBody {
    /// Unit id.
    pub id: String,
}

/// Moves a unit and everything below it.
#[utoipa::path(post, path = "/units/{id}/move", tag = "org", params(("id" = i64, Path)), request_body = TargetBody,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn move_to(api: ApiUser, Path(id): Path<i64>, Json(b): Json<TargetBody>) -> AppResult<StatusCode> {
    actions::move_to(&api.caller(), id, &b.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Merges a unit into another.
#[utoipa::path(post, path = "/units/{id}/merge", tag = "org", params(("id" = i64, Path)), request_body = TargetBody,
    responses((status = 204), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn merge(api: ApiUser, Path(id): Path<i64>, Json(b): Json<TargetBody>) -> AppResult<StatusCode> {
    actions::merge(&api.caller(), id, &b.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disables a unit.
#[utoipa::path(post, path = "/units/{id}/disable", tag = "org", params(("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 409)))]
pub async fn disable(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    actions::disable(&api.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Re-enables a unit.
#[utoipa::path(post, path = "/units/{id}/enable", tag = "org", params(("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 409)))]
pub async fn enable(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    actions::enable(&api.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The unit ledger as xlsx.
#[utoipa::path(get, path = "/units/export", tag = "org", params(UnitFilter),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403)))]
pub async fn export(api: ApiUser, Query(f): Query<UnitFilter>) -> AppResult<Response> {
    let (name, bytes) = super::export::workbook(&api.caller(), &f).await?;
    Ok(crate::export::download(&name, bytes))
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(get, update))
        .routes(routes!(move_to))
        .routes(routes!(merge))
        .routes(routes!(disable))
        .routes(routes!(enable))
}
