//! Reform task SQL: the row, the visibility filter, lists and counts, writes.
//! One file on purpose: the list, its counts, the export and the writes share
//! `SELECT`, `filter_where` and `involving`, which must stay in step.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::model::TaskFields;
use crate::authz::Scope;
use crate::clock::Ts;
use crate::db::{Arg, Db, DbResult, Query, Sql, Tx};
use crate::web::list::Paging;

/// A task as lists and pages show it.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Task {
    /// Id.
    pub id: i64,
    /// Year of the list.
    pub year: i64,
    /// 任务编号.
    pub code: String,
    /// 任务名称.
    pub title: String,
    /// Source code.
    pub source: String,
    /// Source label.
    pub source_label: String,
    /// Field code.
    pub field: String,
    /// Field label.
    pub field_label: String,
    /// Lead unit.
    pub lead_unit_id: i64,
    /// Lead unit name.
    pub lead_unit_name: String,
    /// Lead unit path (scope checks).
    pub lead_unit_path: String,
    /// Leader in charge (account).
    pub leader_account_id: Option<i64>,
    /// Leader in charge, as shown.
    pub leader: String,
    /// Goals.
    pub goals: String,
    /// Expected outputs.
    pub outputs: String,
    /// Start.
    pub start_on: Date,
    /// Deadline (none: open-ended).
    pub deadline: Option<Date>,
    /// Stage code.
    pub stage: String,
    /// `active`, `done`, `suspended` or `cancelled`.
    pub status: String,
    /// Percent done (from the last accepted report of the lead unit).
    pub progress: i64,
    /// When it was finished.
    pub finished_on: Option<Date>,
    /// Colour code.
    pub colour: String,
    /// Why that colour.
    pub colour_reason: String,
    /// Report cycle.
    pub report_cycle: String,
    /// Report day of month.
    pub report_day: i64,
    /// The last accepted progress summary.
    pub latest_report: String,
    /// Cooperating units, joined with “、”.
    pub units: String,
    /// Tags, joined with “、”.
    pub tags: String,
    /// Creating account.
    pub created_by: Option<i64>,
    /// Last change.
    pub updated_at: Ts,
}

const SELECT: &str = "select t.id, t.year, t.code, t.title, t.source, coalesce(ds.label, t.source) as source_label, \
     t.field, coalesce(df.label, t.field) as field_label, t.lead_unit_id, lu.name as lead_unit_name, \
     lu.path as lead_unit_path, t.leader_account_id, coalesce(la.display_name, t.leader_name) as leader, \
     t.goals, t.outputs, t.start_on, t.deadline, t.stage, t.status, t.progress, t.finished_on, t.colour, t.colour_reason, \
     t.report_cycle, t.report_day, t.latest_report, \
     coalesce((select string_agg(cu.name, '、' order by cu.path) from reform_task_units tu join units cu on cu.id = tu.unit_id \
               where tu.task_id = t.id), '') as units, \
     coalesce((select string_agg(tg.tag, '、' order by tg.tag) from reform_task_tags tg where tg.task_id = t.id), '') as tags, \
     t.created_by, t.updated_at \
     from reform_tasks t join units lu on lu.id = t.lead_unit_id \
     left join accounts la on la.id = t.leader_account_id \
     left join dict_items ds on ds.type_code = 'reform_source' and ds.code = t.source \
     left join dict_items df on df.type_code = 'reform_field' and df.code = t.field";

/// Limits rows to tasks whose lead unit or a cooperating unit lies in `scope`;
/// `year`, when the caller filters by one, narrows the cooperating side to it.
pub fn visible(sql: &mut Sql, scope: &Scope, year: Option<i64>) {
    if scope.is_all() {
        sql.push("(1=1)");
        return;
    }
    involving(sql, year, |sql, unit, owner| scope.filter(sql, unit, owner));
}

/// `t.id in (…)` the tasks of which `unit_cond` holds for the lead unit (with
/// the creator as owner) or a cooperating unit. Each side of the union is one
/// index range (`reform_tasks_lead`, `reform_task_units_year`) where a plain
/// `or` would test every task of the year against both.
fn involving(
    sql: &mut Sql,
    year: Option<i64>,
    unit_cond: impl Fn(&mut Sql, &'static str, Option<&'static str>),
) {
    sql.push("t.id in (select r.id from reform_tasks r where ");
    if let Some(y) = year {
        sql.push("r.year = ").bind(y).push(" and ");
    }
    unit_cond(sql, "r.lead_unit_id", Some("r.created_by"));
    sql.push(" union all select x.task_id from reform_task_units x where ");
    if let Some(y) = year {
        sql.push("x.year = ").bind(y).push(" and ");
    }
    unit_cond(sql, "x.unit_id", None);
    sql.push(")");
}

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct TaskFilter {
    /// Year.
    pub year: String,
    /// Source code.
    pub source: String,
    /// Field code.
    pub field: String,
    /// Lead unit id.
    pub lead: String,
    /// Any unit involved (lead or cooperating), or a unit below it.
    pub unit: String,
    /// Colour code.
    pub colour: String,
    /// Stage code.
    pub stage: String,
    /// Leader account id.
    pub leader: String,
    /// Tag.
    pub tag: String,
    /// Part of the title or code.
    pub q: String,
    /// `active` (default), `done`, `suspended`, `cancelled` or `all`.
    pub status: String,
    /// Paging and sorting.
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: Paging,
}

fn filter_where(sql: &mut Sql, scope: &Scope, f: &TaskFilter, with_colour: bool) {
    let year = f.year.trim().parse::<i64>().ok();
    sql.push(" where ");
    visible(sql, scope, year);
    if let Some(y) = year {
        sql.push(" and t.year = ").bind(y);
    }
    for (value, col) in [(&f.source, "t.source"), (&f.field, "t.field"), (&f.stage, "t.stage")] {
        if !value.trim().is_empty() {
            sql.push(" and ").push(col).push(" = ").bind(value.trim().to_string());
        }
    }
    if with_colour && !f.colour.trim().is_empty() {
        sql.push(" and t.colour = ").bind(f.colour.trim().to_string());
    }
    if let Ok(u) = f.lead.trim().parse::<i64>() {
        sql.push(" and t.lead_unit_id = ").bind(u);
    }
    if let Ok(u) = f.unit.trim().parse::<i64>() {
        // The unit and every unit below it (a county with its towns), as lead or
        // cooperating unit. The upper bound is the path's subtree range, as
        // `authz::subtree_range` computes it, written in SQL.
        sql.push(" and ");
        involving(sql, year, |sql, col, _| {
            sql.push(col).push(" in (select b.id from units b join units p on p.id = ").bind(u);
            sql.push(" where b.path >= p.path and b.path < substr(p.path, 1, length(p.path) - 1) || '0')");
        });
    }
    if let Ok(l) = f.leader.trim().parse::<i64>() {
        sql.push(" and t.leader_account_id = ").bind(l);
    }
    if !f.tag.trim().is_empty() {
        sql.push(" and exists (select 1 from reform_task_tags g where g.task_id = t.id and g.tag = ")
            .bind(f.tag.trim().to_string())
            .push(")");
    }
    let q = f.q.trim();
    if !q.is_empty() {
        sql.push(" and (t.title like ").bind_contains(q).push(" or t.code like ").bind_contains(q).push(")");
    }
    match f.status.as_str() {
        "all" => {}
        s @ ("done" | "suspended" | "cancelled") => {
            sql.push(" and t.status = ").bind(s.to_string());
        }
        _ => {
            sql.push(" and t.status <> 'cancelled'");
        }
    }
}

/// Sort keys of the list.
pub const SORTS: &[(&str, &str)] = &[
    ("code", "t.code"),
    ("deadline", "t.deadline"),
    ("colour", "case t.colour when 'red' then 0 when 'yellow' then 1 when 'green' then 2 else 3 end"),
    ("progress", "t.progress"),
    ("updated", "t.updated_at"),
];

/// The ids of a page of tasks in scope. The page's ids first, then its rows by
/// id ([`by_ids`]): names, cooperating units and tags are put together for 25
/// rows, not every match (SQLite builds every row before sorting), and each
/// statement stays cheap for PostgreSQL to plan.
pub async fn page_ids(db: &Db, scope: &Scope, f: &TaskFilter) -> DbResult<Vec<i64>> {
    let mut ids = Sql::new("select t.id from reform_tasks t");
    filter_where(&mut ids, scope, f, true);
    f.paging.order_and_limit(&mut ids, SORTS, "t.id");
    let ids: Vec<(i64,)> = db.all(ids.build()).await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// The tasks with the given ids, in the filter's order.
pub async fn by_ids(db: &Db, ids: &[i64], f: &TaskFilter) -> DbResult<Vec<Task>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(SELECT);
    sql.push(" where t.id in ").bind_list(ids.iter().copied());
    f.paging.order(&mut sql, SORTS, "t.id");
    db.all(sql.build()).await
}

/// How many tasks of each colour match the filter (ignoring its colour).
pub async fn colour_counts(db: &Db, scope: &Scope, f: &TaskFilter) -> DbResult<Vec<(String, i64)>> {
    let mut sql = Sql::new("select t.colour, count(*) from reform_tasks t");
    filter_where(&mut sql, scope, f, false);
    sql.push(" group by t.colour");
    db.all(sql.build()).await
}

/// Every matching task in scope, in code order (the ledger export).
pub async fn all(db: &Db, scope: &Scope, f: &TaskFilter, limit: i64) -> DbResult<Vec<Task>> {
    let mut sql = Sql::new(SELECT);
    filter_where(&mut sql, scope, f, true);
    sql.push(" order by t.code limit ").int(limit);
    db.all(sql.build()).await
}

/// The cooperating units of every matching task in scope, as (task, unit), in
/// the order of the units' paths (the ledger export).
pub async fn cooperating(db: &Db, scope: &Scope, f: &TaskFilter) -> DbResult<Vec<(i64, i64)>> {
    let mut sql = Sql::new(
        "select tu.task_id, tu.unit_id from reform_task_units tu join units u on u.id = tu.unit_id \
         where tu.task_id in (select t.id from reform_tasks t",
    );
    filter_where(&mut sql, scope, f, true);
    sql.push(") order by tu.task_id, u.path");
    db.all(sql.build()).await
}

/// One task.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Task>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where t.id = ").bind(id);
    db.opt(sql.build()).await
}

/// One task by code.
pub async fn by_code(db: &Db, code: &str) -> DbResult<Option<Task>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where t.code = ").bind(code.to_string());
    db.opt(sql.build()).await
}

/// Tasks with the given codes.
pub async fn by_codes(db: &Db, codes: &[String]) -> DbResult<Vec<Task>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(SELECT);
    sql.push(" where t.code in ").bind_list(codes.iter().cloned());
    db.all(sql.build()).await
}

/// Units of a task: the lead unit first, then the cooperating ones, with paths.
pub async fn task_units(db: &Db, task_id: i64) -> DbResult<Vec<(i64, String, String)>> {
    db.all(
        Query::new(
            "select u.id, u.name, u.path from reform_tasks t join units u on u.id = t.lead_unit_id where t.id = $1 \
             union all select u.id, u.name, u.path from reform_task_units tu join units u on u.id = tu.unit_id \
             where tu.task_id = $1",
        )
        .bind(task_id),
    )
    .await
}

async fn set_children(tx: &mut Tx, id: i64, f: &TaskFields) -> DbResult<()> {
    tx.exec(Query::new("delete from reform_task_units where task_id = $1").bind(id)).await?;
    tx.exec(Query::new("delete from reform_task_tags where task_id = $1").bind(id)).await?;
    add_children(tx, id, f).await
}

async fn add_children(tx: &mut Tx, id: i64, f: &TaskFields) -> DbResult<()> {
    add_children_of(tx, &[(id, f)]).await
}

/// The cooperating units and tags of several tasks, one statement for each.
async fn add_children_of(tx: &mut Tx, tasks: &[(i64, &TaskFields)]) -> DbResult<()> {
    let mut units = Sql::new("insert into reform_task_units (task_id, unit_id, year) values ");
    let mut tags = Sql::new("insert into reform_task_tags (task_id, tag) values ");
    let (mut n_units, mut n_tags) = (0, 0);
    for (id, f) in tasks {
        for u in &f.unit_ids {
            units.push(if n_units == 0 { "(" } else { ", (" }).bind(*id).push(", ").bind(*u).push(", ");
            units.bind(f.year).push(")");
            n_units += 1;
        }
        for t in &f.tags {
            tags.push(if n_tags == 0 { "(" } else { ", (" }).bind(*id).push(", ").bind(t.clone()).push(")");
            n_tags += 1;
        }
    }
    if n_units > 0 {
        tx.exec(units.build()).await?;
    }
    if n_tags > 0 {
        tx.exec(tags.build()).await?;
    }
    Ok(())
}

/// A task to insert: its defining fields and where it starts.
pub struct NewTask<'a> {
    /// The defining fields.
    pub fields: &'a TaskFields,
    /// The code from a ledger; without one the code is `year-id`.
    pub code: Option<&'a str>,
    /// Stage code.
    pub stage: &'a str,
    /// Percent done.
    pub progress: i64,
    /// Set for a task that arrives finished (`done`); others start `active`.
    pub finished_on: Option<Date>,
    /// The progress summary it arrives with.
    pub latest_report: &'a str,
}

/// Tasks in one multi-row statement: a ledger import of thousands of new rows
/// costs a few round trips per hundred tasks, not several per task.
const INSERT_CHUNK: usize = 200;

/// Inserts a task at `stage` with `progress`; the code is `year-id` unless given.
pub async fn insert(
    tx: &mut Tx,
    f: &TaskFields,
    code: Option<&str>,
    stage: &str,
    progress: i64,
    by: Option<i64>,
    now: Ts,
) -> DbResult<i64> {
    let task = NewTask { fields: f, code, stage, progress, finished_on: None, latest_report: "" };
    let ids = insert_many(tx, &[task], by, now).await?;
    ids.first().copied().ok_or(sqlx::Error::RowNotFound)
}

/// Inserts tasks with their cooperating units and tags; their ids in order.
pub async fn insert_many(tx: &mut Tx, tasks: &[NewTask<'_>], by: Option<i64>, now: Ts) -> DbResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(tasks.len());
    for chunk in tasks.chunks(INSERT_CHUNK) {
        // A row without a given code takes a unique stand-in until its id is
        // known; the stand-ins also tie the returned ids to the rows.
        let codes: Vec<String> = chunk
            .iter()
            .map(|t| {
                t.code.map_or_else(
                    || format!("pending-{}", crate::auth::session::random_token()),
                    str::to_string,
                )
            })
            .collect();
        let mut sql = Sql::new(
            "insert into reform_tasks (year, code, title, source, field, lead_unit_id, leader_account_id, leader_name, \
             goals, outputs, start_on, deadline, stage, status, progress, finished_on, latest_report, report_cycle, \
             report_day, created_by, created_at, updated_at) values ",
        );
        for (i, (t, code)) in chunk.iter().zip(&codes).enumerate() {
            let f = t.fields;
            let status = if t.finished_on.is_some() { "done" } else { "active" };
            let row: [Arg; 22] = [
                f.year.into(),
                code.clone().into(),
                f.title.clone().into(),
                f.source.clone().into(),
                f.field.clone().into(),
                f.lead_unit_id.into(),
                f.leader_account_id.into(),
                f.leader_name.clone().into(),
                f.goals.clone().into(),
                f.outputs.clone().into(),
                f.start_on.into(),
                f.deadline.into(),
                t.stage.into(),
                status.into(),
                t.progress.into(),
                t.finished_on.into(),
                t.latest_report.into(),
                f.report_cycle.clone().into(),
                f.report_day.into(),
                by.into(),
                now.into(),
                now.into(),
            ];
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, arg) in row.into_iter().enumerate() {
                sql.push(if j == 0 { "" } else { ", " }).bind(arg);
            }
            sql.push(")");
        }
        sql.push(" returning id, code");
        let rows: Vec<(i64, String)> = tx.all(sql.build()).await?;
        let by_code: HashMap<String, i64> = rows.into_iter().map(|(id, code)| (code, id)).collect();
        let chunk_ids = codes
            .iter()
            .map(|c| by_code.get(c).copied())
            .collect::<Option<Vec<i64>>>()
            .ok_or(sqlx::Error::RowNotFound)?;
        let mut coded = Sql::new("update reform_tasks set code = v.column2 from (values ");
        let mut n = 0;
        for (t, id) in chunk.iter().zip(&chunk_ids) {
            if t.code.is_none() {
                coded.push(if n == 0 { "(" } else { ", (" }).bind(*id).push(", ");
                coded.bind(format!("{}-{id:05}", t.fields.year)).push(")");
                n += 1;
            }
        }
        if n > 0 {
            coded.push(") as v where reform_tasks.id = v.column1");
            tx.exec(coded.build()).await?;
        }
        let children: Vec<(i64, &TaskFields)> =
            chunk_ids.iter().copied().zip(chunk.iter().map(|t| t.fields)).collect();
        add_children_of(tx, &children).await?;
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// Updates a task's defining fields (not its stage, progress or colour).
pub async fn update(tx: &mut Tx, id: i64, f: &TaskFields, now: Ts) -> DbResult<()> {
    tx.exec(
        Query::new(
            "update reform_tasks set year = $1, title = $2, source = $3, field = $4, lead_unit_id = $5, \
             leader_account_id = $6, leader_name = $7, goals = $8, outputs = $9, start_on = $10, deadline = $11, \
             report_cycle = $12, report_day = $13, updated_at = $14 where id = $15",
        )
        .bind(f.year)
        .bind(&f.title)
        .bind(&f.source)
        .bind(&f.field)
        .bind(f.lead_unit_id)
        .bind(f.leader_account_id)
        .bind(&f.leader_name)
        .bind(&f.goals)
        .bind(&f.outputs)
        .bind(f.start_on)
        .bind(f.deadline)
        .bind(&f.report_cycle)
        .bind(f.report_day)
        .bind(now)
        .bind(id),
    )
    .await?;
    set_children(tx, id, f).await
}

/// A milestone row.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MilestoneRow {
    /// Id.
    pub id: i64,
    /// Task.
    pub task_id: i64,
    /// Name.
    pub name: String,
    /// Due.
    pub due_on: Date,
    /// Reached.
    pub done_on: Option<Date>,
}

/// A task's milestones by due date.
pub async fn milestones(db: &Db, task_id: i64) -> DbResult<Vec<MilestoneRow>> {
    db.all(
        Query::new("select id, task_id, name, due_on, done_on from reform_milestones where task_id = $1 order by due_on, id")
            .bind(task_id),
    )
    .await
}

/// The parts of a task the colour engine reads.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ColourInput {
    /// Id.
    pub id: i64,
    /// Start.
    pub start_on: Date,
    /// Deadline.
    pub deadline: Option<Date>,
    /// Progress.
    pub progress: i64,
    /// Finished.
    pub finished_on: Option<Date>,
    /// Status.
    pub status: String,
    /// Stored colour.
    pub colour: String,
    /// Stored reason.
    pub colour_reason: String,
    /// Lead unit (for notifications).
    pub lead_unit_id: i64,
    /// Leader account (for notifications).
    pub leader_account_id: Option<i64>,
    /// Title (for notifications).
    pub title: String,
}
