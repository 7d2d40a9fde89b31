//! Grassroots endpoints, for other channels (a hotline, a mini-program) and
//! for scripts. Submissions take an Open311-style shape (`description`,
//! `address`, `service_code`) besides our own field names, and answer with
//! the tracking number as `service_request_id`.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cases::{self, Case};
use super::figures::{self, Figures};
use super::steps::{self, StepInput};
use super::submit::{self, SubmitInput};
use crate::api::ApiUser;
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::error::AppResult;

/// A submission from another channel.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RequestInput {
    /// Title.
    pub title: String,
    /// What was reported (Open311 `description`).
    #[serde(alias = "description")]
    pub content: String,
    /// Where (Open311 `address_string`).
    #[serde(alias = "address_string", alias = "address")]
    pub place: String,
    /// Category code (Open311 `service_code`), optional.
    #[serde(alias = "service_code")]
    pub category: String,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// The contact point's unit id (default: the caller's unit).
    pub point_id: Option<i64>,
}

/// What a submission produced.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// The case id.
    pub id: i64,
    /// The tracking number (Open311 `service_request_id`).
    pub service_request_id: String,
    /// The earlier case it looks like, if any.
    pub possible_duplicate_of: Option<i64>,
    /// Suggested category code.
    pub suggested_category: Option<String>,
    /// Risk level found (0 none, 1 关注, 2 预警, 3 高危).
    pub risk_level: i64,
}

/// Submits an issue for a contact point; it is analysed and numbered at once.
#[utoipa::path(post, path = "/liaison/requests", tag = "liaison", request_body = RequestInput,
    responses((status = 201, body = Accepted), (status = 422), (status = 403)))]
pub async fn submit(api: ApiUser, Json(r): Json<RequestInput>) -> AppResult<(StatusCode, Json<Accepted>)> {
    let c = api.caller();
    let input = SubmitInput {
        title: r.title,
        content: r.content,
        place: r.place,
        category: r.category,
        urgency: r.urgency,
        point_id: r.point_id.map(|p| p.to_string()).unwrap_or_default(),
    };
    let checked = submit::check_submission(&c, &input).await?;
    let s = submit::submit(&c, checked, Vec::new(), "api", None).await?;
    Ok((
        StatusCode::CREATED,
        Json(Accepted {
            id: s.id,
            service_request_id: s.no,
            possible_duplicate_of: s.dup_of,
            suggested_category: s.suggested,
            risk_level: s.risk_level,
        }),
    ))
}

/// Cases the caller may see, newest first (50 a page).
#[utoipa::path(get, path = "/liaison/requests", tag = "liaison", params(cases::Filter),
    responses((status = 200, body = Vec<Case>), (status = 403)))]
pub async fn list(api: ApiUser, Query(f): Query<cases::Filter>) -> AppResult<Json<Vec<Case>>> {
    api.who.require(Module::Liaison, Action::Read)?;
    Ok(Json(cases::list(&api.state.db, &api.who, &f).await?.0))
}

/// One case with its history.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    /// The case.
    pub case: Case,
    /// Its steps, oldest first.
    pub history: Vec<cases::HistoryRow>,
}

/// One case the caller may see.
#[utoipa::path(get, path = "/liaison/requests/{id}", tag = "liaison",
    responses((status = 200, body = CaseDetail), (status = 403), (status = 404)))]
pub async fn get(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<CaseDetail>> {
    let case = cases::visible(&api.caller(), id).await?;
    let history = cases::history(&api.state.db, id).await?;
    Ok(Json(CaseDetail { case, history }))
}

/// The state after a step.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Stepped {
    /// State code.
    pub state: String,
}

/// Takes a step: dispatch, transfer, accept, act, return, reply, rate, merge.
#[utoipa::path(post, path = "/liaison/requests/{id}/steps", tag = "liaison", request_body = StepInput,
    responses((status = 200, body = Stepped), (status = 409), (status = 422), (status = 403)))]
pub async fn step(api: ApiUser, Path(id): Path<i64>, Json(s): Json<StepInput>) -> AppResult<Json<Stepped>> {
    let to = steps::step(&api.caller(), id, &s).await?;
    Ok(Json(Stepped { state: to.code().to_string() }))
}

/// `?year=`
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct YearQuery {
    /// Year (default this year).
    pub year: String,
}

/// The year's figures within the caller's scope.
#[utoipa::path(get, path = "/liaison/figures", tag = "liaison", params(YearQuery),
    responses((status = 200, body = Figures), (status = 403)))]
pub async fn figures(api: ApiUser, Query(q): Query<YearQuery>) -> AppResult<Json<Figures>> {
    api.who.require(Module::Liaison, Action::Read)?;
    let today = api.state.clock.today();
    let year = q.year.trim().parse().unwrap_or_else(|_| i64::from(today.year()));
    Ok(Json(figures::compute(&api.state, &api.who, year, None, today).await?))
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit, list))
        .routes(routes!(get))
        .routes(routes!(step))
        .routes(routes!(figures))
}
