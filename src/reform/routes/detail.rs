//! The task page: facts, colour and why, the stage stepper with the evidence
//! form of the current stage, milestones, progress reports (submit, review,
//! resubmit), files, and a timeline of everything that happened.

use std::collections::HashMap;

use axum::extract::{Form, Multipart, Path};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::attachments::store::Attachment;
use crate::attachments::{read_form, store as files};
use crate::authz::{Action, Module};
use crate::clock::Ts;
use crate::db::Query;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::reform::actions::{self, reaches};
use crate::reform::model::{MilestoneInput, ReportInput, report_status_label};
use crate::reform::reports::{self, Report};
use crate::reform::stage::{EvidenceInput, Expert, Stage};
use crate::reform::store::{self, MilestoneRow, Task};
use crate::web::Ui;

#[derive(Serialize)]
struct Step {
    label: &'static str,
    state: &'static str,
}

#[derive(Serialize)]
struct ReportView {
    #[serde(flatten)]
    report: Report,
    status_label: &'static str,
    files: Vec<Attachment>,
    can_review: bool,
    can_resubmit: bool,
}

#[derive(Serialize)]
struct Moment {
    at: Ts,
    kind: &'static str,
    tone: &'static str,
    text: String,
}

#[derive(Serialize)]
struct Page {
    task: Task,
    stage_label: &'static str,
    stage_code: &'static str,
    next_label: Option<&'static str>,
    evidence_hint: &'static str,
    steps: Vec<Step>,
    milestones: Vec<MilestoneRow>,
    reports: Vec<ReportView>,
    files: Vec<Attachment>,
    timeline: Vec<Moment>,
    can_manage: bool,
    /// May record a leader instruction on the task (research office).
    can_instruct: bool,
    can_report: bool,
    report_units: Vec<(i64, String)>,
    errors: std::collections::BTreeMap<String, String>,
    report_form: ReportInput,
    criteria: Vec<crate::reform::evaluation::Criterion>,
    ratings: Vec<crate::reform::evaluation::Rating>,
    my_stars: HashMap<String, i64>,
    notices: Vec<(String, String, String, String)>,
}

async fn timeline(ui: &Ui, t: &Task, reports: &[Report]) -> AppResult<Vec<Moment>> {
    let db = &ui.state.db;
    let mut out = Vec::new();
    let events: Vec<(Ts, String, String, String, String, String)> = db
        .all(
            Query::new("select at, from_stage, to_stage, kind, reason, by_name from reform_task_events where task_id = $1")
                .bind(t.id),
        )
        .await?;
    for (at, from, to, kind, reason, by) in events {
        let label = |c: &str| Stage::parse(c).map_or("", Stage::label);
        let (kind, tone, text) = match kind.as_str() {
            "back" => ("阶段", "yellow", format!("{by}将任务由{}退回{}：{reason}", label(&from), label(&to))),
            "import" => ("台账", "grey", format!("{by}从台账导入，当前阶段{}", label(&to))),
            "forward" => ("阶段", "blue", format!("{by}办结{}，进入{}", label(&from), label(&to))),
            "status" => ("状态", "yellow", format!("{by}{reason}")),
            "milestone" => ("里程碑", "grey", format!("{by}：{reason}")),
            _ => ("任务", "grey", format!("{by}{reason}")),
        };
        out.push(Moment { at, kind, tone, text });
    }
    for r in reports {
        out.push(Moment {
            at: r.submitted_at,
            kind: "进展",
            tone: "grey",
            text: format!("{}（{}）报送{}进展，完成{}%", r.unit_name, r.submitter, r.period, r.percent),
        });
        if let (Some(at), Some(who)) = (r.reviewed_at, &r.reviewer) {
            let text = if !r.return_reason.is_empty() {
                format!("{who}退回{}的进展：{}", r.unit_name, r.return_reason)
            } else {
                format!("{who}采纳{}的进展", r.unit_name)
            };
            out.push(Moment {
                at,
                kind: "审核",
                tone: if r.return_reason.is_empty() { "green" } else { "yellow" },
                text,
            });
        }
    }
    let colours: Vec<(Ts, String, String)> = db
        .all(Query::new("select at, colour, reason from reform_colour_history where task_id = $1").bind(t.id))
        .await?;
    for (at, colour, reason) in colours {
        let label = crate::deadline::Colour::parse(&colour).map_or("", |c| c.label());
        out.push(Moment {
            at,
            kind: "督办",
            tone: crate::deadline::Colour::parse(&colour).map_or("grey", |c| c.code()),
            text: format!("转为{label}：{reason}"),
        });
    }
    out.sort_by_key(|m| std::cmp::Reverse(m.at));
    Ok(out)
}

async fn page(
    ui: &Ui,
    id: i64,
    errors: FieldErrors,
    report_form: ReportInput,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let t = actions::visible_task(&c, id).await?;
    let stage = Stage::parse(&t.stage).unwrap_or(Stage::Approval);
    let steps = Stage::ALL[..7]
        .iter()
        .map(|s| Step {
            label: s.label(),
            state: if *s < stage {
                "done"
            } else if *s == stage {
                "current"
            } else {
                "todo"
            },
        })
        .collect();
    let can_manage = reaches(&c, &t, Action::Approve).await? && c.who.can(Module::Reform, Action::Approve);
    let can_report = reports::may_report(&c, &t).await?;
    let write = c.who.scope(Module::Reform, Action::Write);
    let report_units = store::task_units(&ui.state.db, id)
        .await?
        .into_iter()
        .filter(|(uid, _, path)| {
            write.allows(crate::authz::Target { unit_id: *uid, unit_path: path, owner_id: None })
        })
        .map(|(uid, name, _)| (uid, name))
        .collect::<Vec<_>>();
    let list = reports::for_task(&ui.state.db, id).await?;
    let read_files = c.who.scope(Module::Attachments, Action::Read);
    let mut by_report: HashMap<String, Vec<Attachment>> = HashMap::new();
    for r in &list {
        by_report.insert(
            r.id.to_string(),
            files::for_owner(&ui.state.db, &read_files, "reform_report", &r.id.to_string()).await?,
        );
    }
    let timeline = timeline(ui, &t, &list).await?;
    let reports = list
        .into_iter()
        .map(|r| ReportView {
            files: by_report.remove(&r.id.to_string()).unwrap_or_default(),
            status_label: report_status_label(&r.status),
            can_review: can_manage && r.status == "submitted",
            can_resubmit: r.status == "returned" && report_units.iter().any(|(u, _)| *u == r.unit_id),
            report: r,
        })
        .collect();
    let ratings = crate::reform::evaluation::ratings(&ui.state.db, id).await?;
    let my_stars = ratings
        .iter()
        .filter(|r| r.evaluator_id == c.who.account_id)
        .map(|r| (r.criterion_id.to_string(), r.stars))
        .collect();
    let notices: Vec<(String, String, String, String)> = ui
        .state
        .db
        .all(
            Query::new(
                "select n.kind, n.title, n.issuing_body, n.doc_no from reform_notices n join reform_notice_links l on l.notice_id = n.id \
                 where l.task_id = $1 order by n.issued_on desc",
            )
            .bind(id),
        )
        .await?;
    let page = Page {
        criteria: crate::reform::evaluation::criteria(&ui.state.db, t.year).await?,
        ratings,
        my_stars,
        notices,
        stage_label: stage.label(),
        stage_code: stage.code(),
        next_label: stage.next().map(Stage::label),
        evidence_hint: stage.evidence_hint(),
        steps,
        milestones: store::milestones(&ui.state.db, id).await?,
        reports,
        files: files::for_owner(&ui.state.db, &read_files, "reform_task", &id.to_string()).await?,
        timeline,
        can_manage,
        can_instruct: ui.user.can(Module::Research, Action::Write),
        can_report,
        report_units,
        errors: ui.field_errors(&errors),
        report_form,
        task: t,
    };
    ui.render_status(status, "reform/task.html", page)
}

/// `GET /reform/tasks/{id}`
pub async fn detail(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    page(&ui, id, FieldErrors::default(), ReportInput::default(), StatusCode::OK).await
}

fn evidence_of(form: &crate::attachments::MultipartForm) -> EvidenceInput {
    let names = form.all("expert_name");
    let titles = form.all("expert_title");
    let opinions = form.all("expert_opinion");
    let experts = names
        .iter()
        .enumerate()
        .map(|(i, n)| Expert {
            name: n.clone(),
            title: titles.get(i).cloned().unwrap_or_default(),
            opinion: opinions.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    EvidenceInput {
        basis: form.text("basis"),
        plan_title: form.text("plan_title"),
        attachment_id: form.text("attachment_id").trim().parse().ok(),
        experts,
        meeting: form.text("meeting"),
        date: form.text("date"),
        doc_no: form.text("doc_no"),
        decision: form.text("decision"),
        summary: form.text("summary"),
        result: form.text("result"),
    }
}

/// `POST /reform/tasks/{id}/advance` (multipart: the plan stage brings its document).
pub async fn advance(ui: Ui, Path(id): Path<i64>, m: Multipart) -> AppResult<Response> {
    let form = read_form(m, 1).await?;
    let c = ui.caller();
    let file = match form.files.first() {
        Some((name, bytes)) => match crate::attachments::actions::check(&c, name, bytes.clone()).await {
            Ok(f) => Some(f),
            Err(AppError::BadRequest(msg)) => {
                return page(
                    &ui,
                    id,
                    FieldErrors::one("attachment", msg),
                    ReportInput::default(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    match actions::advance(&c, id, &evidence_of(&form), file.as_ref()).await {
        Ok(next) => {
            Ok(ui.done(&format!("/reform/tasks/{id}"), Msg::new("已进入{stage}").arg("stage", next.label())))
        }
        Err(AppError::Invalid(e)) => {
            page(&ui, id, e, ReportInput::default(), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/reform/tasks/{id}"), e),
    }
}

/// The step-back form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReasonForm {
    reason: String,
}

/// `POST /reform/tasks/{id}/back`
pub async fn back(ui: Ui, Path(id): Path<i64>, Form(f): Form<ReasonForm>) -> AppResult<Response> {
    match actions::back(&ui.caller(), id, &f.reason).await {
        Ok(to) => {
            Ok(ui.done(&format!("/reform/tasks/{id}"), Msg::new("已退回{stage}").arg("stage", to.label())))
        }
        Err(AppError::Invalid(e)) => {
            page(&ui, id, e, ReportInput::default(), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/reform/tasks/{id}"), e),
    }
}

/// `POST /reform/tasks/{id}/milestones`
pub async fn add_milestone(
    ui: Ui,
    Path(id): Path<i64>,
    Form(f): Form<MilestoneInput>,
) -> AppResult<Response> {
    match actions::add_milestone(&ui.caller(), id, &f).await {
        Ok(_) => Ok(ui.done(&format!("/reform/tasks/{id}"), Msg::new("已增加里程碑"))),
        Err(AppError::Invalid(e)) => {
            page(&ui, id, e, ReportInput::default(), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/reform/tasks/{id}"), e),
    }
}

/// `POST /reform/tasks/{id}/milestones/{mid}/done`
pub async fn milestone_done(ui: Ui, Path((id, mid)): Path<(i64, i64)>) -> AppResult<Response> {
    match actions::milestone_done(&ui.caller(), id, mid).await {
        Ok(()) => Ok(ui.done(&format!("/reform/tasks/{id}"), Msg::new("里程碑已完成"))),
        Err(e) => ui.refused_or(&format!("/reform/tasks/{id}"), e),
    }
}

/// Reads a report form and checks its files.
async fn report_of(
    ui: &Ui,
    m: Multipart,
) -> AppResult<(ReportInput, Result<Vec<crate::attachments::actions::Checked>, crate::i18n::Msg>)> {
    let form = read_form(m, 5).await?;
    let input = ReportInput {
        percent: form.text("percent"),
        content: form.text("content"),
        problems: form.text("problems"),
        next_steps: form.text("next_steps"),
        unit_id: form.text("unit_id"),
    };
    let c = ui.caller();
    let mut checked = Vec::new();
    for (name, bytes) in form.files {
        match crate::attachments::actions::check(&c, &name, bytes).await {
            Ok(f) => checked.push(f),
            Err(AppError::BadRequest(m)) => return Ok((input, Err(m))),
            Err(e) => return Err(e),
        }
    }
    Ok((input, Ok(checked)))
}

/// `POST /reform/tasks/{id}/reports` (multipart, with files).
pub async fn submit_report(ui: Ui, Path(id): Path<i64>, m: Multipart) -> AppResult<Response> {
    let (input, files) = report_of(&ui, m).await?;
    let files = match files {
        Ok(f) => f,
        Err(msg) => {
            return page(&ui, id, FieldErrors::one("files", msg), input, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    match reports::submit(&ui.caller(), id, &input, &files).await {
        Ok(_) => Ok(ui.done(&format!("/reform/tasks/{id}"), Msg::new("进展已报送，等待改革办审核"))),
        Err(AppError::Invalid(e)) => page(&ui, id, e, input, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or(&format!("/reform/tasks/{id}"), e),
    }
}

/// `POST /reform/reports/{rid}/resubmit` (multipart, with files).
pub async fn resubmit_report(ui: Ui, Path(rid): Path<i64>, m: Multipart) -> AppResult<Response> {
    let old = reports::get(&ui.state.db, rid).await?.ok_or(AppError::NotFound)?;
    let (input, files) = report_of(&ui, m).await?;
    let files = match files {
        Ok(f) => f,
        Err(msg) => {
            return page(
                &ui,
                old.task_id,
                FieldErrors::one("files", msg),
                input,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match reports::resubmit(&ui.caller(), rid, &input, &files).await {
        Ok(_) => Ok(ui.done(&format!("/reform/tasks/{}", old.task_id), Msg::new("进展已重新报送"))),
        Err(AppError::Invalid(e)) => page(&ui, old.task_id, e, input, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or(&format!("/reform/tasks/{}", old.task_id), e),
    }
}

/// `POST /reform/reports/{rid}/accept`
pub async fn accept_report(ui: Ui, Path(rid): Path<i64>) -> AppResult<Response> {
    let r = reports::get(&ui.state.db, rid).await?.ok_or(AppError::NotFound)?;
    match reports::accept(&ui.caller(), rid).await {
        Ok(()) => Ok(ui.done(&format!("/reform/tasks/{}", r.task_id), Msg::new("进展已采纳"))),
        Err(e) => ui.refused_or(&format!("/reform/tasks/{}", r.task_id), e),
    }
}

/// `POST /reform/reports/{rid}/return`
pub async fn return_report(ui: Ui, Path(rid): Path<i64>, Form(f): Form<ReasonForm>) -> AppResult<Response> {
    let r = reports::get(&ui.state.db, rid).await?.ok_or(AppError::NotFound)?;
    match reports::send_back(&ui.caller(), rid, &f.reason).await {
        Ok(()) => Ok(ui.done(&format!("/reform/tasks/{}", r.task_id), Msg::new("进展已退回"))),
        Err(e) => ui.refused_or(&format!("/reform/tasks/{}", r.task_id), e),
    }
}
