//! Progress reports (R3): the lead and cooperating units report; the reform
//! office accepts or returns them with a reason; a returned report is
//! resubmitted as a new version. An accepted report of the lead unit sets the
//! task's progress (and so its colour). Reports are due by a cycle per task;
//! `overdue` lists the ones missing.

use serde::Serialize;
use time::Date;

use super::actions::{reaches, recolour, visible_task};
use super::model::{ReportFields, ReportInput, due_in_period, period_of};
use super::store::{self, Task};
use crate::app::Caller;
use crate::attachments::actions::{Checked, Owner, save};
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Scope, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::notify::{self, Outgoing};

/// A report as pages show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Report {
    /// Id.
    pub id: i64,
    /// Task.
    pub task_id: i64,
    /// Task code.
    pub task_code: String,
    /// Task title.
    pub task_title: String,
    /// Reporting unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Period (`2026-11`, `2026-Q4`).
    pub period: String,
    /// Percent done.
    pub percent: i64,
    /// What was done.
    pub content: String,
    /// Problems.
    pub problems: String,
    /// Next steps.
    pub next_steps: String,
    /// `submitted`, `accepted`, `returned` or `superseded`.
    pub status: String,
    /// Why it was returned.
    pub return_reason: String,
    /// Version (a resubmission is the next one).
    pub version: i64,
    /// Submitting account.
    pub submitted_by: i64,
    /// Its name.
    pub submitter: String,
    /// When.
    pub submitted_at: Ts,
    /// Reviewer's name.
    pub reviewer: Option<String>,
    /// When reviewed.
    pub reviewed_at: Option<Ts>,
}

const SELECT: &str = "select r.id, r.task_id, t.code as task_code, t.title as task_title, r.unit_id, u.name as unit_name, \
     r.period, r.percent, r.content, r.problems, r.next_steps, r.status, r.return_reason, r.version, r.submitted_by, \
     s.display_name as submitter, r.submitted_at, v.display_name as reviewer, r.reviewed_at \
     from reform_reports r join reform_tasks t on t.id = r.task_id join units u on u.id = r.unit_id \
     join accounts s on s.id = r.submitted_by left join accounts v on v.id = r.reviewed_by";

/// A task's reports, newest first.
pub async fn for_task(db: &Db, task_id: i64) -> DbResult<Vec<Report>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where r.task_id = ").bind(task_id).push(" order by r.submitted_at desc, r.id desc");
    db.all(sql.build()).await
}

/// One report.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Report>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where r.id = ").bind(id);
    db.opt(sql.build()).await
}

/// Reports awaiting review for tasks whose lead unit is in `scope`, oldest first.
pub async fn queue(db: &Db, scope: &Scope, limit: i64) -> DbResult<Vec<Report>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where r.status = 'submitted' and ");
    scope.filter(&mut sql, "t.lead_unit_id", Some("t.created_by"));
    sql.push(" order by r.submitted_at, r.id limit ").int(limit);
    db.all(sql.build()).await
}

async fn check_unit(c: &Caller<'_>, t: &Task, input: &ReportInput) -> AppResult<(i64, String)> {
    let unit_id = if input.unit_id.trim().is_empty() {
        c.who.unit_id
    } else {
        crate::validate::id(&input.unit_id).map_err(|m| FieldErrors::one("unit_id", m))?
    };
    let units = store::task_units(&c.state.db, t.id).await?;
    let Some((_, name, path)) = units.iter().find(|(id, _, _)| *id == unit_id) else {
        return Err(AppError::Conflict(Msg::new("只有牵头单位和配合单位可以报送本任务的进展")));
    };
    c.who.require_on(
        Module::Reform,
        Action::Write,
        Target { unit_id, unit_path: path, owner_id: Some(c.who.account_id) },
    )?;
    Ok((unit_id, name.clone()))
}

async fn insert(
    c: &Caller<'_>,
    t: &Task,
    unit_id: i64,
    f: &ReportFields,
    (version, supersedes): (i64, Option<i64>),
    files: &[Checked],
) -> AppResult<i64> {
    let today = c.today();
    let period = period_of(&t.report_cycle, today);
    let due_on = due_in_period(&t.report_cycle, t.report_day, today);
    let mut tx = c.state.db.begin().await?;
    // A resubmission keeps the punctuality of the report it replaces.
    let on_time = match supersedes {
        Some(old) => {
            tx.scalar::<bool>(Query::new("select on_time from reform_reports where id = $1").bind(old))
                .await?
        }
        None => due_on.is_none_or(|d| today <= d),
    };
    let pending: i64 = tx
        .scalar(
            Query::new("select count(*) from reform_reports where task_id = $1 and unit_id = $2 and status = 'submitted'")
                .bind(t.id)
                .bind(unit_id),
        )
        .await?;
    if pending > 0 {
        return Err(AppError::Conflict(Msg::new("本单位已有一份待审核的进展，请等待审核后再报")));
    }
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into reform_reports (task_id, unit_id, period, percent, content, problems, next_steps, status, \
                 version, supersedes_id, submitted_by, submitted_at, due_on, on_time) \
                 values ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, $9, $10, $11, $12, $13) returning id",
            )
            .bind(t.id)
            .bind(unit_id)
            .bind(period.clone())
            .bind(f.percent)
            .bind(&f.content)
            .bind(&f.problems)
            .bind(&f.next_steps)
            .bind(version)
            .bind(supersedes)
            .bind(c.who.account_id)
            .bind(c.now)
            .bind(due_on)
            .bind(on_time),
        )
        .await?;
    if let Some(old) = supersedes {
        tx.exec(Query::new("update reform_reports set status = 'superseded' where id = $1").bind(old))
            .await?;
    }
    let owner = Owner { kind: "reform_report".into(), id: id.to_string() };
    for file in files {
        save(c, &mut tx, file, &owner).await?;
    }
    tx.exec(Query::new("update reform_tasks set updated_at = $1 where id = $2").bind(c.now).bind(t.id))
        .await?;
    let verb = if version > 1 { "重新报送" } else { "报送" };
    let ev = Event::new("reform.report_submit", "reform_report", id)
        .summary(format!("{verb}“{}”{period}进展：完成{}%", t.title, f.percent))
        .after(f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Submits a progress report for a task, with any attached files.
pub async fn submit(c: &Caller<'_>, task_id: i64, input: &ReportInput, files: &[Checked]) -> AppResult<i64> {
    let t = visible_task(c, task_id).await?;
    if t.status != "active" {
        return Err(AppError::Conflict(Msg::new("只有推进中的任务可以报送进展")));
    }
    let f = input.parse()?;
    let (unit_id, _) = check_unit(c, &t, input).await?;
    insert(c, &t, unit_id, &f, (1, None), files).await
}

/// Resubmits a returned report as its next version.
pub async fn resubmit(
    c: &Caller<'_>,
    report_id: i64,
    input: &ReportInput,
    files: &[Checked],
) -> AppResult<i64> {
    let old = get(&c.state.db, report_id).await?.ok_or(AppError::NotFound)?;
    let t = visible_task(c, old.task_id).await?;
    if old.status != "returned" {
        return Err(AppError::Conflict(Msg::new("只有被退回的进展可以重新报送")));
    }
    let f = input.parse()?;
    let input = ReportInput { unit_id: old.unit_id.to_string(), ..input.clone() };
    let (unit_id, _) = check_unit(c, &t, &input).await?;
    insert(c, &t, unit_id, &f, (old.version + 1, Some(old.id)), files).await
}

async fn reviewable(c: &Caller<'_>, report_id: i64) -> AppResult<(Report, Task)> {
    let r = get(&c.state.db, report_id).await?.ok_or(AppError::NotFound)?;
    let t = store::get(&c.state.db, r.task_id).await?.ok_or(AppError::NotFound)?;
    c.who.require_on(
        Module::Reform,
        Action::Approve,
        Target { unit_id: t.lead_unit_id, unit_path: &t.lead_unit_path, owner_id: t.created_by },
    )?;
    if r.status != "submitted" {
        return Err(AppError::Conflict(Msg::new("该进展已审核")));
    }
    Ok((r, t))
}

/// Accepts a report; the lead unit's report sets the task's progress and colour.
pub async fn accept(c: &Caller<'_>, report_id: i64) -> AppResult<()> {
    let (r, t) = reviewable(c, report_id).await?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new(
            "update reform_reports set status = 'accepted', reviewed_by = $1, reviewed_at = $2 where id = $3",
        )
        .bind(c.who.account_id)
        .bind(c.now)
        .bind(r.id),
    )
    .await?;
    if r.unit_id == t.lead_unit_id {
        let summary: String = r.content.chars().take(500).collect();
        tx.exec(
            Query::new(
                "update reform_tasks set progress = $1, latest_report = $2, updated_at = $3 where id = $4",
            )
            .bind(r.percent)
            .bind(summary)
            .bind(c.now)
            .bind(t.id),
        )
        .await?;
        recolour(c, &mut tx, t.id).await?;
        super::actions::index(c, &mut tx, &[t.id]).await?;
    }
    let link = format!("/reform/tasks/{}", t.id);
    let title = format!("进展已采纳：{}", t.title);
    notify::send(
        &mut tx,
        r.submitted_by,
        &Outgoing { kind: "reform.accepted", title: &title, body: "", link: &link },
        c.now,
    )
    .await?;
    let ev = Event::new("reform.report_accept", "reform_report", r.id)
        .summary(format!("采纳{}报送的“{}”进展（{}%）", r.unit_name, t.title, r.percent));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Returns a report with a reason.
pub async fn send_back(c: &Caller<'_>, report_id: i64, reason: &str) -> AppResult<()> {
    let (r, t) = reviewable(c, report_id).await?;
    let reason = crate::validate::required(reason, 500)
        .map_err(|_| FieldErrors::one("reason", Msg::new("退回须说明原因")))?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new(
            "update reform_reports set status = 'returned', return_reason = $1, reviewed_by = $2, reviewed_at = $3 where id = $4",
        )
        .bind(reason.clone())
        .bind(c.who.account_id)
        .bind(c.now)
        .bind(r.id),
    )
    .await?;
    let link = format!("/reform/tasks/{}", t.id);
    let title = format!("进展被退回：{}", t.title);
    notify::send(
        &mut tx,
        r.submitted_by,
        &Outgoing { kind: "reform.returned", title: &title, body: &reason, link: &link },
        c.now,
    )
    .await?;
    let ev = Event::new("reform.report_return", "reform_report", r.id)
        .summary(format!("退回{}报送的“{}”进展：{reason}", r.unit_name, t.title));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// A report the lead unit owes and has not sent.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Overdue {
    /// Task.
    pub task_id: i64,
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Lead unit.
    pub lead_unit_name: String,
    /// Period owed.
    pub period: String,
    /// When it was due.
    pub due_on: Date,
    /// Days late.
    pub days_late: i64,
}

/// Active tasks in scope whose lead unit has not reported for the current
/// period after its due day.
pub async fn overdue(db: &Db, scope: &Scope, today: Date, limit: usize) -> DbResult<Vec<Overdue>> {
    let mut sql = Sql::new(
        "select t.id, t.code, t.title, lu.name, t.report_cycle, t.report_day from reform_tasks t \
         join units lu on lu.id = t.lead_unit_id where t.status = 'active' and t.report_cycle <> 'none' and ",
    );
    store::visible(&mut sql, scope, None);
    sql.push(" and not exists (select 1 from reform_reports r where r.task_id = t.id and r.unit_id = t.lead_unit_id \
               and r.status <> 'returned' and r.status <> 'superseded' and (r.period = ")
        .bind(period_of("monthly", today))
        .push(" or r.period = ")
        .bind(period_of("quarterly", today))
        .push(")) order by t.code");
    let rows: Vec<(i64, String, String, String, String, i64)> = db.all(sql.build()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(task_id, code, title, lead_unit_name, cycle, day)| {
            let due_on = due_in_period(&cycle, day, today)?;
            let days_late = (today - due_on).whole_days();
            (days_late > 0).then(|| Overdue {
                task_id,
                code,
                title,
                lead_unit_name,
                period: period_of(&cycle, today),
                due_on,
                days_late,
            })
        })
        .take(limit)
        .collect())
}

/// True when the caller may report for some unit of the task.
pub async fn may_report(c: &Caller<'_>, t: &Task) -> AppResult<bool> {
    Ok(t.status == "active" && reaches(c, t, Action::Write).await?)
}
