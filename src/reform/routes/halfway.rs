//! `/reform/halfway`: 双过半 on any date, and its export.

use axum::extract::Query;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::authz::{Action, Module};
use crate::clock::Ts;
use crate::error::AppResult;
use crate::export::Cell;
use crate::reform::halfway::{self, Group, Halfway};
use crate::web::Ui;

/// `?date=2026-06-30`
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DateQuery {
    /// The date (default today).
    pub date: String,
}

async fn compute(ui: &Ui, q: &DateQuery, action: Action) -> AppResult<Halfway> {
    let scope = ui.require(Module::Reform, action)?;
    let date = crate::validate::date(&q.date).unwrap_or_else(|_| ui.state.clock.today());
    let end = end_of(date, ui.state.clock.offset());
    let rules = crate::deadline::settings::rules(&ui.state.db, "reform").await?;
    let rows = halfway::rows(&ui.state.db, &scope, i64::from(date.year()), date, end).await?;
    Ok(halfway::summarize(&rows, i64::from(date.year()), date, rules.lag_points))
}

/// The last millisecond of `date` where the offices are.
pub fn end_of(date: Date, offset: time::UtcOffset) -> Ts {
    let next = date.next_day().unwrap_or(date).midnight().assume_offset(offset);
    Ts::from_datetime(next).plus_ms(-1)
}

#[derive(Serialize)]
struct Page {
    h: Halfway,
    date: String,
    chart: String,
    laggards_shown: usize,
}

fn chart(groups: &[Group], time_share: f64) -> String {
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    let done: Vec<f64> = groups.iter().map(|g| (g.done_share * 1000.0).round() / 10.0).collect();
    let progress: Vec<f64> = groups.iter().map(|g| g.avg_progress).collect();
    let time = (time_share * 1000.0).round() / 10.0;
    serde_json::json!({
        "tooltip": { "trigger": "axis" },
        "legend": { "data": ["完成率%", "平均进度%"] },
        "grid": { "left": 40, "right": 20, "bottom": 60, "top": 40 },
        "xAxis": { "type": "category", "data": labels, "axisLabel": { "interval": 0, "rotate": 30 } },
        "yAxis": { "type": "value", "max": 100 },
        "series": [
            { "name": "完成率%", "type": "bar", "data": done,
              "markLine": { "symbol": "none", "data": [{ "yAxis": time, "name": "时间进度" }], "label": { "formatter": "时间进度 {c}%" } } },
            { "name": "平均进度%", "type": "bar", "data": progress }
        ]
    })
    .to_string()
}

/// `GET /reform/halfway`
pub async fn page(ui: Ui, Query(q): Query<DateQuery>) -> AppResult<Response> {
    let h = compute(&ui, &q, Action::Read).await?;
    let page = Page {
        date: h.date.to_string(),
        chart: chart(&h.by_source, h.time_share),
        laggards_shown: h.laggards.len().min(200),
        h,
    };
    ui.render("reform/halfway.html", page)
}

fn pct(v: f64) -> Cell {
    Cell::Num((v * 1000.0).round() / 10.0)
}

/// `GET /reform/halfway/export`: the groups and every laggard.
pub async fn export(ui: Ui, Query(q): Query<DateQuery>) -> AppResult<Response> {
    let h = compute(&ui, &q, Action::Export).await?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let tp = format!("时间进度{:.1}%", h.time_share * 100.0);
    for (kind, groups) in [
        ("全部", std::slice::from_ref(&h.overall)),
        ("按来源", &h.by_source[..]),
        ("按牵头单位", &h.by_unit[..]),
        ("按领域", &h.by_field[..]),
    ] {
        for g in groups {
            rows.push(vec![
                kind.into(),
                g.label.as_str().into(),
                g.total.into(),
                g.done.into(),
                pct(g.done_share),
                Cell::Num(g.avg_progress),
                g.lagging.into(),
                if g.on_track { "达到时间进度" } else { "落后于时间进度" }.into(),
                tp.as_str().into(),
            ]);
        }
    }
    let lag_rows: Vec<Vec<Cell>> = h
        .laggards
        .iter()
        .map(|l| {
            vec![
                l.code.as_str().into(),
                l.title.as_str().into(),
                l.unit.as_str().into(),
                l.deadline.map(|d| d.to_string()).unwrap_or_default().into(),
                l.progress.into(),
                l.expected.into(),
                l.reason.as_str().into(),
            ]
        })
        .collect();
    let bytes = crate::export::workbook_sheets(&[
        (
            "双过半",
            &[
                "口径",
                "分组",
                "任务数",
                "已完成",
                "完成率（%）",
                "平均进度（%）",
                "滞后任务",
                "结论",
                "时间进度",
            ],
            &rows,
        ),
        (
            "滞后任务",
            &["任务编号", "改革任务", "牵头单位", "完成时限", "进度（%）", "应达进度（%）", "原因"],
            &lag_rows,
        ),
    ])?;
    Ok(crate::export::download(&format!("双过半_{}", h.date), bytes))
}
