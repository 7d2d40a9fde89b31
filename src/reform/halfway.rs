//! 双过半 (R5): on any date, the share of the year elapsed against the share
//! of the year's tasks done — overall, by source, by lead unit and by field —
//! with the tasks lagging behind the calendar listed.
//!
//! A task counts as done on a date when it was finished on or before it. Its
//! progress on a date is the percent of the lead unit's last report accepted
//! by the end of that day (a task without any accepted report keeps the
//! progress it was given, e.g. from the ledger). A group is on track when its
//! share done is at least the share of time elapsed. A task lags when it is
//! not done and its progress trails the time elapsed in its own span by the
//! reform colour rule's `lag_points`, or its deadline has passed.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use super::assessment::year_bounds;
use crate::authz::Scope;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Sql};

/// One task as the computation reads it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Row {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Source label.
    pub source: String,
    /// Field label.
    pub field: String,
    /// Lead unit name.
    pub unit: String,
    /// Start.
    pub start_on: Date,
    /// Deadline.
    pub deadline: Option<Date>,
    /// Finished on.
    pub finished_on: Option<Date>,
    /// Progress on the date.
    pub progress: i64,
}

/// A group's figures.
#[derive(Clone, Debug, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Group {
    /// What groups it (a source, a unit, a field).
    pub label: String,
    /// Tasks.
    pub total: i64,
    /// Done by the date.
    pub done: i64,
    /// done ÷ total.
    pub done_share: f64,
    /// Average progress, percent.
    pub avg_progress: f64,
    /// Done share at least the time share.
    pub on_track: bool,
    /// Lagging tasks.
    pub lagging: i64,
}

/// A task behind the calendar.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Laggard {
    /// Task.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Lead unit.
    pub unit: String,
    /// Deadline.
    pub deadline: Option<Date>,
    /// Progress on the date.
    pub progress: i64,
    /// What the calendar expects.
    pub expected: i64,
    /// Why, in words.
    pub reason: String,
}

/// The whole answer.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Halfway {
    /// The date.
    pub date: Date,
    /// The year.
    pub year: i64,
    /// Share of the year elapsed (0–1) at the end of the date.
    pub time_share: f64,
    /// Overall.
    pub overall: Group,
    /// By source.
    pub by_source: Vec<Group>,
    /// By lead unit.
    pub by_unit: Vec<Group>,
    /// By field.
    pub by_field: Vec<Group>,
    /// Lagging tasks, worst gap first.
    pub laggards: Vec<Laggard>,
    /// Time past half and tasks done past half.
    pub both_past_half: bool,
}

/// Share of `year` elapsed at the end of `date` (0 before it starts, 1 after).
pub fn time_share(year: i64, date: Date) -> f64 {
    let (first, next) = year_bounds(year);
    let total = (next - first).whole_days() as f64;
    let elapsed = ((date - first).whole_days() + 1).clamp(0, (next - first).whole_days()) as f64;
    elapsed / total
}

fn lag_of(r: &Row, date: Date, lag_points: i64) -> Option<(i64, String)> {
    if r.finished_on.is_some_and(|d| d <= date) {
        return None;
    }
    let deadline = r.deadline?;
    if deadline < date {
        return Some((100, format!("已过完成时限{}，进度{}%", deadline, r.progress)));
    }
    let span = (deadline - r.start_on).whole_days().max(1);
    let elapsed = (date - r.start_on).whole_days().clamp(0, span);
    let expected = elapsed * 100 / span;
    (expected - r.progress >= lag_points)
        .then(|| (expected, format!("进度{}%，按时间应达{expected}%", r.progress)))
}

fn group(label: String, rows: &[&Row], date: Date, share: f64, lag_points: i64) -> Group {
    let total = rows.len() as i64;
    let done = rows.iter().filter(|r| r.finished_on.is_some_and(|d| d <= date)).count() as i64;
    let done_share = if total == 0 { 0.0 } else { done as f64 / total as f64 };
    let avg_progress =
        if total == 0 { 0.0 } else { rows.iter().map(|r| r.progress as f64).sum::<f64>() / total as f64 };
    let lagging = rows.iter().filter(|r| lag_of(r, date, lag_points).is_some()).count() as i64;
    Group {
        label,
        total,
        done,
        done_share: (done_share * 1000.0).round() / 1000.0,
        avg_progress: (avg_progress * 10.0).round() / 10.0,
        on_track: total > 0 && done_share + 1e-9 >= share,
        lagging,
    }
}

fn grouped(rows: &[Row], key: impl Fn(&Row) -> &str, date: Date, share: f64, lag: i64) -> Vec<Group> {
    let mut by: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        by.entry(key(r)).or_default().push(r);
    }
    let mut out: Vec<Group> =
        by.into_iter().map(|(k, v)| group(k.to_string(), &v, date, share, lag)).collect();
    out.sort_by(|a, b| a.done_share.total_cmp(&b.done_share).then_with(|| a.label.cmp(&b.label)));
    out
}

/// Computes the answer from the year's tasks (pure).
pub fn summarize(rows: &[Row], year: i64, date: Date, lag_points: i64) -> Halfway {
    let share = time_share(year, date);
    let all: Vec<&Row> = rows.iter().collect();
    let overall = group("全部任务".to_string(), &all, date, share, lag_points);
    let mut laggards: Vec<Laggard> = rows
        .iter()
        .filter_map(|r| {
            let (expected, reason) = lag_of(r, date, lag_points)?;
            Some(Laggard {
                id: r.id,
                code: r.code.clone(),
                title: r.title.clone(),
                unit: r.unit.clone(),
                deadline: r.deadline,
                progress: r.progress,
                expected,
                reason,
            })
        })
        .collect();
    laggards.sort_by(|a, b| {
        (b.expected - b.progress).cmp(&(a.expected - a.progress)).then_with(|| a.code.cmp(&b.code))
    });
    Halfway {
        date,
        year,
        time_share: (share * 1000.0).round() / 1000.0,
        both_past_half: share >= 0.5 && overall.done_share >= 0.5,
        by_source: grouped(rows, |r| &r.source, date, share, lag_points),
        by_unit: grouped(rows, |r| &r.unit, date, share, lag_points),
        by_field: grouped(rows, |r| &r.field, date, share, lag_points),
        overall,
        laggards,
    }
}

/// Loads the year's tasks in scope with their progress on `date` (the end of
/// that day is `end`).
pub async fn rows(db: &Db, scope: &Scope, year: i64, date: Date, end: Ts) -> DbResult<Vec<Row>> {
    let mut sql = Sql::new(
        "select t.id, t.code, t.title, coalesce(ds.label, t.source) as source, coalesce(df.label, nullif(t.field, ''), '未分类') as field, \
         lu.name as unit, t.start_on, t.deadline, t.finished_on, \
         coalesce((select r.percent from reform_reports r where r.task_id = t.id and r.unit_id = t.lead_unit_id \
                   and r.status = 'accepted' and r.reviewed_at <= ",
    );
    sql.bind(end.0).push(
        " order by r.reviewed_at desc limit 1), \
         case when exists (select 1 from reform_reports r2 where r2.task_id = t.id and r2.unit_id = t.lead_unit_id \
              and r2.status = 'accepted') then 0 else t.progress end) as progress \
         from reform_tasks t join units lu on lu.id = t.lead_unit_id \
         left join dict_items ds on ds.type_code = 'reform_source' and ds.code = t.source \
         left join dict_items df on df.type_code = 'reform_field' and df.code = t.field \
         where t.year = ",
    );
    sql.bind(year).push(" and t.status <> 'cancelled' and ");
    super::store::visible(&mut sql, scope, Some(year));
    let mut rows: Vec<Row> = db.all(sql.build()).await?;
    for r in &mut rows {
        if r.finished_on.is_some_and(|d| d <= date) {
            r.progress = 100;
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn row(id: i64, unit: &str, source: &str, deadline: Date, finished: Option<Date>, progress: i64) -> Row {
        Row {
            id,
            code: format!("2026-{id:05}"),
            title: format!("任务{id}"),
            source: source.into(),
            field: "经济体制改革".into(),
            unit: unit.into(),
            start_on: date!(2026 - 01 - 01),
            deadline: Some(deadline),
            finished_on: finished,
            progress,
        }
    }

    #[test]
    fn the_share_of_time_counts_the_day_itself() {
        assert_eq!(time_share(2026, date!(2026 - 01 - 01)), 1.0 / 365.0);
        assert!((time_share(2026, date!(2026 - 07 - 02)) - 183.0 / 365.0).abs() < 1e-12);
        assert_eq!(time_share(2026, date!(2025 - 12 - 31)), 0.0);
        assert_eq!(time_share(2026, date!(2027 - 03 - 01)), 1.0);
        assert_eq!(time_share(2028, date!(2028 - 12 - 31)), 1.0, "leap years have 366 days");
    }

    #[test]
    fn the_halfway_table() {
        let rows = vec![
            row(1, "甲县", "省委部署", date!(2026 - 06 - 30), Some(date!(2026 - 06 - 20)), 100),
            row(2, "甲县", "省委部署", date!(2026 - 12 - 31), None, 60),
            row(3, "乙局", "自主创新", date!(2026 - 06 - 30), None, 80),
            row(4, "乙局", "自主创新", date!(2026 - 12 - 31), Some(date!(2026 - 07 - 15)), 100),
        ];
        // 30 June: half a year minus a day; task 4 is not yet done on that date.
        let h = summarize(&rows, 2026, date!(2026 - 06 - 30), 20);
        assert_eq!((h.overall.total, h.overall.done), (4, 1));
        assert!(!h.both_past_half);
        assert_eq!(
            h.laggards.iter().map(|l| l.id).collect::<Vec<_>>(),
            vec![3],
            "due today at 80%; task 2 at 60% is ahead"
        );
        assert_eq!(h.laggards[0].reason, "进度80%，按时间应达100%");
        // 2 July: time is past half; done 2 of 4 = half.
        let h = summarize(&rows, 2026, date!(2026 - 07 - 02), 20);
        assert_eq!(h.overall.done, 1, "task 4 finishes on 15 July");
        let h = summarize(&rows, 2026, date!(2026 - 07 - 20), 20);
        assert_eq!(h.overall.done, 2);
        assert!(h.both_past_half);
        assert_eq!(h.laggards.iter().map(|l| l.id).collect::<Vec<_>>(), vec![3], "past its deadline");
        assert_eq!(h.laggards[0].reason, "已过完成时限2026-06-30，进度80%");
        let by_unit: Vec<(&str, i64, i64, bool)> =
            h.by_unit.iter().map(|g| (g.label.as_str(), g.total, g.done, g.on_track)).collect();
        assert_eq!(by_unit, vec![("乙局", 2, 1, false), ("甲县", 2, 1, false)], "time share 55% > 50% done");
        // Progress behind the calendar by 20 points lags.
        let slow = vec![row(5, "丙区", "市委部署", date!(2026 - 12 - 31), None, 30)];
        let h = summarize(&slow, 2026, date!(2026 - 07 - 02), 20);
        assert_eq!(h.laggards.len(), 1);
        assert_eq!(h.laggards[0].reason, "进度30%，按时间应达50%");
        assert_eq!(h.by_source[0].lagging, 1);
    }
}
