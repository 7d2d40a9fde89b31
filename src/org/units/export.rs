//! The unit ledger as xlsx, for the page and the API alike (audited).

use super::model::status_label;
use super::store::{self, UnitFilter};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module};
use crate::error::AppResult;
use crate::export::{Cell, workbook as xlsx};

/// Most rows in one export.
pub const LIMIT: i64 = 100_000;

/// Builds the workbook of units in the caller's export scope; returns (file name, bytes).
pub async fn workbook(c: &Caller<'_>, f: &UnitFilter) -> AppResult<(String, Vec<u8>)> {
    let scope = c.who.require(Module::Org, Action::Export)?;
    let units = store::all_in_scope(&c.state.db, &scope, f, LIMIT).await?;
    let rows: Vec<Vec<Cell>> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            vec![
                Cell::from(i as i64 + 1),
                u.name.as_str().into(),
                u.short_name.as_str().into(),
                u.code.as_deref().into(),
                u.kind_label.as_str().into(),
                u.parent_name.as_deref().into(),
                Cell::from(u.depth),
                status_label(&u.status).into(),
                u.note.as_str().into(),
            ]
        })
        .collect();
    let bytes = xlsx(
        "组织机构",
        &["序号", "单位名称", "简称", "机构代码", "机构类型", "上级单位", "层级", "状态", "备注"],
        &rows,
    )?;
    let mut tx = c.state.db.begin().await?;
    let ev = Event::new("export.units", "unit", "").summary(format!("导出组织机构{}条", units.len()));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(("组织机构".to_string(), bytes))
}
