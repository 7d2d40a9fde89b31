//! The desk's figures (W4): texts by kind and month, how many were issued in
//! time, and the median hours from request to issue.

use serde::Serialize;

use super::desk::{KINDS, kind_label};
use crate::authz::Principal;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Sql};

/// A kind's row.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct KindRow {
    /// Kind label.
    pub kind: &'static str,
    /// Tasks opened in each month.
    pub months: [i64; 12],
    /// The year's total.
    pub total: i64,
}

/// The year's figures over the tasks the person may see.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Year.
    pub year: i64,
    /// By kind and month.
    pub rows: Vec<KindRow>,
    /// Tasks opened.
    pub opened: i64,
    /// Issued.
    pub issued: i64,
    /// Issued by their due time.
    pub on_time: i64,
    /// `on_time / issued` in per cent, one decimal.
    pub on_time_rate: Option<f64>,
    /// Median hours from opening to issue.
    pub median_hours: Option<f64>,
    /// Open tasks past their due time now.
    pub overdue_open: i64,
}

/// Works the figures out.
pub async fn figures(
    db: &Db,
    who: &Principal,
    year: i64,
    now: Ts,
    offset: time::UtcOffset,
) -> DbResult<Figures> {
    let scope = who.scope(crate::authz::Module::Drafting, crate::authz::Action::Read);
    let mut sql =
        Sql::new("select t.kind, t.created_at, t.due_at, t.issued_at from drafting_tasks t where t.year = ");
    sql.bind(year).push(" and ");
    scope.filter(&mut sql, "t.unit_id", Some("t.created_by"));
    let rows: Vec<(String, Ts, Ts, Option<Ts>)> = db.all(sql.build()).await?;
    let mut by_kind: Vec<KindRow> =
        KINDS.iter().map(|(_, l)| KindRow { kind: l, months: [0; 12], total: 0 }).collect();
    let mut hours = Vec::new();
    let (mut issued, mut on_time, mut overdue_open) = (0, 0, 0);
    for (kind, created, due, done) in &rows {
        let month = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(created.0) * 1_000_000)
            .map(|t| t.to_offset(offset).month() as usize - 1)
            .unwrap_or(0);
        let label = kind_label(kind);
        if let Some(r) = by_kind.iter_mut().find(|r| r.kind == label) {
            r.months[month] += 1;
            r.total += 1;
        }
        match done {
            Some(at) => {
                issued += 1;
                if at.0 <= due.0 {
                    on_time += 1;
                }
                hours.push((at.0 - created.0) as f64 / 3_600_000.0);
            }
            None if now.0 > due.0 => overdue_open += 1,
            None => {}
        }
    }
    hours.sort_by(f64::total_cmp);
    let median = match hours.len() {
        0 => None,
        n if n % 2 == 1 => Some(hours[n / 2]),
        n => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
    };
    Ok(Figures {
        year,
        opened: rows.len() as i64,
        rows: by_kind,
        issued,
        on_time,
        on_time_rate: (issued > 0).then(|| (on_time as f64 * 1000.0 / issued as f64).round() / 10.0),
        median_hours: median.map(|h| (h * 10.0).round() / 10.0),
        overdue_open,
    })
}
