//! Reform inspections (改革督察, R7): written or on-site, of a set of units,
//! each unit passed or failed; findings name a unit (and perhaps a task) and
//! raise a rectification item with an owner, a deadline and a colour.
//!
//! The reform office (Approve) keeps them. A unit sees the inspections it was
//! part of and only its own findings.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Scope, Target};
use crate::db::{Db, DbResult, Query, Sql};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::rectify::{self, ItemInput};
use crate::validate::{Check, date, id, optional, required};

/// Kinds of inspection.
pub const KINDS: &[(&str, &str)] = &[("written", "书面督察"), ("onsite", "实地督察")];

/// Results for an inspected unit.
pub const RESULTS: &[(&str, &str)] = &[("pending", "待评定"), ("passed", "通过"), ("failed", "未通过")];

/// Label of a code in a (code, label) table.
pub fn label_of(table: &'static [(&'static str, &'static str)], code: &str) -> &'static str {
    table.iter().find(|(c, _)| *c == code).map_or("", |(_, l)| l)
}

/// An inspection as lists show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Inspection {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// `written` or `onsite`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// When.
    pub held_on: Date,
    /// Who inspected.
    pub organizer: String,
    /// What was found overall.
    pub summary: String,
    /// Units inspected.
    pub units: i64,
    /// Of which passed.
    pub passed: i64,
    /// Findings.
    pub findings: i64,
    /// Of which still open.
    pub open_items: i64,
}

const SELECT: &str = "select i.id, i.year, i.kind, i.title, i.held_on, i.organizer, i.summary, \
     (select count(*) from reform_inspection_units iu where iu.inspection_id = i.id) as units, \
     (select count(*) from reform_inspection_units iu where iu.inspection_id = i.id and iu.result = 'passed') as passed, \
     (select count(*) from reform_findings f where f.inspection_id = i.id) as findings, \
     (select count(*) from reform_findings f join rectifications r on r.source_type = 'reform_finding' and r.source_id = f.id \
      where f.inspection_id = i.id and r.status = 'open') as open_items \
     from reform_inspections i";

fn visible(sql: &mut Sql, scope: &Scope) {
    if scope.is_all() {
        sql.push("(1=1)");
        return;
    }
    sql.push("exists (select 1 from reform_inspection_units x where x.inspection_id = i.id and ");
    scope.filter(sql, "x.unit_id", None);
    sql.push(")");
}

/// Inspections of a year in scope, newest first.
pub async fn list(db: &Db, scope: &Scope, year: i64) -> DbResult<Vec<Inspection>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where i.year = ").bind(year).push(" and ");
    visible(&mut sql, scope);
    sql.push(" order by i.held_on desc, i.id desc");
    db.all(sql.build()).await
}

/// An inspected unit.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct InspectedUnit {
    /// Unit.
    pub unit_id: i64,
    /// Name.
    pub name: String,
    /// Path.
    pub path: String,
    /// `pending`, `passed` or `failed`.
    pub result: String,
}

/// A finding with its rectification item.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Finding {
    /// Id.
    pub id: i64,
    /// Unit.
    pub unit_id: i64,
    /// Unit name.
    pub unit_name: String,
    /// Task, if the finding concerns one.
    pub task_id: Option<i64>,
    /// Its code.
    pub task_code: Option<String>,
    /// What was found.
    pub description: String,
    /// The rectification item.
    pub item_id: Option<i64>,
    /// Its deadline.
    pub deadline: Option<Date>,
    /// Its status.
    pub item_status: Option<String>,
    /// Its colour.
    pub colour: Option<String>,
}

/// Loads an inspection the caller may see, with its units and the findings
/// of units in the caller's scope.
pub async fn visible_one(
    c: &Caller<'_>,
    id: i64,
) -> AppResult<(Inspection, Vec<InspectedUnit>, Vec<Finding>)> {
    let scope = c.who.scope(Module::Reform, Action::Read);
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let db = &c.state.db;
    let mut sql = Sql::new(SELECT);
    sql.push(" where i.id = ").bind(id);
    let i: Inspection = db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    let units: Vec<InspectedUnit> = db
        .all(
            Query::new(
                "select iu.unit_id, u.name, u.path, iu.result from reform_inspection_units iu join units u on u.id = iu.unit_id \
                 where iu.inspection_id = $1 order by u.path",
            )
            .bind(id),
        )
        .await?;
    let mine: Vec<i64> = units
        .iter()
        .filter(|u| scope.allows(Target { unit_id: u.unit_id, unit_path: &u.path, owner_id: None }))
        .map(|u| u.unit_id)
        .collect();
    if mine.is_empty() && !scope.is_all() {
        return Err(AppError::Forbidden);
    }
    let mut fsql = Sql::new(
        "select f.id, f.unit_id, u.name as unit_name, f.task_id, t.code as task_code, f.description, r.id as item_id, \
         r.deadline, r.status as item_status, r.colour from reform_findings f join units u on u.id = f.unit_id \
         left join reform_tasks t on t.id = f.task_id \
         left join rectifications r on r.source_type = 'reform_finding' and r.source_id = f.id where f.inspection_id = ",
    );
    fsql.bind(id);
    if !scope.is_all() {
        fsql.push(" and f.unit_id in ").bind_list(mine.iter().copied());
    }
    fsql.push(" order by u.path, f.id");
    let findings = db.all(fsql.build()).await?;
    Ok((i, units, findings))
}

/// An inspection as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InspectionInput {
    /// Title.
    pub title: String,
    /// `written` or `onsite`.
    pub kind: String,
    /// When (the year follows from it).
    pub held_on: String,
    /// Who inspected.
    pub organizer: String,
    /// Overall findings.
    pub summary: String,
    /// Inspected units.
    pub unit_ids: Vec<String>,
}

/// A validated inspection.
#[derive(Clone, Debug, Serialize)]
pub struct InspectionFields {
    title: String,
    kind: String,
    held_on: Date,
    organizer: String,
    summary: String,
    unit_ids: Vec<i64>,
}

impl InspectionInput {
    /// Parses the fields.
    pub fn parse(&self) -> Result<InspectionFields, FieldErrors> {
        let mut c = Check::default();
        let title = c.take("title", required(&self.title, 200));
        let kind = c.take(
            "kind",
            KINDS
                .iter()
                .find(|(k, _)| *k == self.kind.trim())
                .map(|(k, _)| (*k).to_string())
                .ok_or_else(|| Msg::new("请选择督察方式")),
        );
        let held_on = c.take("held_on", date(&self.held_on));
        let organizer = c.take("organizer", optional(&self.organizer, 100));
        let summary = c.take("summary", optional(&self.summary, 5000));
        let mut unit_ids = Vec::new();
        for raw in self.unit_ids.iter().filter(|u| !u.trim().is_empty()) {
            if let Some(u) = c.take("unit_ids", id(raw)) {
                unit_ids.push(u);
            }
        }
        unit_ids.sort_unstable();
        unit_ids.dedup();
        if unit_ids.is_empty() {
            c.fail("unit_ids", Msg::new("请选择被督察单位"));
        }
        c.finish(|| {
            Some(InspectionFields {
                title: title?,
                kind: kind?,
                held_on: held_on?,
                organizer: organizer?,
                summary: summary?,
                unit_ids,
            })
        })
    }
}

async fn check_units(c: &Caller<'_>, ids: &[i64]) -> AppResult<()> {
    for u in ids {
        crate::org::units::actions::check_placement(c, Module::Reform, *u, "unit_ids").await?;
    }
    Ok(())
}

/// Records an inspection.
pub async fn create(c: &Caller<'_>, input: &InspectionInput) -> AppResult<i64> {
    c.who.require(Module::Reform, Action::Approve)?;
    let f = input.parse()?;
    check_units(c, &f.unit_ids).await?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into reform_inspections (year, kind, title, held_on, organizer, summary, created_by, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
            )
            .bind(i64::from(f.held_on.year()))
            .bind(&f.kind)
            .bind(&f.title)
            .bind(f.held_on)
            .bind(&f.organizer)
            .bind(&f.summary)
            .bind(c.who.account_id)
            .bind(c.now),
        )
        .await?;
    for u in &f.unit_ids {
        tx.exec(
            Query::new("insert into reform_inspection_units (inspection_id, unit_id, result) values ($1, $2, 'pending')").bind(id).bind(*u),
        )
        .await?;
    }
    let ev = Event::new("reform.inspection_create", "reform_inspection", id)
        .summary(format!("登记{}“{}”，督察{}个单位", label_of(KINDS, &f.kind), f.title, f.unit_ids.len()))
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

async fn managed(c: &Caller<'_>, id: i64) -> AppResult<(String, Vec<(i64, String, String)>)> {
    c.who.require(Module::Reform, Action::Approve)?;
    let title: Option<(String,)> =
        c.state.db.opt(Query::new("select title from reform_inspections where id = $1").bind(id)).await?;
    let (title,) = title.ok_or(AppError::NotFound)?;
    let units: Vec<(i64, String, String)> = c
        .state
        .db
        .all(
            Query::new("select u.id, u.name, u.path from reform_inspection_units iu join units u on u.id = iu.unit_id where iu.inspection_id = $1")
                .bind(id),
        )
        .await?;
    let scope = c.who.scope(Module::Reform, Action::Approve);
    if !units.iter().all(|(u, _, p)| scope.allows(Target { unit_id: *u, unit_path: p, owner_id: None })) {
        return Err(AppError::Forbidden);
    }
    Ok((title, units))
}

/// Sets an inspected unit's result.
pub async fn set_result(c: &Caller<'_>, id: i64, unit_id: i64, result: &str) -> AppResult<()> {
    let (title, units) = managed(c, id).await?;
    let Some((_, name, _)) = units.iter().find(|(u, _, _)| *u == unit_id) else {
        return Err(FieldErrors::one("unit_id", Msg::new("该单位不在本次督察范围内")).into());
    };
    if !RESULTS.iter().any(|(r, _)| *r == result) {
        return Err(FieldErrors::one("result", Msg::new("请选择督察结果")).into());
    }
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new(
            "update reform_inspection_units set result = $1 where inspection_id = $2 and unit_id = $3",
        )
        .bind(result)
        .bind(id)
        .bind(unit_id),
    )
    .await?;
    let ev = Event::new("reform.inspection_result", "reform_inspection", id)
        .summary(format!("“{title}”中{name}的督察结果：{}", label_of(RESULTS, result)));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// A finding as typed, with its rectification item.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FindingInput {
    /// The unit (one of the inspected).
    pub unit_id: String,
    /// The task it concerns, by code (optional).
    pub task_code: String,
    /// The rectification item.
    #[serde(flatten)]
    pub item: ItemInput,
}

/// Records a finding and raises its rectification item.
pub async fn add_finding(c: &Caller<'_>, id: i64, input: &FindingInput) -> AppResult<i64> {
    let (title, units) = managed(c, id).await?;
    let mut check = Check::default();
    let unit = check.take("unit_id", crate::validate::id(&input.unit_id));
    let item = match input.item.parse() {
        Ok(i) => Some(i),
        Err(e) => {
            for (k, m) in e.0 {
                check.fail(&k, m);
            }
            None
        }
    };
    let code = input.task_code.trim();
    let task_id = if code.is_empty() {
        None
    } else {
        match super::store::by_code(&c.state.db, code).await? {
            Some(t) => Some(t.id),
            None => {
                check.fail("task_code", Msg::new("没有编号为{code}的改革任务").arg("code", code));
                None
            }
        }
    };
    let (unit_id, item) = check.finish(|| Some((unit?, item?)))?;
    let Some((_, unit_name, _)) = units.iter().find(|(u, _, _)| *u == unit_id) else {
        return Err(FieldErrors::one("unit_id", Msg::new("该单位不在本次督察范围内")).into());
    };
    let mut tx = c.state.db.begin().await?;
    let fid: i64 = tx
        .scalar(
            Query::new(
                "insert into reform_findings (inspection_id, unit_id, task_id, description, created_at) values ($1, $2, $3, $4, $5) returning id",
            )
            .bind(id)
            .bind(unit_id)
            .bind(task_id)
            .bind(&item.description)
            .bind(c.now),
        )
        .await?;
    let item_id = rectify::raise(c, &mut tx, ("reform_finding", fid), unit_id, &item).await?;
    let ev = Event::new("reform.finding_add", "reform_inspection", id)
        .summary(format!("“{title}”发现{unit_name}问题，整改时限{}", item.deadline))
        .after(
            &serde_json::json!({ "finding": fid, "rectification": item_id, "description": item.description }),
        );
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(fid)
}

/// Units' inspection record of a year: (unit, inspected, passed).
pub async fn passed_by_unit(db: &Db, year: i64) -> DbResult<Vec<(i64, i64, i64)>> {
    db.all(
        Query::new(
            "select iu.unit_id, count(*), sum(case when iu.result = 'passed' then 1 else 0 end) \
             from reform_inspection_units iu join reform_inspections i on i.id = iu.inspection_id \
             where i.year = $1 and iu.result <> 'pending' group by iu.unit_id",
        )
        .bind(year),
    )
    .await
}
