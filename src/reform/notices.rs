//! Notices of praise or criticism (通报表扬 / 通报批评, R7): issued by a body
//! with a document number, linked to the units and tasks they name. A unit
//! sees the notices that name it or one of the tasks it can see; the reform
//! office sees all and issues them.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Scope};
use crate::db::{Db, DbResult, Query, Sql};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::validate::{Check, date, id, optional, required};

/// Kinds.
pub const KINDS: &[(&str, &str)] = &[("praise", "通报表扬"), ("criticism", "通报批评")];

/// A notice as lists show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notice {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// `praise` or `criticism`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Issuing body.
    pub issuing_body: String,
    /// Document number.
    pub doc_no: String,
    /// Issued on.
    pub issued_on: Date,
    /// Summary.
    pub summary: String,
    /// Units named, joined with “、”.
    pub units: String,
    /// Tasks named (codes), joined with “、”.
    pub tasks: String,
}

const SELECT: &str = "select n.id, n.year, n.kind, n.title, n.issuing_body, n.doc_no, n.issued_on, n.summary, \
     coalesce((select string_agg(u.name, '、' order by u.path) from reform_notice_links l join units u on u.id = l.unit_id \
               where l.notice_id = n.id), '') as units, \
     coalesce((select string_agg(t.code, '、' order by t.code) from reform_notice_links l join reform_tasks t on t.id = l.task_id \
               where l.notice_id = n.id), '') as tasks \
     from reform_notices n";

/// Notices of a year the scope reaches, newest first.
pub async fn list(db: &Db, scope: &Scope, year: i64, kind: &str) -> DbResult<Vec<Notice>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where n.year = ").bind(year);
    if !kind.is_empty() {
        sql.push(" and n.kind = ").bind(kind.to_string());
    }
    if !scope.is_all() {
        sql.push(" and exists (select 1 from reform_notice_links l left join reform_tasks t on t.id = l.task_id where l.notice_id = n.id and (");
        scope.filter(&mut sql, "l.unit_id", None);
        sql.push(" or ");
        scope.filter(&mut sql, "t.lead_unit_id", None);
        sql.push("))");
    }
    sql.push(" order by n.issued_on desc, n.id desc");
    db.all(sql.build()).await
}

/// A notice as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NoticeInput {
    /// `praise` or `criticism`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Issuing body.
    pub issuing_body: String,
    /// Document number.
    pub doc_no: String,
    /// Issued on.
    pub issued_on: String,
    /// Summary.
    pub summary: String,
    /// Units named.
    pub unit_ids: Vec<String>,
    /// Tasks named, by code, separated by commas or “、”.
    pub task_codes: String,
}

/// Issues a notice.
pub async fn create(c: &Caller<'_>, input: &NoticeInput) -> AppResult<i64> {
    c.who.require(Module::Reform, Action::Approve)?;
    let mut check = Check::default();
    let kind = check.take(
        "kind",
        KINDS
            .iter()
            .find(|(k, _)| *k == input.kind.trim())
            .map(|(k, _)| (*k).to_string())
            .ok_or_else(|| Msg::new("请选择通报类型")),
    );
    let title = check.take("title", required(&input.title, 200));
    let body = check.take("issuing_body", required(&input.issuing_body, 100));
    let doc_no = check.take("doc_no", optional(&input.doc_no, 50));
    let issued_on = check.take("issued_on", date(&input.issued_on));
    let summary = check.take("summary", optional(&input.summary, 5000));
    let mut units = Vec::new();
    for raw in input.unit_ids.iter().filter(|u| !u.trim().is_empty()) {
        if let Some(u) = check.take("unit_ids", id(raw)) {
            units.push(u);
        }
    }
    units.sort_unstable();
    units.dedup();
    let mut tasks = Vec::new();
    for code in
        input.task_codes.split([',', '，', '、', ' ', ';', '；']).map(str::trim).filter(|c| !c.is_empty())
    {
        match super::store::by_code(&c.state.db, code).await? {
            Some(t) => tasks.push(t.id),
            None => check.fail("task_codes", Msg::new("没有编号为{code}的改革任务").arg("code", code)),
        }
    }
    tasks.sort_unstable();
    tasks.dedup();
    if units.is_empty() && tasks.is_empty() {
        check.fail("unit_ids", Msg::new("请至少关联一个单位或任务"));
    }
    let (kind, title, body, doc_no, issued_on, summary) =
        check.finish(|| Some((kind?, title?, body?, doc_no?, issued_on?, summary?)))?;
    for u in &units {
        crate::org::units::actions::check_placement(c, Module::Reform, *u, "unit_ids").await?;
    }
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into reform_notices (year, kind, title, issuing_body, doc_no, issued_on, summary, created_by, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
            )
            .bind(i64::from(issued_on.year()))
            .bind(kind.clone())
            .bind(title.clone())
            .bind(body.clone())
            .bind(doc_no)
            .bind(issued_on)
            .bind(summary)
            .bind(c.who.account_id)
            .bind(c.now),
        )
        .await?;
    for u in &units {
        tx.exec(
            Query::new("insert into reform_notice_links (notice_id, unit_id) values ($1, $2)")
                .bind(id)
                .bind(*u),
        )
        .await?;
    }
    for t in &tasks {
        tx.exec(
            Query::new("insert into reform_notice_links (notice_id, task_id) values ($1, $2)")
                .bind(id)
                .bind(*t),
        )
        .await?;
    }
    let label = super::inspections::label_of(KINDS, &kind);
    let ev = Event::new("reform.notice_create", "reform_notice", id)
        .summary(format!("{body}{label}：{title}"))
        .after(&serde_json::json!({ "units": units, "tasks": tasks }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}
