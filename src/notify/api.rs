//! Notification endpoints: one's own inbox.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Notice, latest, mark_read};
use crate::api::ApiUser;
use crate::app::AppState;
use crate::error::{AppError, AppResult};

/// The caller's latest 200 messages.
#[utoipa::path(get, path = "/notifications", tag = "me", responses((status = 200, body = Vec<Notice>)))]
pub async fn list(api: ApiUser) -> AppResult<Json<Vec<Notice>>> {
    Ok(Json(latest(&api.state.db, api.who.account_id, 200).await?))
}

/// Marks one of the caller's messages read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "me", params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
pub async fn read(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    mark_read(&api.state.db, api.who.account_id, id, api.state.clock.now())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(read))
}
