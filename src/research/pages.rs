//! Research pages. A form that fails its checks comes back with the messages
//! beside the fields (topics, outputs, instructions, follow-ups); small forms
//! on a detail page (a milestone, an article, a score) say why in the page's
//! message line.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::followup::State;
use super::funds::{self, BudgetInput, SpendingInput};
use super::instructions::{self, InstructionInput};
use super::outputs::{self, CompilationInput, OutputInput, TransformationInput};
use super::selection::{self, AwardCounts, RoundInput};
use super::{journal, topics};
use crate::authz::{Action, Module};
use crate::db::{Db, DbResult, Query as Q};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;
use crate::web::form::MultiForm;

type Errors = BTreeMap<String, String>;
type Pairs = &'static [(&'static str, &'static str)];

/// `?year=`
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct YearQuery {
    /// Year.
    pub year: String,
}

/// Active accounts holding any research permission (owners, judges).
pub async fn people(db: &Db) -> DbResult<Vec<(i64, String)>> {
    db.all(Q::new(
        "select a.id, a.display_name || '（' || u.name || '）' from accounts a join units u on u.id = a.unit_id \
         where a.status = 'active' and exists (select 1 from account_roles ar \
         join role_permissions p on p.role_id = ar.role_id where ar.account_id = a.id and p.module = 'research') \
         order by u.path, a.display_name, a.id",
    ))
    .await
}

async fn write_units(ui: &Ui) -> AppResult<Vec<(i64, String)>> {
    Ok(crate::org::units::store::options(&ui.state.db, &ui.user.scope(Module::Research, Action::Write))
        .await?)
}

async fn all_units(ui: &Ui) -> AppResult<Vec<(i64, String)>> {
    Ok(crate::org::units::store::options(&ui.state.db, &ui.user.scope(Module::Org, Action::Read)).await?)
}

fn saved_or<T>(r: AppResult<T>) -> AppResult<Result<T, FieldErrors>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(AppError::Invalid(e)) => Ok(Err(e)),
        Err(e) => Err(e),
    }
}

// ---- topics ---------------------------------------------------------------

#[derive(Serialize)]
struct TopicsPage {
    year: i64,
    f: topics::Filter,
    rows: Vec<topics::Topic>,
    focus: Vec<topics::Focus>,
    focus_options: Vec<(i64, String)>,
    colours: Vec<(String, i64)>,
    kinds: Pairs,
    levels: Pairs,
    stages: Pairs,
    can_write: bool,
    can_plan: bool,
    units: Vec<(i64, String)>,
    member_units: Vec<(i64, String)>,
    form: topics::TopicInput,
    errors: Errors,
}

async fn topics_page(
    ui: &Ui,
    f: topics::Filter,
    form: topics::TopicInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let year = ui.year_or_this(&f.year);
    let db = &ui.state.db;
    let can_write = ui.user.can(Module::Research, Action::Write);
    let focus = topics::focus_areas(db, year).await?;
    let page = TopicsPage {
        year,
        rows: topics::list(db, &ui.user, year, &f).await?,
        f,
        focus_options: focus.iter().map(|x| (x.id, x.title.clone())).collect(),
        focus,
        colours: topics::colour_counts(db, &ui.user, year).await?,
        kinds: topics::KINDS,
        levels: topics::LEVELS,
        stages: topics::STAGES,
        can_write,
        can_plan: can_write && ui.user.scope(Module::Research, Action::Write).is_all(),
        units: if can_write { write_units(ui).await? } else { Vec::new() },
        member_units: if can_write { all_units(ui).await? } else { Vec::new() },
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/topics.html", page)
}

/// `GET /research`
pub async fn topics(ui: Ui, Query(f): Query<topics::Filter>) -> AppResult<Response> {
    let today = ui.state.clock.today();
    let form = topics::TopicInput { start_on: today.to_string(), ..topics::TopicInput::default() };
    topics_page(&ui, f, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research`
pub async fn create_topic(ui: Ui, MultiForm(form): MultiForm<topics::TopicInput>) -> AppResult<Response> {
    match saved_or(topics::create(&ui.caller(), &form).await)? {
        Ok(id) => Ok(ui.done(&format!("/research/topics/{id}"), Msg::new("课题已立项"))),
        Err(e) => {
            topics_page(&ui, topics::Filter::default(), form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The focus-area form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FocusForm {
    /// Year.
    pub year: String,
    /// Title.
    pub focus_title: String,
}

/// `POST /research/focus`
pub async fn add_focus(ui: Ui, Form(f): Form<FocusForm>) -> AppResult<Response> {
    let year = ui.year_or_this(&f.year);
    let back = format!("/research?year={year}");
    match topics::add_focus(&ui.caller(), year, &f.focus_title).await {
        Ok(_) => Ok(ui.done(&back, Msg::new("已添加调研重点"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

#[derive(Serialize)]
struct TopicPage {
    topic: topics::Topic,
    kind_label: &'static str,
    level_label: &'static str,
    stages: Vec<(String, &'static str, String, Option<String>)>,
    team: Vec<topics::Member>,
    outputs: Vec<outputs::Output>,
    budgets: Vec<(funds::Budget, String, String, String)>,
    spending: Vec<(funds::Spending, String)>,
    spending_kinds: Pairs,
    can_write: bool,
    can_budget: bool,
    can_approve: bool,
    today: String,
}

/// `GET /research/topics/{id}`
pub async fn topic(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let c = ui.caller();
    let t = topics::visible(&c, id).await?;
    let db = &ui.state.db;
    let stages = topics::milestones(db, id)
        .await?
        .into_iter()
        .map(|m| {
            (
                m.stage.clone(),
                super::label_of(topics::STAGES, &m.stage),
                m.due_on.to_string(),
                m.done_on.map(|d| d.to_string()),
            )
        })
        .collect();
    let f = outputs::Filter { topic: id.to_string(), year: t.year.to_string(), ..outputs::Filter::default() };
    let mut outs = outputs::list(db, &ui.user, t.year, &f).await?;
    if outs.is_empty() && t.finished_on.is_some() {
        // Outputs may be finished the year after the topic started.
        outs = outputs::list(db, &ui.user, t.year + 1, &f).await?;
    }
    let can_write = ui.user.can(Module::Research, Action::Write)
        && c.who.scope(Module::Research, Action::Write).allows(crate::authz::Target {
            unit_id: t.lead_unit_id,
            unit_path: &t.unit_path,
            owner_id: t.created_by,
        });
    let page = TopicPage {
        kind_label: super::label_of(topics::KINDS, &t.kind),
        level_label: super::label_of(topics::LEVELS, &t.level),
        stages,
        team: topics::team(db, id).await?,
        outputs: outs,
        budgets: funds::budgets(db, id)
            .await?
            .into_iter()
            .map(|b| {
                let (a, p, left) = (
                    super::yuan(b.approved),
                    super::yuan(b.pending),
                    super::yuan(b.amount - b.approved - b.pending),
                );
                (b, a, p, left)
            })
            .map(|(b, a, p, left)| {
                let amount = super::yuan(b.amount);
                (b, amount, format!("{a} / {p}"), left)
            })
            .collect(),
        spending: funds::spending(db, id)
            .await?
            .into_iter()
            .map(|s| {
                let y = super::yuan(s.amount);
                (s, y)
            })
            .collect(),
        spending_kinds: funds::KINDS,
        can_budget: can_write && ui.user.scope(Module::Research, Action::Write).is_all(),
        can_approve: ui.user.can(Module::Research, Action::Approve),
        can_write,
        today: ui.state.clock.today().to_string(),
        topic: t,
    };
    ui.render("research/topic.html", page)
}

/// The milestone form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MilestoneForm {
    /// Stage code.
    pub stage: String,
    /// Date reached (default today).
    pub done_on: String,
}

/// `POST /research/topics/{id}/milestones`
pub async fn milestone_done(
    ui: Ui,
    Path(id): Path<i64>,
    Form(f): Form<MilestoneForm>,
) -> AppResult<Response> {
    let back = format!("/research/topics/{id}");
    match topics::milestone_done(&ui.caller(), id, &f.stage, &f.done_on).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("已记录节点完成"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// `POST /research/topics/{id}/budgets`
pub async fn add_budget(ui: Ui, Path(id): Path<i64>, Form(f): Form<BudgetInput>) -> AppResult<Response> {
    let back = format!("/research/topics/{id}#funds");
    match funds::add_budget(&ui.caller(), id, &f).await {
        Ok(_) => Ok(ui.done(&back, Msg::new("已添加预算"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// The spending form (carries the topic for the way back).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SpendingForm {
    /// Topic id.
    pub topic_id: String,
    /// The request.
    #[serde(flatten)]
    pub input: SpendingInput,
}

/// `POST /research/spending`
pub async fn request_spending(ui: Ui, Form(f): Form<SpendingForm>) -> AppResult<Response> {
    let back = format!("/research/topics/{}#funds", f.topic_id.trim().parse::<i64>().unwrap_or(0));
    match funds::request(&ui.caller(), &f.input).await {
        Ok(_) => Ok(ui.done(&back, Msg::new("经费申请已提交，等待审批"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// The decision form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    /// Topic id.
    pub topic_id: String,
    /// `approve` or `reject`.
    pub decision: String,
    /// Note.
    pub decision_note: String,
}

/// `POST /research/spending/{id}/decide`
pub async fn decide_spending(ui: Ui, Path(id): Path<i64>, Form(f): Form<DecideForm>) -> AppResult<Response> {
    let back = format!("/research/topics/{}#funds", f.topic_id.trim().parse::<i64>().unwrap_or(0));
    match funds::decide(&ui.caller(), id, f.decision == "approve", &f.decision_note).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("已审批"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

// ---- outputs --------------------------------------------------------------

#[derive(Serialize)]
struct OutputsPage {
    year: i64,
    f: outputs::Filter,
    rows: Vec<outputs::Output>,
    series: Vec<(String, i64)>,
    kinds: Pairs,
    can_write: bool,
    units: Vec<(i64, String)>,
    topics: Vec<(i64, String)>,
    form: OutputInput,
    errors: Errors,
}

async fn outputs_page(
    ui: &Ui,
    f: outputs::Filter,
    form: OutputInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let year = ui.year_or_this(&f.year);
    let db = &ui.state.db;
    let can_write = ui.user.can(Module::Research, Action::Write);
    let topic_options = if can_write {
        topics::list(db, &ui.user, year, &topics::Filter::default())
            .await?
            .into_iter()
            .map(|t| (t.id, format!("{} {}", t.code, t.title)))
            .collect()
    } else {
        Vec::new()
    };
    let page = OutputsPage {
        year,
        rows: outputs::list(db, &ui.user, year, &f).await?,
        series: outputs::series(db, &ui.user, year).await?,
        f,
        kinds: outputs::KINDS,
        can_write,
        units: if can_write { write_units(ui).await? } else { Vec::new() },
        topics: topic_options,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/outputs.html", page)
}

/// `GET /research/outputs`
pub async fn outputs(ui: Ui, Query(f): Query<outputs::Filter>) -> AppResult<Response> {
    let form = OutputInput { finished_on: ui.state.clock.today().to_string(), ..OutputInput::default() };
    outputs_page(&ui, f, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research/outputs` (multipart, optional `file`: docx or pdf).
pub async fn create_output(ui: Ui, m: Multipart) -> AppResult<Response> {
    let form = crate::attachments::read_form(m, 1).await?;
    let input = OutputInput {
        title: form.text("title"),
        kind: form.text("kind"),
        topic_id: form.text("topic_id"),
        unit_id: form.text("unit_id"),
        authors: form.text("authors"),
        series: form.text("series"),
        finished_on: form.text("finished_on"),
        text: form.text("text"),
    };
    let c = ui.caller();
    let file = match form.files.into_iter().next() {
        Some((name, bytes)) => match crate::attachments::actions::check(&c, &name, bytes).await {
            Ok(f) => Some(f),
            Err(AppError::BadRequest(m)) => {
                let e = FieldErrors::one("file", m);
                return outputs_page(
                    &ui,
                    outputs::Filter::default(),
                    input,
                    e,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    match saved_or(outputs::create(&c, &input, file.as_ref()).await)? {
        Ok(id) => Ok(ui.done(&format!("/research/outputs/{id}"), Msg::new("已登记调研成果"))),
        Err(e) => {
            outputs_page(&ui, outputs::Filter::default(), input, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Serialize)]
struct OutputPage {
    o: outputs::Output,
    kind_label: &'static str,
    text: String,
    instructions: Vec<instructions::Instruction>,
    transformations: Vec<outputs::Transformation>,
    issues: Vec<(i64, i64, i64)>,
    levels: Pairs,
    transformation_kinds: Pairs,
    people: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    can_write: bool,
    form: InstructionInput,
    tform: TransformationInput,
    errors: Errors,
}

async fn output_page(
    ui: &Ui,
    id: i64,
    form: InstructionInput,
    tform: TransformationInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let o = outputs::visible(&c, id).await?;
    let db = &ui.state.db;
    let can_write = ui.user.can(Module::Research, Action::Write);
    let page = OutputPage {
        kind_label: super::label_of(outputs::KINDS, &o.kind),
        text: outputs::text(db, id).await?,
        instructions: instructions::on_target(db, &ui.user, "output", id).await?,
        transformations: outputs::transformations(db, id).await?,
        issues: journal::carrying(db, id).await?,
        levels: instructions::LEVELS,
        transformation_kinds: outputs::TRANSFORMATIONS,
        people: if can_write { people(db).await? } else { Vec::new() },
        units: if can_write { all_units(ui).await? } else { Vec::new() },
        can_write,
        form,
        tform,
        errors: ui.field_errors(&errors),
        o,
    };
    ui.render_status(status, "research/output.html", page)
}

/// `GET /research/outputs/{id}`
pub async fn output(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let form = InstructionInput {
        target_kind: "output".into(),
        target_id: id.to_string(),
        instructed_on: ui.state.clock.today().to_string(),
        ..InstructionInput::default()
    };
    output_page(&ui, id, form, TransformationInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research/outputs/{id}/transformations`
pub async fn add_transformation(
    ui: Ui,
    Path(id): Path<i64>,
    Form(f): Form<TransformationInput>,
) -> AppResult<Response> {
    match saved_or(outputs::add_transformation(&ui.caller(), id, &f).await)? {
        Ok(_) => Ok(ui.done(&format!("/research/outputs/{id}#transformations"), Msg::new("已记录成果转化"))),
        Err(e) => {
            let form = InstructionInput {
                target_kind: "output".into(),
                target_id: id.to_string(),
                ..InstructionInput::default()
            };
            output_page(&ui, id, form, f, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

// ---- compilations ---------------------------------------------------------

#[derive(Serialize)]
struct CompilationsPage {
    year: i64,
    rows: Vec<outputs::Compilation>,
    outputs: Vec<(i64, String)>,
    series: Vec<(String, i64)>,
    can_write: bool,
    can_export: bool,
    form: CompilationInput,
    errors: Errors,
}

async fn compilations_page(
    ui: &Ui,
    year: i64,
    form: CompilationInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let db = &ui.state.db;
    let can_write = ui.user.can(Module::Research, Action::Write);
    let page = CompilationsPage {
        year,
        rows: outputs::compilations(db, &ui.user, year).await?,
        outputs: if can_write {
            outputs::list(db, &ui.user, year, &outputs::Filter::default())
                .await?
                .into_iter()
                .map(|o| (o.id, format!("{} {}", o.code, o.title)))
                .collect()
        } else {
            Vec::new()
        },
        series: outputs::series(db, &ui.user, year).await?,
        can_write,
        can_export: ui.user.can(Module::Research, Action::Export),
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/compilations.html", page)
}

/// `GET /research/compilations`
pub async fn compilations(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let year = ui.year_or_this(&q.year);
    let form = CompilationInput { year: year.to_string(), ..CompilationInput::default() };
    compilations_page(&ui, year, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research/compilations`
pub async fn create_compilation(ui: Ui, MultiForm(form): MultiForm<CompilationInput>) -> AppResult<Response> {
    match saved_or(outputs::create_compilation(&ui.caller(), &form).await)? {
        Ok(_) => Ok(ui.done(&format!("/research/compilations?year={}", form.year), Msg::new("汇编已生成"))),
        Err(e) => {
            let year = ui.year_or_this(&form.year);
            compilations_page(&ui, year, form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `GET /research/compilations/{id}/docx`
pub async fn compilation_docx(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let (name, bytes) = outputs::compilation_docx(&ui.caller(), id).await?;
    Ok(crate::export::download_docx(&name, bytes))
}

// ---- 决策参考 ---------------------------------------------------------------

#[derive(Serialize)]
struct JournalPage {
    year: i64,
    rows: Vec<(journal::Issue, String)>,
    can_write: bool,
    form: journal::IssueInput,
    errors: Errors,
}

/// `GET /research/journal`
pub async fn journal(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    journal_page(&ui, &q.year, journal::IssueInput::default(), FieldErrors::default(), StatusCode::OK).await
}

async fn journal_page(
    ui: &Ui,
    year: &str,
    form: journal::IssueInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let year = ui.year_or_this(year);
    let rows = journal::list(&ui.state.db, &ui.user, year).await?.into_iter().map(|i| {
        let line = i.issue_line();
        (i, line)
    });
    let page = JournalPage {
        year,
        rows: rows.collect(),
        can_write: ui.user.can(Module::Research, Action::Write),
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/journal.html", page)
}

/// `POST /research/journal`
pub async fn create_issue(ui: Ui, Form(f): Form<journal::IssueInput>) -> AppResult<Response> {
    match saved_or(journal::create(&ui.caller(), &f).await)? {
        Ok((id, no)) => {
            Ok(ui.done(&format!("/research/journal/{id}"), Msg::new("已新建第{no}期").arg("no", no)))
        }
        Err(e) => journal_page(&ui, "", f, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Serialize)]
struct IssuePage {
    issue: journal::Issue,
    line: String,
    articles: Vec<journal::Article>,
    candidates: Vec<(i64, String)>,
    can_write: bool,
    can_export: bool,
}

/// `GET /research/journal/{id}`
pub async fn issue(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let c = ui.caller();
    let issue = journal::visible(&c, id).await?;
    let db = &ui.state.db;
    let articles = journal::articles(db, id).await?;
    let can_write = issue.state == "editing" && ui.user.can(Module::Research, Action::Write);
    let candidates = if can_write {
        outputs::list(db, &ui.user, issue.year, &outputs::Filter::default())
            .await?
            .into_iter()
            .filter(|o| !articles.iter().any(|a| a.output_id == o.id))
            .map(|o| (o.id, format!("{} {}（{}）", o.code, o.title, o.unit_name)))
            .collect()
    } else {
        Vec::new()
    };
    let page = IssuePage {
        line: issue.issue_line(),
        can_export: ui.user.can(Module::Research, Action::Export),
        issue,
        articles,
        candidates,
        can_write,
    };
    ui.render("research/issue.html", page)
}

/// The article form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArticleForm {
    /// Output id.
    pub output_id: String,
}

/// `POST /research/journal/{id}/articles`
pub async fn add_article(ui: Ui, Path(id): Path<i64>, Form(f): Form<ArticleForm>) -> AppResult<Response> {
    let back = format!("/research/journal/{id}");
    match journal::add_article(&ui.caller(), id, &f.output_id).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("已加入本期"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// `POST /research/journal/{id}/publish`
pub async fn publish_issue(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let back = format!("/research/journal/{id}");
    match journal::publish(&ui.caller(), id).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("本期已印发"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// `GET /research/journal/{id}/docx`
pub async fn issue_docx(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let (name, bytes) = journal::docx(&ui.caller(), id).await?;
    Ok(crate::export::download_docx(&name, bytes))
}

// ---- instructions ---------------------------------------------------------

#[derive(Serialize)]
struct InstructionsPage {
    year: i64,
    f: instructions::Filter,
    rows: Vec<instructions::Instruction>,
    counts: Vec<instructions::LevelCount>,
    levels: Pairs,
    states: Vec<(&'static str, &'static str)>,
}

/// `GET /research/instructions`
pub async fn instructions(ui: Ui, Query(f): Query<instructions::Filter>) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let year = ui.year_or_this(&f.year);
    let db = &ui.state.db;
    let page = InstructionsPage {
        year,
        rows: instructions::list(db, &ui.user, year, &f).await?,
        counts: instructions::counts(db, &ui.user, year).await?,
        f,
        levels: instructions::LEVELS,
        states: State::ALL.iter().map(|s| (s.code(), s.label())).collect(),
    };
    ui.render("research/instructions.html", page)
}

/// `POST /research/instructions` (from an output, a draft or a reform task).
pub async fn create_instruction(ui: Ui, Form(f): Form<InstructionInput>) -> AppResult<Response> {
    match saved_or(instructions::create(&ui.caller(), &f).await)? {
        Ok(id) => Ok(ui.done(&format!("/research/instructions/{id}"), Msg::new("已登记领导批示"))),
        Err(e) if f.target_kind == "output" => {
            let target = f.target_id.trim().parse().map_err(|_| AppError::NotFound)?;
            output_page(&ui, target, f, TransformationInput::default(), e, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => new_instruction_page(&ui, f, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// `?target_kind=&target_id=`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TargetQuery {
    /// `draft` or `reform_task` (outputs have the form on their own page).
    pub target_kind: String,
    /// Its id.
    pub target_id: String,
}

#[derive(Serialize)]
struct NewInstructionPage {
    target_label: &'static str,
    target_title: String,
    back: String,
    instructions: Vec<instructions::Instruction>,
    levels: Pairs,
    people: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    form: InstructionInput,
    errors: Errors,
}

async fn new_instruction_page(
    ui: &Ui,
    form: InstructionInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Write)?;
    let c = ui.caller();
    let id: i64 = form.target_id.trim().parse().map_err(|_| AppError::NotFound)?;
    let (title, back) = match form.target_kind.as_str() {
        "draft" => (crate::drafting::desk::visible(&c, id).await?.title, format!("/drafting/{id}")),
        "reform_task" => {
            (crate::reform::actions::visible_task(&c, id).await?.title, format!("/reform/tasks/{id}"))
        }
        "output" => (outputs::visible(&c, id).await?.title, format!("/research/outputs/{id}")),
        _ => return Err(AppError::NotFound),
    };
    let db = &ui.state.db;
    let page = NewInstructionPage {
        target_label: super::label_of(instructions::TARGETS, &form.target_kind),
        target_title: title,
        back,
        instructions: instructions::on_target(db, &ui.user, &form.target_kind, id).await?,
        levels: instructions::LEVELS,
        people: people(db).await?,
        units: all_units(ui).await?,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/instruction_new.html", page)
}

/// `GET /research/instructions/new?target_kind=draft&target_id=7`
pub async fn new_instruction(ui: Ui, Query(q): Query<TargetQuery>) -> AppResult<Response> {
    let form = InstructionInput {
        target_kind: q.target_kind,
        target_id: q.target_id,
        instructed_on: ui.state.clock.today().to_string(),
        ..InstructionInput::default()
    };
    new_instruction_page(&ui, form, FieldErrors::default(), StatusCode::OK).await
}

#[derive(Serialize)]
struct InstructionPage {
    i: instructions::Instruction,
    level_label: &'static str,
    state_label: &'static str,
    target_label: &'static str,
    target_link: String,
    history: Vec<instructions::HistoryRow>,
    owner: bool,
    office: bool,
    text: String,
    errors: Errors,
}

async fn instruction_page(
    ui: &Ui,
    id: i64,
    text: String,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let i = instructions::visible(&c, id).await?;
    let parts = instructions::parts(&c, &i);
    let target_link = match i.target_kind.as_str() {
        "output" => format!("/research/outputs/{}", i.target_id),
        "draft" => format!("/drafting/{}", i.target_id),
        _ => format!("/reform/tasks/{}", i.target_id),
    };
    let page = InstructionPage {
        level_label: super::label_of(instructions::LEVELS, &i.level),
        state_label: i.state().label(),
        target_label: super::label_of(instructions::TARGETS, &i.target_kind),
        target_link,
        history: instructions::history(&ui.state.db, id).await?,
        owner: parts.owner,
        office: parts.office,
        text,
        errors: ui.field_errors(&errors),
        i,
    };
    ui.render_status(status, "research/instruction.html", page)
}

/// `GET /research/instructions/{id}`
pub async fn instruction(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    instruction_page(&ui, id, String::new(), FieldErrors::default(), StatusCode::OK).await
}

/// The follow-up form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpForm {
    /// `report`, `confirm`, `return`.
    pub step: String,
    /// Result or reason.
    pub text: String,
}

/// `POST /research/instructions/{id}/follow-up`
pub async fn follow_up(ui: Ui, Path(id): Path<i64>, Form(f): Form<FollowUpForm>) -> AppResult<Response> {
    match instructions::step(&ui.caller(), id, &f.step, &f.text).await {
        Ok(to) => Ok(ui.done(
            &format!("/research/instructions/{id}"),
            Msg::new("批示落实{state}").arg("state", to.label()),
        )),
        Err(AppError::Invalid(e)) => {
            instruction_page(&ui, id, f.text, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/research/instructions/{id}"), e),
    }
}

// ---- selection ------------------------------------------------------------

#[derive(Serialize)]
struct RoundsPage {
    year: i64,
    rows: Vec<selection::Round>,
    people: Vec<(i64, String)>,
    can_write: bool,
    form: RoundInput,
    errors: Errors,
}

async fn rounds_page(
    ui: &Ui,
    year: &str,
    form: RoundInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let year = ui.year_or_this(year);
    let can_write = ui.user.can(Module::Research, Action::Write);
    let page = RoundsPage {
        year,
        rows: selection::list(&ui.state.db, &ui.user, year).await?,
        people: if can_write { people(&ui.state.db).await? } else { Vec::new() },
        can_write,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/rounds.html", page)
}

/// `GET /research/selection`
pub async fn rounds(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    rounds_page(&ui, &q.year, RoundInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research/selection`
pub async fn create_round(ui: Ui, MultiForm(form): MultiForm<RoundInput>) -> AppResult<Response> {
    match saved_or(selection::create(&ui.caller(), &form).await)? {
        Ok(id) => Ok(ui.done(&format!("/research/selection/{id}"), Msg::new("评选已启动"))),
        Err(e) => rounds_page(&ui, "", form, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Serialize)]
struct RoundPage {
    r: selection::Round,
    judge: bool,
    judges: Vec<(i64, String)>,
    entries: Vec<(selection::Entry, String)>,
    candidates: Vec<(i64, String)>,
    can_write: bool,
    can_close: bool,
}

/// `GET /research/selection/{id}`
pub async fn round(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let c = ui.caller();
    let (r, judge) = selection::visible(&c, id).await?;
    let db = &ui.state.db;
    let entries = selection::entries(db, id, ui.user.account_id).await?;
    let open = r.state == "open";
    let can_write = open && ui.user.can(Module::Research, Action::Write);
    let candidates = if can_write {
        outputs::list(db, &ui.user, r.year, &outputs::Filter::default())
            .await?
            .into_iter()
            .filter(|o| !entries.iter().any(|e| e.output_id == o.id))
            .map(|o| (o.id, format!("{} {}", o.code, o.title)))
            .collect()
    } else {
        Vec::new()
    };
    let page = RoundPage {
        judge: judge && open,
        judges: selection::judges(db, id).await?,
        entries: entries
            .into_iter()
            .map(|e| {
                let avg =
                    e.average_x100.map_or_else(|| "—".to_string(), |a| format!("{}.{:02}", a / 100, a % 100));
                (e, avg)
            })
            .collect(),
        candidates,
        can_write,
        can_close: open && ui.user.can(Module::Research, Action::Approve),
        r,
    };
    ui.render("research/round.html", page)
}

/// `POST /research/selection/{id}/entries`
pub async fn add_entry(ui: Ui, Path(id): Path<i64>, Form(f): Form<ArticleForm>) -> AppResult<Response> {
    let back = format!("/research/selection/{id}");
    match selection::add_entry(&ui.caller(), id, &f.output_id).await {
        Ok(_) => Ok(ui.done(&back, Msg::new("已加入参评"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// The score form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScoreForm {
    /// Entry id.
    pub entry_id: String,
    /// 0–100.
    pub score: String,
    /// Comment.
    pub comment: String,
}

/// `POST /research/selection/{id}/scores`
pub async fn score(ui: Ui, Path(id): Path<i64>, Form(f): Form<ScoreForm>) -> AppResult<Response> {
    let back = format!("/research/selection/{id}");
    match selection::score(&ui.caller(), id, &f.entry_id, &f.score, &f.comment).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("评分已保存"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// `POST /research/selection/{id}/close`
pub async fn close_round(ui: Ui, Path(id): Path<i64>, Form(f): Form<AwardCounts>) -> AppResult<Response> {
    let back = format!("/research/selection/{id}");
    match selection::close(&ui.caller(), id, &f).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("评选结果已确定"))),
        Err(e) => ui.refused_or(&back, e),
    }
}
