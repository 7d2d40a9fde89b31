//! Attachment endpoints.

use axum::Json;
use axum::extract::{Multipart, Path, Query};
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{self, Attachment};
use super::{actions, file_response, read_multipart};
use crate::api::{ApiUser, Created};
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::error::AppResult;

/// Uploads a file (multipart: `file`, optional `owner_type`, `owner_ref`).
#[utoipa::path(post, path = "/attachments", tag = "attachments",
    request_body(content_type = "multipart/form-data", description = "file, owner_type, owner_ref"),
    responses((status = 200, body = Created), (status = 400, description = "类型、大小或文件名不符合要求"), (status = 403)))]
pub async fn upload(api: ApiUser, m: Multipart) -> AppResult<Json<Created>> {
    let (file_name, bytes, owner, _) = read_multipart(m).await?;
    Ok(Json(Created { id: actions::upload(&api.caller(), &file_name, &bytes, &owner).await? }))
}

/// Which object's attachments to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct OwnerQuery {
    /// Object type.
    pub owner_type: String,
    /// Object id.
    pub owner_ref: String,
}

/// Attachments of an object, within the caller's scope.
#[utoipa::path(get, path = "/attachments", tag = "attachments", params(OwnerQuery), responses((status = 200, body = Vec<Attachment>), (status = 403)))]
pub async fn list(api: ApiUser, Query(q): Query<OwnerQuery>) -> AppResult<Json<Vec<Attachment>>> {
    let scope = api.who.require(Module::Attachments, Action::Read)?;
    Ok(Json(store::for_owner(&api.state.db, &scope, &q.owner_type, &q.owner_ref).await?))
}

/// Downloads a file.
#[utoipa::path(get, path = "/attachments/{id}", tag = "attachments", params(("id" = i64, Path)), responses((status = 200, description = "the file"), (status = 403), (status = 404)))]
pub async fn download(api: ApiUser, Path(id): Path<i64>) -> AppResult<Response> {
    let (a, bytes) = actions::download(&api.caller(), id).await?;
    Ok(file_response(&a, bytes))
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload, list)).routes(routes!(download))
}
