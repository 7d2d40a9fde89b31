//! Report reminders (R3): each task reports on its cycle (monthly or
//! quarterly, by a day of the month). Three days before the day, the lead
//! unit's reform accounts are reminded; after the day, without a report, they
//! are told it is overdue. `reform_reminders` keeps one row per task, period
//! and kind, so no reminder goes out twice.

use std::collections::BTreeMap;

use time::Date;

use super::colour::reform_accounts;
use super::model::{due_in_period, period_of};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Tx};
use crate::notify::{self, Outgoing};

/// Days before the due day that the first reminder goes out.
pub const AHEAD_DAYS: i64 = 3;

/// Which reminder a task needs today, if any: `due` in the days before its
/// report day, `overdue` after it.
pub fn reminder_kind(cycle: &str, day: i64, today: Date) -> Option<(&'static str, Date)> {
    let due = due_in_period(cycle, day, today)?;
    let ahead = (due - today).whole_days();
    if ahead < 0 {
        Some(("overdue", due))
    } else if ahead <= AHEAD_DAYS {
        Some(("due", due))
    } else {
        None
    }
}

/// A task that needs a reminder today.
#[derive(Clone, Debug)]
pub struct Due {
    task_id: i64,
    title: String,
    unit_id: i64,
    kind: &'static str,
    period: String,
    due: Date,
}

impl Due {
    /// The lead unit to remind.
    pub fn unit_id(&self) -> i64 {
        self.unit_id
    }
}

/// Today's reminders: active tasks whose lead unit has not reported for the
/// current period, in their reminder window. A read, outside any transaction.
pub async fn due_today(db: &Db, today: Date) -> DbResult<Vec<Due>> {
    let monthly = period_of("monthly", today);
    let quarterly = period_of("quarterly", today);
    let rows: Vec<(i64, String, i64, String, i64)> = db
        .all(
            Query::new(
                "select t.id, t.title, t.lead_unit_id, t.report_cycle, t.report_day from reform_tasks t \
                 where t.status = 'active' and t.report_cycle <> 'none' \
                 and not exists (select 1 from reform_reports r where r.task_id = t.id and r.unit_id = t.lead_unit_id \
                   and r.status in ('submitted', 'accepted') and r.period in ($1, $2)) order by t.lead_unit_id, t.id",
            )
            .bind(monthly)
            .bind(quarterly),
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(task_id, title, unit_id, cycle, day)| {
            let (kind, due) = reminder_kind(&cycle, day, today)?;
            Some(Due { task_id, title, unit_id, kind, period: period_of(&cycle, today), due })
        })
        .collect())
}

/// Sends the reminders of one or more whole units inside the caller's
/// transaction; returns how many notifications went out. Each task is claimed
/// once per period and kind, so a second run sends nothing. A unit's reform
/// accounts get one notice per kind and due day naming its tasks, not one per
/// task: a county leading sixty tasks hears once, with the list.
pub async fn send(tx: &mut Tx, due: &[Due], now: Ts) -> DbResult<usize> {
    let mut claimed: BTreeMap<(i64, &'static str, Date), Vec<&Due>> = BTreeMap::new();
    for d in due {
        let fresh = tx
            .exec(
                Query::new(
                    "insert into reform_reminders (task_id, period, kind, sent_at) values ($1, $2, $3, $4) \
                     on conflict do nothing",
                )
                .bind(d.task_id)
                .bind(d.period.clone())
                .bind(d.kind)
                .bind(now),
            )
            .await?;
        if fresh > 0 {
            claimed.entry((d.unit_id, d.kind, d.due)).or_default().push(d);
        }
    }
    let mut sent = 0;
    for ((unit, kind, due), tasks) in claimed {
        let (subject, body, link) = notice(kind, due, &tasks);
        for account in reform_accounts(tx, unit).await? {
            let n = Outgoing { kind: "reform.report_due", title: &subject, body: &body, link: &link };
            notify::send(tx, account, &n, now).await?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// Most task titles one notice names.
const NAMED: usize = 5;

/// The notice for a unit's tasks of one kind and due day: (title, body, link).
fn notice(kind: &str, due: Date, tasks: &[&Due]) -> (String, String, String) {
    let period = tasks.first().map_or("", |t| t.period.as_str());
    if let [one] = tasks {
        let link = format!("/reform/tasks/{}", one.task_id);
        return if kind == "due" {
            (format!("请按时报送改革进展：{}", one.title), format!("{period}进展请于{due}前报送"), link)
        } else {
            (
                format!("改革进展逾期未报：{}", one.title),
                format!("{period}进展应于{due}前报送，目前尚未报送"),
                link,
            )
        };
    }
    let mut names: Vec<&str> = tasks.iter().take(NAMED).map(|t| t.title.as_str()).collect();
    if tasks.len() > NAMED {
        names.push("等");
    }
    let list = names.join("；");
    let n = tasks.len();
    if kind == "due" {
        (format!("本单位{n}项改革任务须于{due}前报送{period}进展"), list, "/reform/reports".into())
    } else {
        (
            format!("本单位{n}项改革任务{period}进展逾期未报"),
            format!("应于{due}前报送：{list}"),
            "/reform/reports".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn reminders_start_three_days_ahead_and_turn_overdue_after_the_day() {
        let cases = [
            ("monthly", 25, date!(2026 - 11 - 21), None),
            ("monthly", 25, date!(2026 - 11 - 22), Some("due")),
            ("monthly", 25, date!(2026 - 11 - 25), Some("due")),
            ("monthly", 25, date!(2026 - 11 - 26), Some("overdue")),
            ("quarterly", 20, date!(2026 - 11 - 26), None),
            ("quarterly", 20, date!(2026 - 12 - 18), Some("due")),
            ("none", 20, date!(2026 - 12 - 18), None),
        ];
        for (cycle, day, today, want) in cases {
            assert_eq!(reminder_kind(cycle, day, today).map(|(k, _)| k), want, "{cycle} {day} {today}");
        }
    }
}
