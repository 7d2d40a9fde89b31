//! Colours from deadlines, milestones and progress — pure, table-tested.
//!
//! - **blue**: finished.
//! - **red**: past the deadline and not finished, or a milestone overdue longer
//!   than `milestone_red_days`.
//! - **yellow**: a milestone overdue (for less than that), the deadline or a
//!   milestone due within `due_soon_days`, or progress behind the share of time
//!   elapsed by `lag_points` percentage points or more.
//! - **green**: none of the above.
//!
//! Deadlines are calendar dates, due at the end of that day where the offices
//! are; the engine counts whole days between local dates.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::i18n::Msg;

/// The four supervision colours, from best to worst (and the order of severity).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// 蓝色：已完成.
    Blue,
    /// 绿色：正常推进.
    Green,
    /// 黄色：进度滞后或临期预警.
    Yellow,
    /// 红色：逾期未完成.
    Red,
}

impl Colour {
    /// Every colour.
    pub const ALL: [Colour; 4] = [Colour::Blue, Colour::Green, Colour::Yellow, Colour::Red];

    /// The stored code, also the CSS badge suffix.
    pub fn code(self) -> &'static str {
        match self {
            Colour::Blue => "blue",
            Colour::Green => "green",
            Colour::Yellow => "yellow",
            Colour::Red => "red",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Colour> {
        Colour::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Colour::Blue => "已完成",
            Colour::Green => "正常推进",
            Colour::Yellow => "预警",
            Colour::Red => "逾期",
        }
    }

    /// How severe (for "worsened" checks): blue 0 … red 3.
    pub fn severity(self) -> u8 {
        match self {
            Colour::Blue => 0,
            Colour::Green => 1,
            Colour::Yellow => 2,
            Colour::Red => 3,
        }
    }
}

/// Thresholds, one set per feature, edited by administrators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Warn (yellow) when the deadline or a milestone is due within this many days.
    pub due_soon_days: i64,
    /// Warn (yellow) when progress trails the share of time elapsed by this many points.
    pub lag_points: i64,
    /// A milestone overdue longer than this turns the subject red.
    pub milestone_red_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Self { due_soon_days: 7, lag_points: 20, milestone_red_days: 15 }
    }
}

impl Rules {
    /// Checks an administrator's edit.
    pub fn validate(&self) -> Result<(), (&'static str, Msg)> {
        let range = |field, v: i64, lo: i64, hi: i64| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err((field, Msg::new("应在{lo}到{hi}之间").arg("lo", lo).arg("hi", hi)))
            }
        };
        range("due_soon_days", self.due_soon_days, 0, 90)?;
        range("lag_points", self.lag_points, 1, 100)?;
        range("milestone_red_days", self.milestone_red_days, 0, 365)?;
        Ok(())
    }
}

/// A checkpoint on the way to the deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Milestone<'a> {
    /// Its name (“实施方案印发”).
    pub name: &'a str,
    /// When it is due.
    pub due: Date,
    /// When it was reached, if it was.
    pub done_on: Option<Date>,
}

/// What is being assessed.
#[derive(Clone, Debug)]
pub struct Subject<'a> {
    /// When it was finished, if it is.
    pub finished_on: Option<Date>,
    /// When the work started (for the expected share of progress).
    pub start: Date,
    /// When it is due; none for open-ended work.
    pub deadline: Option<Date>,
    /// Percent done, when the subject reports progress.
    pub progress: Option<i64>,
    /// Its checkpoints.
    pub milestones: &'a [Milestone<'a>],
}

/// The colour and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// The colour.
    pub colour: Colour,
    /// Reasons, most severe first.
    pub reasons: Vec<Msg>,
}

impl Assessment {
    /// The reasons as one Chinese sentence (stored beside the colour).
    pub fn reason_text(&self) -> String {
        self.reasons.iter().map(|m| m.render(crate::i18n::Lang::Zh)).collect::<Vec<_>>().join("；")
    }
}

fn days(from: Date, to: Date) -> i64 {
    (to - from).whole_days()
}

/// Assesses a subject on `today`.
pub fn assess(s: &Subject<'_>, r: &Rules, today: Date) -> Assessment {
    if let Some(done) = s.finished_on {
        return Assessment {
            colour: Colour::Blue,
            reasons: vec![Msg::new("已于{date}完成").arg("date", done)],
        };
    }
    let mut found: Vec<(Colour, Msg)> = Vec::new();
    if let Some(deadline) = s.deadline {
        let left = days(today, deadline);
        if left < 0 {
            found.push((Colour::Red, Msg::new("已逾期{n}天未完成").arg("n", -left)));
        } else if left <= r.due_soon_days {
            found.push((Colour::Yellow, Msg::new("距完成时限还有{n}天").arg("n", left)));
        }
    }
    for m in s.milestones.iter().filter(|m| m.done_on.is_none()) {
        let left = days(today, m.due);
        if left < 0 {
            let colour = if -left > r.milestone_red_days { Colour::Red } else { Colour::Yellow };
            found.push((colour, Msg::new("里程碑“{name}”已逾期{n}天").arg("name", m.name).arg("n", -left)));
        } else if left <= r.due_soon_days {
            found.push((
                Colour::Yellow,
                Msg::new("里程碑“{name}”将于{n}天后到期").arg("name", m.name).arg("n", left),
            ));
        }
    }
    if let (Some(progress), Some(deadline)) = (s.progress, s.deadline) {
        let span = days(s.start, deadline).max(1);
        let elapsed = days(s.start, today).clamp(0, span);
        let expected = elapsed * 100 / span;
        if expected - progress >= r.lag_points {
            found.push((
                Colour::Yellow,
                Msg::new("进度{p}%，按时间应达{e}%").arg("p", progress).arg("e", expected),
            ));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    match found.first().map(|(c, _)| *c) {
        Some(colour) => Assessment { colour, reasons: found.into_iter().map(|(_, m)| m).collect() },
        None => Assessment { colour: Colour::Green, reasons: vec![Msg::new("按计划推进")] },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const RULES: Rules = Rules { due_soon_days: 7, lag_points: 20, milestone_red_days: 15 };

    fn subject<'a>(
        deadline: Option<Date>,
        progress: Option<i64>,
        milestones: &'a [Milestone<'a>],
    ) -> Subject<'a> {
        Subject { finished_on: None, start: date!(2026 - 01 - 01), deadline, progress, milestones }
    }

    fn text(a: &Assessment) -> String {
        a.reason_text()
    }

    #[test]
    fn the_colour_table() {
        let plan = [Milestone { name: "实施方案印发", due: date!(2026 - 06 - 30), done_on: None }];
        let done_plan = [Milestone {
            name: "实施方案印发",
            due: date!(2026 - 06 - 30),
            done_on: Some(date!(2026 - 06 - 20)),
        }];
        let cases: &[(&str, Subject<'_>, Date, Colour, &str)] = &[
            (
                "finished",
                Subject {
                    finished_on: Some(date!(2026 - 09 - 01)),
                    ..subject(Some(date!(2026 - 10 - 31)), Some(100), &[])
                },
                date!(2026 - 11 - 23),
                Colour::Blue,
                "已于2026-09-01完成",
            ),
            (
                "on schedule",
                subject(Some(date!(2026 - 12 - 31)), Some(90), &[]),
                date!(2026 - 11 - 23),
                Colour::Green,
                "按计划推进",
            ),
            (
                "deadline passed",
                subject(Some(date!(2026 - 10 - 31)), Some(95), &[]),
                date!(2026 - 11 - 23),
                Colour::Red,
                "已逾期23天未完成",
            ),
            (
                "due on the day is not late",
                subject(Some(date!(2026 - 11 - 23)), Some(99), &[]),
                date!(2026 - 11 - 23),
                Colour::Yellow,
                "距完成时限还有0天",
            ),
            (
                "due within a week",
                subject(Some(date!(2026 - 11 - 30)), Some(99), &[]),
                date!(2026 - 11 - 23),
                Colour::Yellow,
                "距完成时限还有7天",
            ),
            (
                "due in eight days",
                subject(Some(date!(2026 - 12 - 01)), Some(99), &[]),
                date!(2026 - 11 - 23),
                Colour::Green,
                "按计划推进",
            ),
            (
                "lagging 20 points",
                subject(Some(date!(2026 - 12 - 31)), Some(69), &[]),
                date!(2026 - 11 - 23),
                Colour::Yellow,
                "进度69%，按时间应达89%",
            ),
            (
                "lagging 19 points",
                subject(Some(date!(2026 - 12 - 31)), Some(70), &[]),
                date!(2026 - 11 - 23),
                Colour::Green,
                "按计划推进",
            ),
            (
                "milestone overdue 3 days",
                subject(Some(date!(2026 - 12 - 31)), Some(60), &plan),
                date!(2026 - 07 - 03),
                Colour::Yellow,
                "里程碑“实施方案印发”已逾期3天",
            ),
            (
                "milestone overdue 16 days",
                subject(Some(date!(2026 - 12 - 31)), Some(60), &plan),
                date!(2026 - 07 - 16),
                Colour::Red,
                "里程碑“实施方案印发”已逾期16天",
            ),
            (
                "milestone due soon",
                subject(Some(date!(2026 - 12 - 31)), Some(60), &plan),
                date!(2026 - 06 - 25),
                Colour::Yellow,
                "里程碑“实施方案印发”将于5天后到期",
            ),
            (
                "milestone reached",
                subject(Some(date!(2026 - 12 - 31)), Some(60), &done_plan),
                date!(2026 - 07 - 16),
                Colour::Green,
                "按计划推进",
            ),
            (
                "open-ended work is green",
                subject(None, Some(10), &[]),
                date!(2026 - 11 - 23),
                Colour::Green,
                "按计划推进",
            ),
            (
                "before the start nothing is expected",
                subject(Some(date!(2026 - 12 - 31)), Some(0), &[]),
                date!(2025 - 12 - 01),
                Colour::Green,
                "按计划推进",
            ),
        ];
        for (name, s, today, colour, reason) in cases {
            let a = assess(s, &RULES, *today);
            assert_eq!((a.colour, text(&a).as_str()), (*colour, *reason), "{name}");
        }
    }

    #[test]
    fn the_worst_reason_decides_and_comes_first() {
        let plan = [Milestone { name: "试点启动", due: date!(2026 - 11 - 25), done_on: None }];
        let a = assess(&subject(Some(date!(2026 - 11 - 01)), Some(10), &plan), &RULES, date!(2026 - 11 - 23));
        assert_eq!(a.colour, Colour::Red);
        assert_eq!(text(&a), "已逾期22天未完成；里程碑“试点启动”将于2天后到期；进度10%，按时间应达100%");
    }

    #[test]
    fn thresholds_are_settings() {
        let strict = Rules { due_soon_days: 30, ..RULES };
        let a = assess(&subject(Some(date!(2026 - 12 - 20)), Some(95), &[]), &strict, date!(2026 - 11 - 23));
        assert_eq!(a.colour, Colour::Yellow);
        assert!(Rules { lag_points: 0, ..RULES }.validate().is_err());
    }

    #[test]
    fn colours_order_by_severity() {
        assert!(
            Colour::Red > Colour::Yellow && Colour::Yellow > Colour::Green && Colour::Green > Colour::Blue
        );
        assert_eq!(Colour::parse("yellow"), Some(Colour::Yellow));
        assert_eq!(Colour::parse("purple"), None);
    }
}
