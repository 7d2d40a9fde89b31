//! People endpoints.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::actions;
use super::model::{MentoringInput, PersonInput, PostingInput};
use super::store::{self, Pair, Person, PersonFilter, Posting};
use crate::api::{ApiUser, Created, Page};
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::error::AppResult;

/// People in the caller's scope.
#[utoipa::path(get, path = "/people", tag = "org", params(PersonFilter), responses((status = 200, body = Page<Person>), (status = 403)))]
pub async fn list(api: ApiUser, Query(f): Query<PersonFilter>) -> AppResult<Json<Page<Person>>> {
    let scope = api.who.require(Module::People, Action::Read)?;
    let (items, total) = store::list(&api.state.db, &scope, &f).await?;
    let w = f.paging.window();
    Ok(Json(Page { items, total, page: w.page, per: w.per }))
}

/// Adds a person.
#[utoipa::path(post, path = "/people", tag = "org", request_body = PersonInput, responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn create(api: ApiUser, Json(input): Json<PersonInput>) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: actions::create(&api.caller(), &input).await? }))
}

/// A person with their mentoring pairs and postings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PersonDetail {
    /// The person.
    #[serde(flatten)]
    pub person: Person,
    /// Mentoring pairs.
    pub pairs: Vec<Pair>,
    /// Postings.
    pub postings: Vec<Posting>,
}

/// One person.
#[utoipa::path(get, path = "/people/{id}", tag = "org", params(("id" = i64, Path)), responses((status = 200, body = PersonDetail), (status = 403), (status = 404)))]
pub async fn get(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<PersonDetail>> {
    let person = actions::reachable(&api.caller(), id, Action::Read).await?;
    Ok(Json(PersonDetail {
        person,
        pairs: store::pairs(&api.state.db, id).await?,
        postings: store::postings(&api.state.db, id).await?,
    }))
}

/// Changes a person.
#[utoipa::path(put, path = "/people/{id}", tag = "org", params(("id" = i64, Path)), request_body = PersonInput, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<PersonInput>,
) -> AppResult<StatusCode> {
    actions::update(&api.caller(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pairs the person (as mentor) with a mentee.
#[utoipa::path(post, path = "/people/{id}/mentoring", tag = "org", params(("id" = i64, Path)), request_body = MentoringInput, responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn mentoring(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<MentoringInput>,
) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: actions::add_pair(&api.caller(), id, &input).await? }))
}

/// Records a posting.
#[utoipa::path(post, path = "/people/{id}/postings", tag = "org", params(("id" = i64, Path)), request_body = PostingInput, responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn posting(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<PostingInput>,
) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: actions::add_posting(&api.caller(), id, &input).await? }))
}

/// The people ledger as xlsx.
#[utoipa::path(get, path = "/people/export", tag = "org", params(PersonFilter), responses((status = 200, description = "xlsx"), (status = 403)))]
pub async fn export(api: ApiUser, Query(f): Query<PersonFilter>) -> AppResult<Response> {
    let (name, bytes) = actions::export(&api.caller(), &f).await?;
    Ok(crate::export::download(&name, bytes))
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(get, update))
        .routes(routes!(mentoring))
        .routes(routes!(posting))
}
