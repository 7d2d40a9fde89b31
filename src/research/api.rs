//! Research endpoints: the same actions as the pages, as JSON.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::followup::State;
use super::funds::{self, SpendingInput};
use super::instructions::{self, Instruction, InstructionInput, LevelCount};
use super::journal::{self, IssueInput};
use super::outputs::{self, Output, OutputInput};
use super::topics::{self, Topic, TopicInput};
use crate::api::{ApiUser, Created};
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::error::AppResult;

fn year_of(api: &ApiUser, raw: &str) -> i64 {
    raw.trim().parse().unwrap_or_else(|_| i64::from(api.state.clock.today().year()))
}

/// Topics of a year the caller may see.
#[utoipa::path(get, path = "/research/topics", tag = "research", params(topics::Filter),
    responses((status = 200, body = Vec<Topic>), (status = 403)))]
pub async fn list_topics(api: ApiUser, Query(f): Query<topics::Filter>) -> AppResult<Json<Vec<Topic>>> {
    api.who.require(Module::Research, Action::Read)?;
    let year = year_of(&api, &f.year);
    Ok(Json(topics::list(&api.state.db, &api.who, year, &f).await?))
}

/// Opens a topic with its five milestones.
#[utoipa::path(post, path = "/research/topics", tag = "research", request_body = TopicInput,
    responses((status = 201, body = Created), (status = 422), (status = 403)))]
pub async fn create_topic(
    api: ApiUser,
    Json(input): Json<TopicInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = topics::create(&api.caller(), &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A milestone reached.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MilestoneInput {
    /// `opening`, `survey`, `draft`, `review` or `closing`.
    pub stage: String,
    /// Date reached (default today).
    pub done_on: String,
}

/// Marks a milestone reached; the topic's colour follows.
#[utoipa::path(post, path = "/research/topics/{id}/milestones", tag = "research", request_body = MilestoneInput,
    responses((status = 204), (status = 409), (status = 422), (status = 403)))]
pub async fn milestone(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(m): Json<MilestoneInput>,
) -> AppResult<StatusCode> {
    topics::milestone_done(&api.caller(), id, &m.stage, &m.done_on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Outputs of a year the caller may see.
#[utoipa::path(get, path = "/research/outputs", tag = "research", params(outputs::Filter),
    responses((status = 200, body = Vec<Output>), (status = 403)))]
pub async fn list_outputs(api: ApiUser, Query(f): Query<outputs::Filter>) -> AppResult<Json<Vec<Output>>> {
    api.who.require(Module::Research, Action::Read)?;
    let year = year_of(&api, &f.year);
    Ok(Json(outputs::list(&api.state.db, &api.who, year, &f).await?))
}

/// Records an output with its text (files go through the page's upload).
#[utoipa::path(post, path = "/research/outputs", tag = "research", request_body = OutputInput,
    responses((status = 201, body = Created), (status = 422), (status = 403)))]
pub async fn create_output(
    api: ApiUser,
    Json(input): Json<OutputInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = outputs::create(&api.caller(), &input, None).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// An output with its text and the instructions on it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OutputDetail {
    /// The output.
    pub output: Output,
    /// Its text.
    pub text: String,
    /// Instructions on it the caller may see.
    pub instructions: Vec<Instruction>,
}

/// One output.
#[utoipa::path(get, path = "/research/outputs/{id}", tag = "research",
    responses((status = 200, body = OutputDetail), (status = 403), (status = 404)))]
pub async fn get_output(api: ApiUser, Path(id): Path<i64>) -> AppResult<Json<OutputDetail>> {
    let output = outputs::visible(&api.caller(), id).await?;
    let db = &api.state.db;
    Ok(Json(OutputDetail {
        text: outputs::text(db, id).await?,
        instructions: instructions::on_target(db, &api.who, "output", id).await?,
        output,
    }))
}

/// Instructions of a year the caller may see.
#[utoipa::path(get, path = "/research/instructions", tag = "research", params(instructions::Filter),
    responses((status = 200, body = Vec<Instruction>), (status = 403)))]
pub async fn list_instructions(
    api: ApiUser,
    Query(f): Query<instructions::Filter>,
) -> AppResult<Json<Vec<Instruction>>> {
    api.who.require(Module::Research, Action::Read)?;
    let year = year_of(&api, &f.year);
    Ok(Json(instructions::list(&api.state.db, &api.who, year, &f).await?))
}

/// Records a leader instruction on an output, draft or reform task.
#[utoipa::path(post, path = "/research/instructions", tag = "research", request_body = InstructionInput,
    responses((status = 201, body = Created), (status = 422), (status = 403), (status = 404)))]
pub async fn create_instruction(
    api: ApiUser,
    Json(input): Json<InstructionInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = instructions::create(&api.caller(), &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A follow-up step.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FollowUpInput {
    /// `report` (owner), `confirm` or `return` (office).
    pub step: String,
    /// The result (report) or the reason (return).
    pub text: String,
}

/// The follow-up state after a step.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FollowUpState {
    /// `open`, `reported`, `done` or `none`.
    #[schema(value_type = String)]
    pub state: State,
}

/// Takes a follow-up step.
#[utoipa::path(post, path = "/research/instructions/{id}/follow-up", tag = "research", request_body = FollowUpInput,
    responses((status = 200, body = FollowUpState), (status = 409), (status = 422), (status = 403)))]
pub async fn follow_up(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(s): Json<FollowUpInput>,
) -> AppResult<Json<FollowUpState>> {
    let state = instructions::step(&api.caller(), id, &s.step, &s.text).await?;
    Ok(Json(FollowUpState { state }))
}

/// `?year=`
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct YearParam {
    /// Year (default this year).
    pub year: String,
}

/// Instructions and pieces instructed per level for a year.
#[utoipa::path(get, path = "/research/instructions/counts", tag = "research", params(YearParam),
    responses((status = 200, body = Vec<LevelCount>), (status = 403)))]
pub async fn instruction_counts(
    api: ApiUser,
    Query(q): Query<YearParam>,
) -> AppResult<Json<Vec<LevelCount>>> {
    api.who.require(Module::Research, Action::Read)?;
    let year = year_of(&api, &q.year);
    Ok(Json(instructions::counts(&api.state.db, &api.who, year).await?))
}

/// The number given to a new issue.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IssueNo {
    /// Id.
    pub id: i64,
    /// Number within the year.
    pub no: i64,
}

/// Opens the next issue of 《决策参考》.
#[utoipa::path(post, path = "/research/journal", tag = "research", request_body = IssueInput,
    responses((status = 201, body = IssueNo), (status = 422), (status = 403)))]
pub async fn create_issue(
    api: ApiUser,
    Json(input): Json<IssueInput>,
) -> AppResult<(StatusCode, Json<IssueNo>)> {
    let (id, no) = journal::create(&api.caller(), &input).await?;
    Ok((StatusCode::CREATED, Json(IssueNo { id, no })))
}

/// An article to add.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ArticleInput {
    /// Output id.
    pub output_id: String,
}

/// Adds an output to an issue being edited.
#[utoipa::path(post, path = "/research/journal/{id}/articles", tag = "research", request_body = ArticleInput,
    responses((status = 204), (status = 409), (status = 422), (status = 403)))]
pub async fn add_article(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(a): Json<ArticleInput>,
) -> AppResult<StatusCode> {
    journal::add_article(&api.caller(), id, &a.output_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes an issue.
#[utoipa::path(post, path = "/research/journal/{id}/publish", tag = "research",
    responses((status = 204), (status = 409), (status = 403)))]
pub async fn publish(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
    journal::publish(&api.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The issue as a Word document in official layout.
#[utoipa::path(get, path = "/research/journal/{id}/docx", tag = "research",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 403)))]
pub async fn issue_docx(api: ApiUser, Path(id): Path<i64>) -> AppResult<Response> {
    let (name, bytes) = journal::docx(&api.caller(), id).await?;
    Ok(crate::export::download_docx(&name, bytes))
}

/// Requests spending against a budget line (refused with 409 past the budget).
#[utoipa::path(post, path = "/research/spending", tag = "research", request_body = SpendingInput,
    responses((status = 201, body = Created), (status = 409), (status = 422), (status = 403)))]
pub async fn request_spending(
    api: ApiUser,
    Json(input): Json<SpendingInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = funds::request(&api.caller(), &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A decision on a spending request.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    /// Approve (true) or reject.
    pub approve: bool,
    /// Note (required to reject).
    pub note: String,
}

/// Approves or rejects a spending request.
#[utoipa::path(post, path = "/research/spending/{id}/decision", tag = "research", request_body = DecisionInput,
    responses((status = 204), (status = 409), (status = 422), (status = 403)))]
pub async fn decide_spending(
    api: ApiUser,
    Path(id): Path<i64>,
    Json(d): Json<DecisionInput>,
) -> AppResult<StatusCode> {
    funds::decide(&api.caller(), id, d.approve, &d.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_topics, create_topic))
        .routes(routes!(milestone))
        .routes(routes!(list_outputs, create_output))
        .routes(routes!(get_output))
        .routes(routes!(list_instructions, create_instruction))
        .routes(routes!(follow_up))
        .routes(routes!(instruction_counts))
        .routes(routes!(create_issue))
        .routes(routes!(add_article))
        .routes(routes!(publish))
        .routes(routes!(issue_docx))
        .routes(routes!(request_spending))
        .routes(routes!(decide_spending))
}
