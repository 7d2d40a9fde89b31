//! The auditor's pages: `/audit` (filter, page, detail), export, verification.

use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;

use super::list::{self, AuditFilter, GROUPS, group_label};
use super::model::Record;
use super::{Event, append, store};
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::db::Query as Q;
use crate::error::{AppError, AppResult};
use crate::export::{Cell, workbook};
use crate::web::Ui;

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(page))
        .route("/audit/export", get(export))
        .route("/audit/verify", post(verify))
        .route("/audit/{seq}", get(detail))
}

/// Rows per page.
const PER: i64 = 50;
/// Counts stop here.
const COUNT_CAP: i64 = 10_000;

#[derive(Serialize)]
struct Row {
    seq: i64,
    at: String,
    actor: String,
    ip: String,
    group: &'static str,
    action: String,
    object: String,
    summary: String,
}

fn row(r: Record, offset: time::UtcOffset) -> Row {
    Row {
        seq: r.seq,
        at: r.at.display_seconds(offset),
        actor: r.actor_name,
        ip: r.ip,
        group: group_label(&r.action),
        action: r.action,
        object: if r.object_id.is_empty() {
            r.object_type
        } else {
            format!("{}#{}", r.object_type, r.object_id)
        },
        summary: r.summary,
    }
}

#[derive(Serialize)]
struct Page {
    rows: Vec<Row>,
    filter: AuditFilter,
    groups: &'static [(&'static str, &'static str)],
    count: i64,
    capped: bool,
    head_seq: i64,
    next_before: Option<i64>,
    can_export: bool,
    verification: Option<store::Verification>,
    verification_text: Option<String>,
    windowed: bool,
}

async fn render(ui: &Ui, f: AuditFilter, verification: Option<store::Verification>) -> AppResult<Response> {
    ui.require(Module::Audit, Action::Read)?;
    let windowed = f.needs_window();
    let f = f.bounded(ui.state.clock.today());
    let offset = ui.state.clock.offset();
    let records = list::page(&ui.state.db, &f, offset, PER).await?;
    let next_before = (records.len() as i64 == PER).then(|| records.last().map(|r| r.seq)).flatten();
    let count = list::count_capped(&ui.state.db, &f, offset, COUNT_CAP + 1).await?;
    let text = verification.as_ref().map(|v| match &v.broken {
        None => format!("校验通过：共{}条记录，哈希链完整", v.checked),
        Some(b) => format!("校验失败：{}", b.describe()),
    });
    let page = Page {
        rows: records.into_iter().map(|r| row(r, offset)).collect(),
        filter: f,
        groups: GROUPS,
        capped: count > COUNT_CAP,
        count: count.min(COUNT_CAP),
        head_seq: store::head_seq(&ui.state.db).await?,
        next_before,
        can_export: ui.user.can(Module::Audit, Action::Export),
        verification,
        verification_text: text,
        windowed,
    };
    ui.render("audit/list.html", page)
}

async fn page(ui: Ui, Query(f): Query<AuditFilter>) -> AppResult<Response> {
    render(&ui, f, None).await
}

#[derive(Serialize)]
struct DetailPage {
    record: Record,
    at: String,
    group: &'static str,
    before: Option<String>,
    after: Option<String>,
}

fn pretty(json: Option<&str>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json?).ok()?;
    serde_json::to_string_pretty(&v).ok()
}

async fn detail(ui: Ui, Path(seq): Path<i64>) -> AppResult<Response> {
    ui.require(Module::Audit, Action::Read)?;
    let record: Record = ui
        .state
        .db
        .opt(
            Q::new(
                "select seq, at, actor_id, actor_name, ip, action, object_type, object_id, summary, before_data, \
                 after_data, hash from audit_events where seq = $1",
            )
            .bind(seq),
        )
        .await?
        .ok_or(AppError::NotFound)?;
    let page = DetailPage {
        at: record.at.display_seconds(ui.state.clock.offset()),
        group: group_label(&record.action),
        before: pretty(record.before_data.as_deref()),
        after: pretty(record.after_data.as_deref()),
        record,
    };
    ui.render("audit/detail.html", page)
}

/// Most rows in one export.
const EXPORT_LIMIT: i64 = 100_000;

async fn export(ui: Ui, Query(f): Query<AuditFilter>) -> AppResult<Response> {
    ui.require(Module::Audit, Action::Export)?;
    let f = f.bounded(ui.state.clock.today());
    let offset = ui.state.clock.offset();
    let records = list::all(&ui.state.db, &f, offset, EXPORT_LIMIT).await?;
    let rows: Vec<Vec<Cell>> = records
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.seq),
                r.at.display_seconds(offset).into(),
                r.actor_name.as_str().into(),
                r.ip.as_str().into(),
                group_label(&r.action).into(),
                r.action.as_str().into(),
                r.object_type.as_str().into(),
                r.object_id.as_str().into(),
                r.summary.as_str().into(),
                r.before_data.as_deref().into(),
                r.after_data.as_deref().into(),
                r.hash.as_str().into(),
            ]
        })
        .collect();
    let bytes = workbook(
        "审计记录",
        &[
            "序号",
            "时间",
            "操作人",
            "IP地址",
            "类别",
            "操作",
            "对象类型",
            "对象编号",
            "摘要",
            "变更前",
            "变更后",
            "SM3哈希",
        ],
        &rows,
    )?;
    let c = ui.caller();
    let mut tx = ui.state.db.begin().await?;
    let ev = Event::new("export.audit", "audit", "").summary(format!("导出审计记录{}条", records.len()));
    append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(crate::export::download("审计记录", bytes))
}

async fn verify(ui: Ui) -> AppResult<Response> {
    ui.require(Module::Audit, Action::Read)?;
    let v = store::verify(&ui.state.db, |_| {}).await?;
    let c = ui.caller();
    let mut tx = ui.state.db.begin().await?;
    let summary = match &v.broken {
        None => format!("校验审计链：{}条完整", v.checked),
        Some(b) => format!("校验审计链：{}", b.describe()),
    };
    append(&mut tx, c.now, &c.actor, &Event::new("audit.verify", "audit", "").summary(summary)).await?;
    tx.commit().await?;
    render(&ui, AuditFilter::default(), Some(v)).await
}
