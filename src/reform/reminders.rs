//! Report reminders (R3): each task reports on its cycle (monthly or
//! quarterly, by a day of the month). Three days before the day, the lead
//! unit's reform accounts are reminded; after the day, without a report, they
//! are told it is overdue. `reform_reminders` keeps one row per task, period
//! and kind, so no reminder goes out twice.

use time::Date;

use super::colour::reform_accounts;
use super::model::{due_in_period, period_of};
use crate::clock::Ts;
use crate::db::{DbResult, Query, Tx};
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

/// Sends today's reminders to lead units that have not reported for the
/// current period; returns how many notifications went out.
pub async fn send_due(tx: &mut Tx, today: Date, now: Ts) -> DbResult<usize> {
    let monthly = period_of("monthly", today);
    let quarterly = period_of("quarterly", today);
    let rows: Vec<(i64, String, i64, String, i64)> = tx
        .all(
            Query::new(
                "select t.id, t.title, t.lead_unit_id, t.report_cycle, t.report_day from reform_tasks t \
                 where t.status = 'active' and t.report_cycle <> 'none' \
                 and not exists (select 1 from reform_reports r where r.task_id = t.id and r.unit_id = t.lead_unit_id \
                   and r.status in ('submitted', 'accepted') and r.period in ($1, $2)) order by t.id",
            )
            .bind(monthly)
            .bind(quarterly),
        )
        .await?;
    let mut sent = 0;
    for (id, title, unit, cycle, day) in rows {
        let Some((kind, due)) = reminder_kind(&cycle, day, today) else { continue };
        let period = period_of(&cycle, today);
        let claimed = tx
            .exec(
                Query::new(
                    "insert into reform_reminders (task_id, period, kind, sent_at) values ($1, $2, $3, $4) \
                     on conflict do nothing",
                )
                .bind(id)
                .bind(period.clone())
                .bind(kind)
                .bind(now),
            )
            .await?;
        if claimed == 0 {
            continue;
        }
        let (subject, body) = if kind == "due" {
            (format!("请按时报送改革进展：{title}"), format!("{period}进展请于{due}前报送"))
        } else {
            (format!("改革进展逾期未报：{title}"), format!("{period}进展应于{due}前报送，目前尚未报送"))
        };
        let link = format!("/reform/tasks/{id}");
        for account in reform_accounts(tx, unit).await? {
            let n = Outgoing { kind: "reform.report_due", title: &subject, body: &body, link: &link };
            notify::send(tx, account, &n, now).await?;
            sent += 1;
        }
    }
    Ok(sent)
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
