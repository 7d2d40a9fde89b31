//! Drafting endpoints: the same actions as the pages, as JSON.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::chain::State;
use super::desk::{
    self, Filter, HistoryRow, Publication, PublicationInput, Task, TaskInput, Version, VersionInput,
};
use super::figures::Figures;
use crate::api::{ApiUser, Created};
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult};

/// Drafting tasks of a year the caller may see.
#[utoipa::path(get, path = "/drafting/tasks", tag = "drafting", params(Filter),
    responses((status = 200, body = Vec<Task>), (status = 403)))]
pub async fn list(api: ApiUser, Query(f): Query<Filter>) -> AppResult<Json<Vec<Task>>> {
    api.who.require(Module::Drafting, Action::Read)?;
    let year = f.year.trim().parse().unwrap_or_else(|_| i64::from(api.state.clock.today().year()));
    Ok(Json(desk::list(&api.state.db, &api.who, year, &f).await?))
}

/// Opens a drafting task.
#[utoipa::path(post, path = "/drafting/tasks", tag = "drafting", request_body = TaskInput,
    responses((status = 201, body = Created), (status = 422), (status = 403)))]
pub async fn create(api: ApiUser, Json(input): Json<TaskInput>) -> AppResult<(StatusCode, Json<Created>)> {
    let id = desk::create(&api.caller(), &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A task with its versions, history and publications.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Detail {
    /// The task.
    pub task: Task,
    /// Versions, newest first (without their text).
    pub versions: Vec<Version>,
    /// Steps taken.
    pub history: Vec<HistoryRow>,
    /// Publications.
    pub publications: Vec<Publication>,
}

/// One task.
#[utoipa::path(get, path = "/drafting/tasks/{id}", tag = "drafting",
    responses((status = 200, body = Detail), (status = 403), (status = 404)))]
pub async fn get(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<Detail>> {
    let task = desk::visible(&api.caller(), id).await?;
    let db = &api.state.db;
    Ok(Json(Detail {
        versions: desk::versions(db, id).await?,
        history: desk::events(db, id).await?,
        publications: desk::publications(db, id).await?,
        task,
    }))
}

/// A version typed as text.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TextVersion {
    /// The whole text.
    pub text: String,
    /// Note.
    pub note: String,
}

/// The number given to a new version.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionNo {
    /// Number.
    pub no: i64,
}

/// Adds a version (a named drafter, while drafting).
#[utoipa::path(post, path = "/drafting/tasks/{id}/versions", tag = "drafting", request_body = TextVersion,
    responses((status = 201, body = VersionNo), (status = 409), (status = 422), (status = 403)))]
pub async fn add_version(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(v): Json<TextVersion>,
) -> AppResult<(StatusCode, Json<VersionNo>)> {
    let no =
        desk::add_version(&api.caller(), id, VersionInput { text: v.text, note: v.note, file: None }).await?;
    Ok((StatusCode::CREATED, Json(VersionNo { no })))
}

/// A step of the chain.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    /// `submit`, `approve`, `return` or `issue`.
    pub step: String,
    /// Comments (required with `return`).
    pub comment: String,
}

/// The state after a step.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StateOut {
    /// State.
    pub state: State,
}

/// Takes a step.
#[utoipa::path(post, path = "/drafting/tasks/{id}/steps", tag = "drafting", request_body = StepInput,
    responses((status = 200, body = StateOut), (status = 409), (status = 422), (status = 403)))]
pub async fn step(api: ApiUser, Path(id): Path<i64>, Json(s): Json<StepInput>) -> AppResult<Json<StateOut>> {
    let state = desk::step(&api.caller(), id, &s.step, &s.comment).await?;
    Ok(Json(StateOut { state }))
}

/// Records a publication.
#[utoipa::path(post, path = "/drafting/tasks/{id}/publications", tag = "drafting", request_body = PublicationInput,
    responses((status = 201, body = Created), (status = 409), (status = 422), (status = 403)))]
pub async fn add_publication(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(p): Json<PublicationInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = desk::add_publication(&api.caller(), id, &p).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// `?a=&b=`
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct CompareQuery {
    /// Older version number.
    pub a: i64,
    /// Newer version number.
    pub b: i64,
}

/// Two versions compared.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Comparison {
    /// Rows: `kind`, `left`, `right` (HTML with `<del>`/`<ins>`).
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<super::diff::Row>,
    /// Totals.
    #[schema(value_type = Object)]
    pub summary: super::diff::Summary,
}

/// Compares two versions.
#[utoipa::path(get, path = "/drafting/tasks/{id}/compare", tag = "drafting", params(CompareQuery),
    responses((status = 200, body = Comparison), (status = 404), (status = 403)))]
pub async fn compare(
    api: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<CompareQuery>,
) -> AppResult<Json<Comparison>> {
    desk::visible(&api.caller(), id).await?;
    let db = &api.state.db;
    let (Some(old), Some(new)) =
        (desk::version_text(db, id, q.a).await?, desk::version_text(db, id, q.b).await?)
    else {
        return Err(AppError::NotFound);
    };
    let (rows, summary) = super::diff::compare(&old, &new);
    Ok(Json(Comparison { rows, summary }))
}

/// `?year=`
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct YearParam {
    /// Year.
    pub year: Option<i64>,
}

/// The desk's figures for a year.
#[utoipa::path(get, path = "/drafting/figures", tag = "drafting", params(YearParam),
    responses((status = 200, body = Figures), (status = 403)))]
pub async fn figures(api: ApiUser, Query(q): Query<YearParam>) -> AppResult<Json<Figures>> {
    api.who.require(Module::Drafting, Action::Read)?;
    let year = q.year.unwrap_or_else(|| i64::from(api.state.clock.today().year()));
    let now = api.state.clock.now();
    Ok(Json(super::figures::figures(&api.state.db, &api.who, year, now, api.state.clock.offset()).await?))
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get))
        .routes(routes!(add_version))
        .routes(routes!(step))
        .routes(routes!(add_publication))
        .routes(routes!(compare))
        .routes(routes!(figures))
}
