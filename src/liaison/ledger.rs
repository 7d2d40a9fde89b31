//! The two ledgers as xlsx, each export in the audit trail: cases (the list's
//! filter, within the export scope, at most 100,000 rows) and the registry.

use std::collections::BTreeMap;

use super::cases::{self, Filter};
use super::flow::{self, Rating};
use super::points;
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult};

/// Rows an export holds at most.
const MAX_ROWS: i64 = 100_000;

/// The case ledger.
pub async fn cases(c: &Caller<'_>, f: &Filter) -> AppResult<Vec<u8>> {
    c.who.require(Module::Liaison, Action::Export)?;
    let db = &c.state.db;
    let rows = cases::all(db, c.who, f, MAX_ROWS).await?;
    let cats: BTreeMap<String, String> =
        crate::dicts::store::options(db, "submission_category").await?.into_iter().collect();
    use crate::export::Cell;
    let offset = c.state.clock.offset();
    let day = |t: Option<crate::clock::Ts>| t.map(|t| t.to_offset(offset).date().to_string());
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|c| {
            vec![
                Cell::from(c.no.as_str()),
                Cell::from(day(Some(c.created_at))),
                Cell::from(c.point_name.as_str()),
                Cell::from(c.title.as_str()),
                Cell::from(cats.get(&c.category).cloned().unwrap_or_default()),
                Cell::from(c.state().label()),
                Cell::from(c.handler_name.clone()),
                Cell::from(day(c.dispatched_at)),
                Cell::from(c.due_on.map(|d| d.to_string())),
                Cell::from(day(c.replied_at)),
                Cell::from(match c.on_time {
                    Some(true) => "是",
                    Some(false) => "否",
                    None => "",
                }),
                Cell::from(crate::research::label_of(flow::SOLVED, &c.solved)),
                Cell::from(Rating::parse(&c.rating).map_or("", |r| r.label())),
                Cell::from(c.colour_reason.as_str()),
            ]
        })
        .collect();
    let bytes = crate::export::workbook(
        "基层问题台账",
        &[
            "受理编号",
            "报送日期",
            "联系点",
            "标题",
            "类别",
            "状态",
            "承办单位",
            "交办日期",
            "办理时限",
            "答复日期",
            "按期答复",
            "办理结果",
            "评价",
            "督办提示",
        ],
        &data,
    )
    .map_err(AppError::Internal)?;
    let mut tx = db.begin().await?;
    let ev = Event::new("export.liaison_cases", "liaison_case", "")
        .summary(format!("导出基层问题台账{}条", rows.len()));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(bytes)
}

/// The contact-point registry with each point's last 90 days.
pub async fn points(c: &Caller<'_>) -> AppResult<Vec<u8>> {
    let scope = c.who.require(Module::Liaison, Action::Export)?;
    let since = c.now.plus_minutes(-90 * 24 * 60);
    let (bytes, n) = points::export(&c.state.db, &scope, since).await.map_err(AppError::Internal)?;
    let mut tx = c.state.db.begin().await?;
    let ev = Event::new("export.liaison_points", "unit", "").summary(format!("导出基层联系点名录{n}条"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(bytes)
}
