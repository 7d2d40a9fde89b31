//! Dictionary endpoints. Reading a dictionary is open to every signed-in
//! caller (forms need the labels); changing one needs the dictionary grant.

use axum::Json;
use axum::extract::Path;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::actions::{self, ItemInput};
use super::store::{self, DictItem, DictType};
use crate::api::{ApiUser, Created};
use crate::app::AppState;
use crate::error::{AppError, AppResult};

/// Every dictionary type.
#[utoipa::path(get, path = "/dicts", tag = "dicts", responses((status = 200, body = Vec<DictType>)))]
pub async fn list(api: ApiUser) -> AppResult<Json<Vec<DictType>>> {
    Ok(Json(store::types(&api.state.db).await?))
}

/// Items of one dictionary.
#[utoipa::path(get, path = "/dicts/{code}/items", tag = "dicts",
    params(("code" = String, Path, description = "字典编码")),
    responses((status = 200, body = Vec<DictItem>), (status = 404)))]
pub async fn items(api: ApiUser, Path(code): Path<String>) -> AppResult<Json<Vec<DictItem>>> {
    store::get_type(&api.state.db, &code).await?.ok_or(AppError::NotFound)?;
    Ok(Json(store::items(&api.state.db, &code).await?))
}

/// Adds an item.
#[utoipa::path(post, path = "/dicts/{code}/items", tag = "dicts", request_body = ItemInput,
    params(("code" = String, Path, description = "字典编码")),
    responses((status = 200, body = Created), (status = 403), (status = 422, description = "字段校验失败")))]
pub async fn add(
    api: ApiUser,
    Path(code): Path<String>,
    Json(input): Json<ItemInput>,
) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: actions::add_item(&api.caller(), &code, &input).await? }))
}

/// Changes an item.
#[utoipa::path(put, path = "/dicts/{code}/items/{id}", tag = "dicts", request_body = ItemInput,
    params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    api: ApiUser,
    Path((code, id)): Path<(String, i64)>,
    Json(input): Json<ItemInput>,
) -> AppResult<axum::http::StatusCode> {
    actions::update_item(&api.caller(), &code, id, &input).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(items, add)).routes(routes!(update))
}

/// The site settings.
#[utoipa::path(get, path = "/settings", tag = "dicts", responses((status = 200, body = super::settings::SiteSettings), (status = 403)))]
pub async fn settings(api: ApiUser) -> AppResult<Json<super::settings::SiteSettings>> {
    api.who.require(crate::authz::Module::Settings, crate::authz::Action::Read)?;
    Ok(Json(super::settings::site(&api.state.db).await?))
}

/// Changes the site settings.
#[utoipa::path(put, path = "/settings", tag = "dicts", request_body = actions::SiteInput, responses((status = 200, body = super::settings::SiteSettings), (status = 403), (status = 422)))]
pub async fn save_settings(
    api: ApiUser,
    Json(input): Json<actions::SiteInput>,
) -> AppResult<Json<super::settings::SiteSettings>> {
    Ok(Json(actions::save_site(&api.caller(), &input).await?))
}

/// The settings routes.
pub fn settings_api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(settings, save_settings))
}
