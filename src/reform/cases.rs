//! Typical cases (典型案例, R8) and pilots (改革试点, R9).
//!
//! A case is cultivated by a unit, then submitted to outlets (the bulletins of
//! the central and provincial reform offices, the city's briefing, the media);
//! each submission has an outcome. The case's stage follows: 培育中 with no
//! submission, 已报送 once sent, 已采用 once any outlet adopted it. Counts per
//! outlet and year come from the submissions.
//!
//! A pilot has a level, a host unit, a period, a mid-term evaluation and an
//! acceptance. Units see their own cases and pilots; units with reform Write
//! propose cases for their own unit; the reform office records submissions,
//! keeps pilots and evaluates them.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Scope, Target};
use crate::db::{Db, DbResult, Query, Sql};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::{Check, date, id, optional, optional_date, required};

/// Case stages.
pub const STAGES: &[(&str, &str)] =
    &[("cultivating", "培育中"), ("submitted", "已报送"), ("adopted", "已采用")];
/// Submission outcomes.
pub const OUTCOMES: &[(&str, &str)] = &[("pending", "待反馈"), ("adopted", "已采用"), ("declined", "未采用")];
/// Pilot levels.
pub const LEVELS: &[(&str, &str)] = &[("national", "国家级"), ("provincial", "省级"), ("city", "市级")];
/// Pilot acceptance.
pub const ACCEPTANCE: &[(&str, &str)] =
    &[("pending", "未验收"), ("passed", "验收通过"), ("failed", "验收未通过")];

fn pick(table: &'static [(&'static str, &'static str)], raw: &str, msg: &'static str) -> Result<String, Msg> {
    table.iter().find(|(c, _)| *c == raw.trim()).map(|(c, _)| (*c).to_string()).ok_or_else(|| Msg::new(msg))
}

/// A case as lists show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Case {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Title.
    pub title: String,
    /// Unit.
    pub unit_id: i64,
    /// Unit name.
    pub unit_name: String,
    /// Unit path.
    pub unit_path: String,
    /// Task (code), if any.
    pub task_code: Option<String>,
    /// `cultivating`, `submitted` or `adopted`.
    pub stage: String,
    /// Summary.
    pub summary: String,
    /// Submissions.
    pub submissions: i64,
    /// Of which adopted.
    pub adopted: i64,
}

const CASE_SELECT: &str = "select c.id, c.year, c.title, c.unit_id, u.name as unit_name, u.path as unit_path, t.code as task_code, \
     c.stage, c.summary, \
     (select count(*) from reform_case_submissions s where s.case_id = c.id) as submissions, \
     (select count(*) from reform_case_submissions s where s.case_id = c.id and s.outcome = 'adopted') as adopted \
     from reform_cases c join units u on u.id = c.unit_id left join reform_tasks t on t.id = c.task_id";

/// Cases of a year in scope.
pub async fn list_cases(db: &Db, scope: &Scope, year: i64, stage: &str) -> DbResult<Vec<Case>> {
    let mut sql = Sql::new(CASE_SELECT);
    sql.push(" where c.year = ").bind(year).push(" and ");
    scope.filter(&mut sql, "c.unit_id", Some("c.created_by"));
    if !stage.is_empty() {
        sql.push(" and c.stage = ").bind(stage.to_string());
    }
    sql.push(" order by c.id desc");
    db.all(sql.build()).await
}

/// A submission of a case.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Submission {
    /// Id.
    pub id: i64,
    /// Case.
    pub case_id: i64,
    /// Outlet code.
    pub outlet: String,
    /// Outlet label.
    pub outlet_label: String,
    /// Sent on.
    pub submitted_on: Date,
    /// `pending`, `adopted` or `declined`.
    pub outcome: String,
    /// When the outcome came.
    pub outcome_on: Option<Date>,
    /// Note.
    pub note: String,
}

/// Submissions of the given cases.
pub async fn submissions(db: &Db, case_ids: &[i64]) -> DbResult<Vec<Submission>> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "select s.id, s.case_id, s.outlet, coalesce(d.label, s.outlet) as outlet_label, s.submitted_on, s.outcome, s.outcome_on, s.note \
         from reform_case_submissions s left join dict_items d on d.type_code = 'reform_outlet' and d.code = s.outlet where s.case_id in ",
    );
    sql.bind_list(case_ids.iter().copied()).push(" order by s.submitted_on, s.id");
    db.all(sql.build()).await
}

/// Submissions per outlet in a year: (outlet label, sent, adopted).
pub async fn outlet_counts(db: &Db, scope: &Scope, year: i64) -> DbResult<Vec<(String, i64, i64)>> {
    let (lo, hi) = super::assessment::year_bounds(year);
    let mut sql = Sql::new(
        "select coalesce(d.label, s.outlet), count(*), sum(case when s.outcome = 'adopted' then 1 else 0 end) \
         from reform_case_submissions s join reform_cases c on c.id = s.case_id \
         left join dict_items d on d.type_code = 'reform_outlet' and d.code = s.outlet where s.submitted_on >= ",
    );
    sql.bind(lo).push(" and s.submitted_on < ").bind(hi).push(" and ");
    scope.filter(&mut sql, "c.unit_id", Some("c.created_by"));
    sql.push(" group by coalesce(d.label, s.outlet), coalesce(d.sort_order, 999) order by coalesce(d.sort_order, 999)");
    db.all(sql.build()).await
}

/// Adopted submissions per unit in a year (for the assessment).
pub async fn adopted_by_unit(db: &Db, year: i64) -> DbResult<Vec<(i64, i64)>> {
    let (lo, hi) = super::assessment::year_bounds(year);
    db.all(
        Query::new(
            "select c.unit_id, count(*) from reform_case_submissions s join reform_cases c on c.id = s.case_id \
             where s.outcome = 'adopted' and s.outcome_on >= $1 and s.outcome_on < $2 group by c.unit_id",
        )
        .bind(lo)
        .bind(hi),
    )
    .await
}

/// A case as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CaseInput {
    /// Title.
    pub title: String,
    /// Year.
    pub year: String,
    /// Unit (default: one's own).
    pub unit_id: String,
    /// Task code (optional).
    pub task_code: String,
    /// What the case shows.
    pub summary: String,
}

/// Proposes a case for a unit.
pub async fn create_case(c: &Caller<'_>, input: &CaseInput) -> AppResult<i64> {
    c.who.require(Module::Reform, Action::Write)?;
    let mut check = Check::default();
    let title = check.take("title", required(&input.title, 200));
    let year = check.take(
        "year",
        input
            .year
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| Msg::new("请填写有效的年度")),
    );
    let unit = if input.unit_id.trim().is_empty() {
        Some(c.who.unit_id)
    } else {
        check.take("unit_id", id(&input.unit_id))
    };
    let summary = check.take("summary", optional(&input.summary, 5000));
    let task_id = match input.task_code.trim() {
        "" => None,
        code => match super::store::by_code(&c.state.db, code).await? {
            Some(t) => Some(t.id),
            None => {
                check.fail("task_code", Msg::new("没有编号为{code}的改革任务").arg("code", code));
                None
            }
        },
    };
    let (title, year, unit, summary) = check.finish(|| Some((title?, year?, unit?, summary?)))?;
    let path: Option<(String,)> = c
        .state
        .db
        .opt(Query::new("select path from units where id = $1 and status = 'active'").bind(unit))
        .await?;
    let Some((path,)) = path else {
        return Err(FieldErrors::one("unit_id", Msg::new("单位不存在或已停用")).into());
    };
    c.who.require_on(
        Module::Reform,
        Action::Write,
        Target { unit_id: unit, unit_path: &path, owner_id: None },
    )?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into reform_cases (year, title, unit_id, task_id, stage, summary, created_by, created_at, updated_at) \
                 values ($1, $2, $3, $4, 'cultivating', $5, $6, $7, $7) returning id",
            )
            .bind(year)
            .bind(title.clone())
            .bind(unit)
            .bind(task_id)
            .bind(summary)
            .bind(c.who.account_id)
            .bind(c.now),
        )
        .await?;
    let ev = Event::new("reform.case_create", "reform_case", id).summary(format!("培育典型案例“{title}”"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

async fn managed_case(c: &Caller<'_>, case_id: i64) -> AppResult<Case> {
    let mut sql = Sql::new(CASE_SELECT);
    sql.push(" where c.id = ").bind(case_id);
    let case: Case = c.state.db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    c.who.require_on(
        Module::Reform,
        Action::Approve,
        Target { unit_id: case.unit_id, unit_path: &case.unit_path, owner_id: None },
    )?;
    Ok(case)
}

/// The stage a case's submissions put it in.
pub fn stage_of(outcomes: &[&str]) -> &'static str {
    if outcomes.contains(&"adopted") {
        "adopted"
    } else if outcomes.is_empty() {
        "cultivating"
    } else {
        "submitted"
    }
}

async fn restage(tx: &mut crate::db::Tx, case_id: i64, now: crate::clock::Ts) -> AppResult<()> {
    let outcomes: Vec<(String,)> = tx
        .all(Query::new("select outcome from reform_case_submissions where case_id = $1").bind(case_id))
        .await?;
    let outcomes: Vec<&str> = outcomes.iter().map(|(o,)| o.as_str()).collect();
    tx.exec(
        Query::new("update reform_cases set stage = $1, updated_at = $2 where id = $3")
            .bind(stage_of(&outcomes))
            .bind(now)
            .bind(case_id),
    )
    .await?;
    Ok(())
}

/// A submission as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SubmissionInput {
    /// Outlet (a code of the `reform_outlet` dictionary).
    pub outlet: String,
    /// Sent on.
    pub submitted_on: String,
    /// Note.
    pub note: String,
}

/// Records that a case was sent to an outlet.
pub async fn submit_case(c: &Caller<'_>, case_id: i64, input: &SubmissionInput) -> AppResult<i64> {
    let case = managed_case(c, case_id).await?;
    let mut check = Check::default();
    let outlet = check.take("outlet", required(&input.outlet, 32));
    let on = check.take("submitted_on", date(&input.submitted_on));
    let note = check.take("note", optional(&input.note, 500));
    let (outlet, on, note) = check.finish(|| Some((outlet?, on?, note?)))?;
    if !crate::dicts::store::is_enabled(&c.state.db, "reform_outlet", &outlet).await? {
        return Err(FieldErrors::one("outlet", Msg::new("请选择报送渠道")).into());
    }
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into reform_case_submissions (case_id, outlet, submitted_on, note, created_at) values ($1, $2, $3, $4, $5) returning id",
            )
            .bind(case_id)
            .bind(outlet.clone())
            .bind(on)
            .bind(note)
            .bind(c.now),
        )
        .await?;
    restage(&mut tx, case_id, c.now).await?;
    let ev = Event::new("reform.case_submit", "reform_case", case_id)
        .summary(format!("典型案例“{}”报送{outlet}", case.title));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Records an outlet's answer.
pub async fn record_outcome(c: &Caller<'_>, submission_id: i64, outcome: &str, on: &str) -> AppResult<()> {
    let row: Option<(i64,)> = c
        .state
        .db
        .opt(Query::new("select case_id from reform_case_submissions where id = $1").bind(submission_id))
        .await?;
    let (case_id,) = row.ok_or(AppError::NotFound)?;
    let case = managed_case(c, case_id).await?;
    let mut check = Check::default();
    let outcome = check.take("outcome", pick(OUTCOMES, outcome, "请选择采用情况"));
    let on = check.take("outcome_on", optional_date(on).map(|d| d.unwrap_or_else(|| c.today())));
    let (outcome, on) = check.finish(|| Some((outcome?, on?)))?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update reform_case_submissions set outcome = $1, outcome_on = $2 where id = $3")
            .bind(outcome.clone())
            .bind(on)
            .bind(submission_id),
    )
    .await?;
    restage(&mut tx, case_id, c.now).await?;
    let label = OUTCOMES.iter().find(|(k, _)| *k == outcome).map_or("", |(_, l)| l);
    let ev = Event::new("reform.case_outcome", "reform_case", case_id)
        .summary(format!("典型案例“{}”报送结果：{label}", case.title));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// A pilot.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Pilot {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// `national`, `provincial` or `city`.
    pub level: String,
    /// Host unit.
    pub host_unit_id: i64,
    /// Its name.
    pub host_unit_name: String,
    /// Its path.
    pub host_unit_path: String,
    /// Task (code), if any.
    pub task_code: Option<String>,
    /// Start.
    pub start_on: Date,
    /// End.
    pub end_on: Option<Date>,
    /// Mid-term evaluation date.
    pub midterm_on: Option<Date>,
    /// Mid-term evaluation result.
    pub midterm_result: String,
    /// `pending`, `passed` or `failed`.
    pub acceptance: String,
    /// Accepted on.
    pub accepted_on: Option<Date>,
    /// Note.
    pub note: String,
}

const PILOT_SELECT: &str = "select p.id, p.title, p.level, p.host_unit_id, u.name as host_unit_name, u.path as host_unit_path, \
     t.code as task_code, p.start_on, p.end_on, p.midterm_on, p.midterm_result, p.acceptance, p.accepted_on, p.note \
     from reform_pilots p join units u on u.id = p.host_unit_id left join reform_tasks t on t.id = p.task_id";

/// Pilots in scope, by level.
pub async fn list_pilots(db: &Db, scope: &Scope, level: &str) -> DbResult<Vec<Pilot>> {
    let mut sql = Sql::new(PILOT_SELECT);
    sql.push(" where ");
    scope.filter(&mut sql, "p.host_unit_id", Some("p.created_by"));
    if !level.is_empty() {
        sql.push(" and p.level = ").bind(level.to_string());
    }
    sql.push(" order by case p.level when 'national' then 0 when 'provincial' then 1 else 2 end, p.start_on desc, p.id");
    db.all(sql.build()).await
}

/// A pilot as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PilotInput {
    /// Title.
    pub title: String,
    /// Level.
    pub level: String,
    /// Host unit.
    pub host_unit_id: String,
    /// Task code (optional).
    pub task_code: String,
    /// Start.
    pub start_on: String,
    /// End (optional).
    pub end_on: String,
    /// Note.
    pub note: String,
}

/// Registers a pilot.
pub async fn create_pilot(c: &Caller<'_>, input: &PilotInput) -> AppResult<i64> {
    c.who.require(Module::Reform, Action::Approve)?;
    let mut check = Check::default();
    let title = check.take("title", required(&input.title, 200));
    let level = check.take("level", pick(LEVELS, &input.level, "请选择试点层级"));
    let host = check.take("host_unit_id", id(&input.host_unit_id));
    let start = check.take("start_on", date(&input.start_on));
    let end = check.take("end_on", optional_date(&input.end_on));
    let note = check.take("note", optional(&input.note, 2000));
    if let (Some(s), Some(Some(e))) = (start, end)
        && e < s
    {
        check.fail("end_on", Msg::new("结束日期不能早于开始日期"));
    }
    let task_id = match input.task_code.trim() {
        "" => None,
        code => match super::store::by_code(&c.state.db, code).await? {
            Some(t) => Some(t.id),
            None => {
                check.fail("task_code", Msg::new("没有编号为{code}的改革任务").arg("code", code));
                None
            }
        },
    };
    let (title, level, host, start, end, note) =
        check.finish(|| Some((title?, level?, host?, start?, end?, note?)))?;
    crate::org::units::actions::check_placement(c, Module::Reform, host, "host_unit_id").await?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into reform_pilots (title, level, host_unit_id, task_id, start_on, end_on, note, created_by, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning id",
            )
            .bind(title.clone())
            .bind(level)
            .bind(host)
            .bind(task_id)
            .bind(start)
            .bind(end)
            .bind(note)
            .bind(c.who.account_id)
            .bind(c.now),
        )
        .await?;
    let ev = Event::new("reform.pilot_create", "reform_pilot", id).summary(format!("登记改革试点“{title}”"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// An evaluation of a pilot: mid-term (`midterm`) or acceptance (`acceptance`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PilotEvaluation {
    /// `midterm` or `acceptance`.
    pub kind: String,
    /// When.
    pub on: String,
    /// Mid-term: the result in words. Acceptance: `passed` or `failed`.
    pub result: String,
}

/// Records a mid-term evaluation or the acceptance.
pub async fn evaluate_pilot(c: &Caller<'_>, pilot_id: i64, input: &PilotEvaluation) -> AppResult<()> {
    let mut sql = Sql::new(PILOT_SELECT);
    sql.push(" where p.id = ").bind(pilot_id);
    let p: Pilot = c.state.db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    c.who.require_on(
        Module::Reform,
        Action::Approve,
        Target { unit_id: p.host_unit_id, unit_path: &p.host_unit_path, owner_id: None },
    )?;
    let mut check = Check::default();
    let on = check.take("on", date(&input.on));
    let (query, summary) = match input.kind.as_str() {
        "midterm" => {
            let r = check.take("result", required(&input.result, 500));
            let on = check.finish(|| Some((on?, r?)))?;
            (
                Query::new("update reform_pilots set midterm_on = $1, midterm_result = $2, updated_at = $3 where id = $4")
                    .bind(on.0)
                    .bind(on.1.clone())
                    .bind(c.now)
                    .bind(pilot_id),
                format!("试点“{}”中期评估：{}", p.title, on.1),
            )
        }
        "acceptance" => {
            if p.acceptance != "pending" {
                return Err(AppError::Conflict(Msg::new("该试点已验收")));
            }
            let r = check.take("result", pick(&ACCEPTANCE[1..], &input.result, "请选择验收结论"));
            let (on, r) = check.finish(|| Some((on?, r?)))?;
            let label = ACCEPTANCE.iter().find(|(k, _)| *k == r).map_or("", |(_, l)| l);
            (
                Query::new("update reform_pilots set acceptance = $1, accepted_on = $2, updated_at = $3 where id = $4")
                    .bind(r.clone())
                    .bind(on)
                    .bind(c.now)
                    .bind(pilot_id),
                format!("试点“{}”{label}", p.title),
            )
        }
        _ => return Err(FieldErrors::one("kind", Msg::new("请选择评估类型")).into()),
    };
    let mut tx = c.state.db.begin().await?;
    tx.exec(query).await?;
    let ev = Event::new("reform.pilot_evaluate", "reform_pilot", pilot_id).summary(summary);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}
