//! Reform endpoints: the same actions as the pages, as JSON.

use axum::Json;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::assessment::{self, Indicator, Ranked, Scheme};
use super::cases::{self, Case, CaseInput, Pilot, PilotEvaluation, PilotInput, SubmissionInput};
use super::inspections::{self, FindingInput, InspectedUnit, Inspection, InspectionInput};
use super::ledger::{self, Outcome};
use super::model::{MilestoneInput, ReportInput, TaskInput};
use super::notices::{self, Notice, NoticeInput};
use super::reports::{self, Overdue, Report};
use super::stage::EvidenceInput;
use super::store::{self, MilestoneRow, Task, TaskFilter};
use super::{actions, halfway, listing};
use crate::api::{ApiUser, Created, Page};
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::error::AppResult;
use crate::rectify::{self, CloseInput, Item, ItemFilter};

/// Tasks in the caller's scope.
#[utoipa::path(get, path = "/reform/tasks", tag = "reform", params(TaskFilter),
    responses((status = 200, body = Page<Task>), (status = 403)))]
pub async fn list(api: ApiUser, Query(f): Query<TaskFilter>) -> AppResult<Json<Page<Task>>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    let stamp = listing::stamp(&api.state.db).await?;
    let answer = api.state.reform_listings.answer(&api.state.db, &scope, &f, stamp).await?;
    let w = f.paging.window();
    Ok(Json(Page { items: answer.rows.clone(), total: answer.total(&f), page: w.page, per: w.per }))
}

/// How many tasks of each colour match (the colour filter is ignored).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ColourCount {
    /// Colour code.
    pub colour: String,
    /// Tasks.
    pub count: i64,
}

/// Counts by colour.
#[utoipa::path(get, path = "/reform/tasks/counts", tag = "reform", params(TaskFilter),
    responses((status = 200, body = Vec<ColourCount>), (status = 403)))]
pub async fn counts(api: ApiUser, Query(f): Query<TaskFilter>) -> AppResult<Json<Vec<ColourCount>>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    let stamp = listing::stamp(&api.state.db).await?;
    let answer = api.state.reform_listings.answer(&api.state.db, &scope, &f, stamp).await?;
    Ok(Json(
        answer
            .by_colour
            .iter()
            .map(|(colour, count)| ColourCount { colour: colour.clone(), count: *count })
            .collect(),
    ))
}

/// Adds a task (the reform office).
#[utoipa::path(post, path = "/reform/tasks", tag = "reform", request_body = TaskInput,
    responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn create(api: ApiUser, Json(input): Json<TaskInput>) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: actions::create(&api.caller(), &input).await? }))
}

/// A task with its milestones.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskDetail {
    /// The task.
    pub task: Task,
    /// Its milestones.
    pub milestones: Vec<MilestoneRow>,
}

/// One task.
#[utoipa::path(get, path = "/reform/tasks/{id}", tag = "reform", params(("id" = i64, Path)),
    responses((status = 200, body = TaskDetail), (status = 403), (status = 404)))]
pub async fn get(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<TaskDetail>> {
    let task = actions::visible_task(&api.caller(), id).await?;
    let milestones = store::milestones(&api.state.db, id).await?;
    Ok(Json(TaskDetail { task, milestones }))
}

/// Changes a task's defining fields.
#[utoipa::path(put, path = "/reform/tasks/{id}", tag = "reform", params(("id" = i64, Path)), request_body = TaskInput,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<TaskInput>,
) -> AppResult<StatusCode> {
    actions::update(&api.caller(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A status change or a step back.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StatusBody {
    /// `active`, `suspended` or `cancelled` (status changes only).
    pub status: String,
    /// Why.
    pub reason: String,
}

/// Suspends, resumes or cancels a task.
#[utoipa::path(post, path = "/reform/tasks/{id}/status", tag = "reform", params(("id" = i64, Path)), request_body = StatusBody,
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn status(api: ApiUser, Path(id): Path<i64>, Json(b): Json<StatusBody>) -> AppResult<StatusCode> {
    actions::set_status(&api.caller(), id, &b.status, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The stage a task is now in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StageNow {
    /// Stage code.
    pub stage: String,
}

/// Closes the current stage with its evidence (the plan stage names an attachment of the task).
#[utoipa::path(post, path = "/reform/tasks/{id}/advance", tag = "reform", params(("id" = i64, Path)), request_body = EvidenceInput,
    responses((status = 200, body = StageNow), (status = 403), (status = 409), (status = 422)))]
pub async fn advance(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(e): Json<EvidenceInput>,
) -> AppResult<Json<StageNow>> {
    let next = actions::advance(&api.caller(), id, &e, None).await?;
    Ok(Json(StageNow { stage: next.code().to_string() }))
}

/// Steps back one stage, with a reason.
#[utoipa::path(post, path = "/reform/tasks/{id}/back", tag = "reform", params(("id" = i64, Path)), request_body = StatusBody,
    responses((status = 200, body = StageNow), (status = 403), (status = 409), (status = 422)))]
pub async fn back(api: ApiUser, Path(id): Path<i64>, Json(b): Json<StatusBody>) -> AppResult<Json<StageNow>> {
    let to = actions::back(&api.caller(), id, &b.reason).await?;
    Ok(Json(StageNow { stage: to.code().to_string() }))
}

/// Adds a milestone.
#[utoipa::path(post, path = "/reform/tasks/{id}/milestones", tag = "reform", params(("id" = i64, Path)), request_body = MilestoneInput,
    responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn add_milestone(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(m): Json<MilestoneInput>,
) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: actions::add_milestone(&api.caller(), id, &m).await? }))
}

/// Marks a milestone reached today.
#[utoipa::path(post, path = "/reform/tasks/{id}/milestones/{mid}/done", tag = "reform", params(("id" = i64, Path), ("mid" = i64, Path)),
    responses((status = 204), (status = 403), (status = 409)))]
pub async fn milestone_done(api: ApiUser, Path((id, mid)): Path<(i64, i64)>) -> AppResult<StatusCode> {
    actions::milestone_done(&api.caller(), id, mid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A task's progress reports, newest first.
#[utoipa::path(get, path = "/reform/tasks/{id}/reports", tag = "reform", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Report>), (status = 403), (status = 404)))]
pub async fn task_reports(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<Vec<Report>>> {
    actions::visible_task(&api.caller(), id).await?;
    Ok(Json(reports::for_task(&api.state.db, id).await?))
}

/// Submits a progress report (files go to `/attachments` with owner `reform_report`).
#[utoipa::path(post, path = "/reform/tasks/{id}/reports", tag = "reform", params(("id" = i64, Path)), request_body = ReportInput,
    responses((status = 200, body = Created), (status = 403), (status = 409), (status = 422)))]
pub async fn submit(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<ReportInput>,
) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: reports::submit(&api.caller(), id, &r, &[]).await? }))
}

/// Resubmits a returned report.
#[utoipa::path(post, path = "/reform/reports/{id}/resubmit", tag = "reform", params(("id" = i64, Path)), request_body = ReportInput,
    responses((status = 200, body = Created), (status = 403), (status = 409), (status = 422)))]
pub async fn resubmit(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<ReportInput>,
) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: reports::resubmit(&api.caller(), id, &r, &[]).await? }))
}

/// Accepts a report.
#[utoipa::path(post, path = "/reform/reports/{id}/accept", tag = "reform", params(("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 409)))]
pub async fn accept(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    reports::accept(&api.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Returns a report with a reason.
#[utoipa::path(post, path = "/reform/reports/{id}/return", tag = "reform", params(("id" = i64, Path)), request_body = StatusBody,
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn send_back(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<StatusBody>,
) -> AppResult<StatusCode> {
    reports::send_back(&api.caller(), id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reports awaiting review (the reform office).
#[utoipa::path(get, path = "/reform/reports/queue", tag = "reform", responses((status = 200, body = Vec<Report>), (status = 403)))]
pub async fn queue(api: ApiUser) -> AppResult<Json<Vec<Report>>> {
    let scope = api.who.require(Module::Reform, Action::Approve)?;
    Ok(Json(reports::queue(&api.state.db, &scope, 1000).await?))
}

/// Reports owed and not sent.
#[utoipa::path(get, path = "/reform/reports/overdue", tag = "reform", responses((status = 200, body = Vec<Overdue>), (status = 403)))]
pub async fn overdue(api: ApiUser) -> AppResult<Json<Vec<Overdue>>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    Ok(Json(reports::overdue(&api.state.db, &scope, api.state.clock.today(), 5000).await?))
}

/// `?date=`
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct DateParam {
    /// Date (default today).
    pub date: String,
    /// Year (assessment; default this year).
    pub year: String,
}

/// 双过半 on a date.
#[utoipa::path(get, path = "/reform/halfway", tag = "reform", params(DateParam),
    responses((status = 200, body = halfway::Halfway), (status = 403)))]
pub async fn halfway_get(api: ApiUser, Query(q): Query<DateParam>) -> AppResult<Json<halfway::Halfway>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    let date = crate::validate::date(&q.date).unwrap_or_else(|_| api.state.clock.today());
    let end = super::routes::halfway::end_of(date, api.state.clock.offset());
    let rules = crate::deadline::settings::rules(&api.state.db, "reform").await?;
    let rows = halfway::rows(&api.state.db, &scope, i64::from(date.year()), date, end).await?;
    Ok(Json(halfway::summarize(&rows, i64::from(date.year()), date, rules.lag_points)))
}

/// The year's scheme and ranking.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Ranking {
    /// The scheme.
    pub scheme: Scheme,
    /// Its indicators.
    pub indicators: Vec<Indicator>,
    /// Units in the caller's scope, best first.
    pub units: Vec<Ranked>,
}

/// The assessment ranking with each unit's breakdown.
#[utoipa::path(get, path = "/reform/assessment", tag = "reform", params(DateParam),
    responses((status = 200, body = Ranking), (status = 403), (status = 404)))]
pub async fn ranking(api: ApiUser, Query(q): Query<DateParam>) -> AppResult<Json<Ranking>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    let year = assessment::year(&q.year).unwrap_or_else(|_| i64::from(api.state.clock.today().year()));
    let as_of = crate::validate::date(&q.date).unwrap_or_else(|_| api.state.clock.today());
    let (scheme, indicators, units) = assessment::ranking(&api.state.db, &scope, year, as_of)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    Ok(Json(Ranking { scheme, indicators, units }))
}

/// Rectification items in scope.
#[utoipa::path(get, path = "/reform/rectifications", tag = "reform", params(ItemFilter),
    responses((status = 200, body = Page<Item>), (status = 403)))]
pub async fn items(api: ApiUser, Query(f): Query<ItemFilter>) -> AppResult<Json<Page<Item>>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    let (items, total) = rectify::list(&api.state.db, &scope, &f).await?;
    let w = f.paging.window();
    Ok(Json(Page { items, total, page: w.page, per: w.per }))
}

/// Closes an item with its evidence (files go to `/attachments` with owner `rectification`).
#[utoipa::path(post, path = "/reform/rectifications/{id}/close", tag = "reform", params(("id" = i64, Path)), request_body = CloseInput,
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn close(api: ApiUser, Path(id): Path<i64>, Json(b): Json<CloseInput>) -> AppResult<StatusCode> {
    rectify::close(&api.caller(), id, &b, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reopens a closed item.
#[utoipa::path(post, path = "/reform/rectifications/{id}/reopen", tag = "reform", params(("id" = i64, Path)), request_body = StatusBody,
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn reopen(api: ApiUser, Path(id): Path<i64>, Json(b): Json<StatusBody>) -> AppResult<StatusCode> {
    rectify::reopen(&api.caller(), id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Inspections of a year in scope.
#[utoipa::path(get, path = "/reform/inspections", tag = "reform", params(DateParam),
    responses((status = 200, body = Vec<Inspection>), (status = 403)))]
pub async fn inspections_list(api: ApiUser, Query(q): Query<DateParam>) -> AppResult<Json<Vec<Inspection>>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    let year = assessment::year(&q.year).unwrap_or_else(|_| i64::from(api.state.clock.today().year()));
    Ok(Json(inspections::list(&api.state.db, &scope, year).await?))
}

/// Records an inspection.
#[utoipa::path(post, path = "/reform/inspections", tag = "reform", request_body = InspectionInput,
    responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn inspections_create(api: ApiUser, Json(b): Json<InspectionInput>) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: inspections::create(&api.caller(), &b).await? }))
}

/// An inspection with its units and the findings the caller may see.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InspectionDetail {
    /// The inspection.
    pub inspection: Inspection,
    /// Units inspected.
    pub units: Vec<InspectedUnit>,
    /// Findings.
    pub findings: Vec<inspections::Finding>,
}

/// One inspection.
#[utoipa::path(get, path = "/reform/inspections/{id}", tag = "reform", params(("id" = i64, Path)),
    responses((status = 200, body = InspectionDetail), (status = 403), (status = 404)))]
pub async fn inspection(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<InspectionDetail>> {
    let (inspection, units, findings) = inspections::visible_one(&api.caller(), id).await?;
    Ok(Json(InspectionDetail { inspection, units, findings }))
}

/// An inspected unit's result.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ResultBody {
    /// Unit.
    pub unit_id: i64,
    /// `pending`, `passed` or `failed`.
    pub result: String,
}

/// Sets an inspected unit's result.
#[utoipa::path(post, path = "/reform/inspections/{id}/results", tag = "reform", params(("id" = i64, Path)), request_body = ResultBody,
    responses((status = 204), (status = 403), (status = 422)))]
pub async fn inspection_result(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<ResultBody>,
) -> AppResult<StatusCode> {
    inspections::set_result(&api.caller(), id, b.unit_id, &b.result).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a finding and raises its rectification item.
#[utoipa::path(post, path = "/reform/inspections/{id}/findings", tag = "reform", params(("id" = i64, Path)), request_body = FindingInput,
    responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn finding(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<FindingInput>,
) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: inspections::add_finding(&api.caller(), id, &b).await? }))
}

/// Notices of a year in scope.
#[utoipa::path(get, path = "/reform/notices", tag = "reform", params(DateParam),
    responses((status = 200, body = Vec<Notice>), (status = 403)))]
pub async fn notices_list(api: ApiUser, Query(q): Query<DateParam>) -> AppResult<Json<Vec<Notice>>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    let year = assessment::year(&q.year).unwrap_or_else(|_| i64::from(api.state.clock.today().year()));
    Ok(Json(notices::list(&api.state.db, &scope, year, "").await?))
}

/// Issues a notice.
#[utoipa::path(post, path = "/reform/notices", tag = "reform", request_body = NoticeInput,
    responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn notices_create(api: ApiUser, Json(b): Json<NoticeInput>) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: notices::create(&api.caller(), &b).await? }))
}

/// Typical cases of a year in scope.
#[utoipa::path(get, path = "/reform/cases", tag = "reform", params(DateParam),
    responses((status = 200, body = Vec<Case>), (status = 403)))]
pub async fn cases_list(api: ApiUser, Query(q): Query<DateParam>) -> AppResult<Json<Vec<Case>>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    let year = assessment::year(&q.year).unwrap_or_else(|_| i64::from(api.state.clock.today().year()));
    Ok(Json(cases::list_cases(&api.state.db, &scope, year, "").await?))
}

/// Proposes a case.
#[utoipa::path(post, path = "/reform/cases", tag = "reform", request_body = CaseInput,
    responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn cases_create(api: ApiUser, Json(b): Json<CaseInput>) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: cases::create_case(&api.caller(), &b).await? }))
}

/// Records a submission of a case to an outlet.
#[utoipa::path(post, path = "/reform/cases/{id}/submissions", tag = "reform", params(("id" = i64, Path)), request_body = SubmissionInput,
    responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn case_submit(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<SubmissionInput>,
) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: cases::submit_case(&api.caller(), id, &b).await? }))
}

/// An outlet's answer.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutcomeBody {
    /// `pending`, `adopted` or `declined`.
    pub outcome: String,
    /// When (default today).
    pub outcome_on: String,
}

/// Records an outlet's answer.
#[utoipa::path(post, path = "/reform/submissions/{id}/outcome", tag = "reform", params(("id" = i64, Path)), request_body = OutcomeBody,
    responses((status = 204), (status = 403), (status = 422)))]
pub async fn case_outcome(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<OutcomeBody>,
) -> AppResult<StatusCode> {
    cases::record_outcome(&api.caller(), id, &b.outcome, &b.outcome_on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pilots in scope.
#[utoipa::path(get, path = "/reform/pilots", tag = "reform", responses((status = 200, body = Vec<Pilot>), (status = 403)))]
pub async fn pilots_list(api: ApiUser) -> AppResult<Json<Vec<Pilot>>> {
    let scope = api.who.require(Module::Reform, Action::Read)?;
    Ok(Json(cases::list_pilots(&api.state.db, &scope, "").await?))
}

/// Registers a pilot.
#[utoipa::path(post, path = "/reform/pilots", tag = "reform", request_body = PilotInput,
    responses((status = 200, body = Created), (status = 403), (status = 422)))]
pub async fn pilots_create(api: ApiUser, Json(b): Json<PilotInput>) -> AppResult<Json<Created>> {
    Ok(Json(Created { id: cases::create_pilot(&api.caller(), &b).await? }))
}

/// Records a pilot's mid-term evaluation or acceptance.
#[utoipa::path(post, path = "/reform/pilots/{id}/evaluate", tag = "reform", params(("id" = i64, Path)), request_body = PilotEvaluation,
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn pilot_evaluate(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<PilotEvaluation>,
) -> AppResult<StatusCode> {
    cases::evaluate_pilot(&api.caller(), id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports a ledger (multipart, field `file`): all rows or none. A bad file
/// answers 422 with `error.rows`: every problem by row and column.
#[utoipa::path(post, path = "/reform/ledger", tag = "reform",
    responses((status = 200, body = Outcome), (status = 403), (status = 422)))]
pub async fn ledger_import(api: ApiUser, m: Multipart) -> AppResult<Response> {
    api.who.require(Module::Reform, Action::Approve)?;
    let form = crate::attachments::read_form(m, 1).await?;
    let bytes = form.files.into_iter().next().map(|(_, b)| b).unwrap_or_default();
    match ledger::import(&api.caller(), &bytes).await? {
        Ok(out) => Ok(Json(out).into_response()),
        Err(rows) => {
            let body = serde_json::json!({ "error": {
                "code": "import_failed",
                "message": "台账有误，没有导入任何数据",
                "fields": {},
                "rows": rows,
            }});
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
        }
    }
}

/// Exports the ledger (xlsx) of the tasks matching the filters, in scope.
#[utoipa::path(get, path = "/reform/ledger", tag = "reform", params(TaskFilter),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403)))]
pub async fn ledger_export(api: ApiUser, Query(f): Query<TaskFilter>) -> AppResult<Response> {
    let scope = api.who.require(Module::Reform, Action::Export)?;
    let (bytes, _) = ledger::export(&api.state.db, &scope, &f).await?;
    Ok(crate::export::download("改革任务台账", bytes))
}

/// The reform endpoints.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(counts))
        .routes(routes!(get, update))
        .routes(routes!(status))
        .routes(routes!(advance))
        .routes(routes!(back))
        .routes(routes!(add_milestone))
        .routes(routes!(milestone_done))
        .routes(routes!(task_reports, submit))
        .routes(routes!(resubmit))
        .routes(routes!(accept))
        .routes(routes!(send_back))
        .routes(routes!(queue))
        .routes(routes!(overdue))
        .routes(routes!(halfway_get))
        .routes(routes!(ranking))
        .routes(routes!(items))
        .routes(routes!(close))
        .routes(routes!(reopen))
        .routes(routes!(inspections_list, inspections_create))
        .routes(routes!(inspection))
        .routes(routes!(inspection_result))
        .routes(routes!(finding))
        .routes(routes!(notices_list, notices_create))
        .routes(routes!(cases_list, cases_create))
        .routes(routes!(case_submit))
        .routes(routes!(case_outcome))
        .routes(routes!(pilots_list, pilots_create))
        .routes(routes!(pilot_evaluate))
        .routes(routes!(ledger_import, ledger_export))
}
