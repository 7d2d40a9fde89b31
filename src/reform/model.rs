//! Reform task and progress-report input, parsed at the edge, pure.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::validate::{Check, date, deadline, id, optional, optional_date, required};

/// How often the lead unit reports progress.
pub const CYCLES: &[(&str, &str)] = &[("monthly", "每月"), ("quarterly", "每季度"), ("none", "不定期")];

/// A task as typed in a form, a JSON body or a ledger row.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TaskInput {
    /// 任务名称.
    pub title: String,
    /// Year of the list.
    pub year: String,
    /// Source: a code of the `reform_source` dictionary.
    pub source: String,
    /// Field: a code of the `reform_field` dictionary.
    pub field: String,
    /// Lead unit id.
    pub lead_unit_id: String,
    /// Cooperating unit ids.
    pub unit_ids: Vec<String>,
    /// Leader in charge: an account id.
    pub leader_account_id: String,
    /// Leader in charge, as named (when not an account).
    pub leader_name: String,
    /// 改革目标.
    pub goals: String,
    /// 预期成果.
    pub outputs: String,
    /// Start date (defaults to 1 January of the year).
    pub start_on: String,
    /// 完成时限, in any of the usual forms.
    pub deadline: String,
    /// Tags, separated by commas or “、” (破零, 微改革 …).
    pub tags: String,
    /// `monthly`, `quarterly` or `none`.
    pub report_cycle: String,
    /// Day of the month reports are due (1–28).
    pub report_day: String,
}

/// A validated task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskFields {
    /// Title.
    pub title: String,
    /// Year.
    pub year: i64,
    /// Source code.
    pub source: String,
    /// Field code (may be empty).
    pub field: String,
    /// Lead unit.
    pub lead_unit_id: i64,
    /// Cooperating units (without the lead unit), sorted.
    pub unit_ids: Vec<i64>,
    /// Leader account.
    pub leader_account_id: Option<i64>,
    /// Leader name.
    pub leader_name: String,
    /// Goals.
    pub goals: String,
    /// Expected outputs.
    pub outputs: String,
    /// Start.
    pub start_on: Date,
    /// Deadline.
    pub deadline: Option<Date>,
    /// Tags, sorted, unique.
    pub tags: Vec<String>,
    /// Report cycle.
    pub report_cycle: String,
    /// Report day.
    pub report_day: i64,
}

/// Splits a tag list written with commas, “、”, “，” or spaces.
pub fn split_tags(raw: &str) -> Result<Vec<String>, Msg> {
    let mut tags: Vec<String> = raw
        .split([',', '，', '、', ';', '；', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| optional(t, 20).map(|t| t.to_string()))
        .collect::<Result<_, _>>()?;
    tags.sort();
    tags.dedup();
    if tags.len() > 10 {
        return Err(Msg::new("标签不能超过10个"));
    }
    Ok(tags)
}

fn year(raw: &str) -> Result<i64, Msg> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| Msg::new("请填写有效的年度"))
}

impl TaskInput {
    /// Parses every field, reporting all errors at once.
    pub fn parse(&self) -> Result<TaskFields, FieldErrors> {
        let mut c = Check::default();
        let title = c.take("title", required(&self.title, 200));
        let year = c.take("year", year(&self.year));
        let source = c.take("source", required(&self.source, 32));
        let field = c.take("field", optional(&self.field, 32));
        let lead = c.take("lead_unit_id", id(&self.lead_unit_id));
        let mut unit_ids = Vec::new();
        for raw in self.unit_ids.iter().filter(|u| !u.trim().is_empty()) {
            if let Some(u) = c.take("unit_ids", id(raw)) {
                unit_ids.push(u);
            }
        }
        unit_ids.sort_unstable();
        unit_ids.dedup();
        unit_ids.retain(|u| Some(*u) != lead);
        let leader = c.take("leader_account_id", crate::validate::optional_id(&self.leader_account_id));
        let leader_name = c.take("leader_name", optional(&self.leader_name, 30));
        let goals = c.take("goals", optional(&self.goals, 2000));
        let outputs = c.take("outputs", optional(&self.outputs, 2000));
        let start = c.take("start_on", optional_date(&self.start_on));
        let due = c.take("deadline", deadline(&self.deadline));
        let tags = c.take("tags", split_tags(&self.tags));
        let cycle = match self.report_cycle.trim() {
            "" => Some("monthly".to_string()),
            v if CYCLES.iter().any(|(code, _)| *code == v) => Some(v.to_string()),
            _ => {
                c.fail("report_cycle", Msg::new("请选择有效的报送周期"));
                None
            }
        };
        let day = match self.report_day.trim() {
            "" => Some(25),
            v => c.take(
                "report_day",
                v.parse::<i64>()
                    .ok()
                    .filter(|d| (1..=28).contains(d))
                    .ok_or_else(|| Msg::new("请填写1到28之间的日期")),
            ),
        };
        let start_on = match (start.flatten(), year) {
            (Some(s), _) => Some(s),
            (None, Some(y)) => Date::from_ordinal_date(i32::try_from(y).unwrap_or(2000), 1).ok(),
            _ => None,
        };
        if let (Some(s), Some(Some(d))) = (start_on, due)
            && d < s
        {
            c.fail("deadline", Msg::new("完成时限不能早于开始日期"));
        }
        c.finish(|| {
            Some(TaskFields {
                title: title?,
                year: year?,
                source: source?,
                field: field?,
                lead_unit_id: lead?,
                unit_ids,
                leader_account_id: leader?,
                leader_name: leader_name?,
                goals: goals?,
                outputs: outputs?,
                start_on: start_on?,
                deadline: due?,
                tags: tags?,
                report_cycle: cycle?,
                report_day: day?,
            })
        })
    }
}

/// A milestone as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MilestoneInput {
    /// Name (“实施方案印发”).
    pub name: String,
    /// Due date.
    pub due_on: String,
}

impl MilestoneInput {
    /// Parses the milestone.
    pub fn parse(&self) -> Result<(String, Date), FieldErrors> {
        let mut c = Check::default();
        let name = c.take("name", required(&self.name, 60));
        let due = c.take("due_on", date(&self.due_on));
        c.finish(|| Some((name?, due?)))
    }
}

/// A progress report as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReportInput {
    /// Percent done (0–100).
    pub percent: String,
    /// What was done.
    pub content: String,
    /// Problems met.
    pub problems: String,
    /// What comes next.
    pub next_steps: String,
    /// The reporting unit (defaults to the reporter's own).
    pub unit_id: String,
}

/// A validated report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportFields {
    /// Percent.
    pub percent: i64,
    /// Content.
    pub content: String,
    /// Problems.
    pub problems: String,
    /// Next steps.
    pub next_steps: String,
}

impl ReportInput {
    /// Parses the report.
    pub fn parse(&self) -> Result<ReportFields, FieldErrors> {
        let mut c = Check::default();
        let percent = c.take(
            "percent",
            self.percent
                .trim()
                .trim_end_matches('%')
                .parse::<i64>()
                .ok()
                .filter(|p| (0..=100).contains(p))
                .ok_or_else(|| Msg::new("请填写0到100之间的整数")),
        );
        let content = c.take("content", required(&self.content, 5000));
        let problems = c.take("problems", optional(&self.problems, 2000));
        let next_steps = c.take("next_steps", optional(&self.next_steps, 2000));
        c.finish(|| {
            Some(ReportFields {
                percent: percent?,
                content: content?,
                problems: problems?,
                next_steps: next_steps?,
            })
        })
    }
}

/// The reporting period a date falls in, by cycle: `2026-11` monthly, `2026-Q4` quarterly.
pub fn period_of(cycle: &str, d: Date) -> String {
    let m = u8::from(d.month());
    match cycle {
        "quarterly" => format!("{}-Q{}", d.year(), (m - 1) / 3 + 1),
        _ => format!("{}-{:02}", d.year(), m),
    }
}

/// When the report of the period containing `d` is due (the report day of the
/// period's last month for quarterly, of the month for monthly); none for `none`.
pub fn due_in_period(cycle: &str, day: i64, d: Date) -> Option<Date> {
    let last_month = match cycle {
        "monthly" => u8::from(d.month()),
        "quarterly" => ((u8::from(d.month()) - 1) / 3 + 1) * 3,
        _ => return None,
    };
    let month = time::Month::try_from(last_month).ok()?;
    Date::from_calendar_date(d.year(), month, u8::try_from(day.clamp(1, 28)).ok()?).ok()
}

/// The Chinese label of a report status.
pub fn report_status_label(status: &str) -> &'static str {
    match status {
        "submitted" => "待审核",
        "accepted" => "已采纳",
        "returned" => "已退回",
        "superseded" => "已重报",
        _ => "未知",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> TaskInput {
        TaskInput {
            title: "推进“高效办成一件事”改革".into(),
            year: "2026".into(),
            source: "provincial".into(),
            lead_unit_id: "5".into(),
            unit_ids: vec!["7".into(), "5".into(), "7".into()],
            deadline: "2026年10月底前".into(),
            tags: "破零、 微改革,破零".into(),
            ..TaskInput::default()
        }
    }

    #[test]
    fn a_task_parses_with_defaults_for_what_is_missing() {
        let f = input().parse().unwrap();
        assert_eq!(f.unit_ids, vec![7], "the lead unit is not also cooperating; duplicates go");
        assert_eq!(f.deadline, Some(date!(2026 - 10 - 31)));
        assert_eq!(f.start_on, date!(2026 - 01 - 01));
        assert_eq!(f.tags, vec!["微改革".to_string(), "破零".to_string()]);
        assert_eq!((f.report_cycle.as_str(), f.report_day), ("monthly", 25));
    }

    #[test]
    fn a_deadline_before_the_start_is_refused() {
        let bad = TaskInput { start_on: "2026-11-01".into(), deadline: "2026-10-01".into(), ..input() };
        assert!(bad.parse().unwrap_err().0.contains_key("deadline"));
    }

    #[test]
    fn periods_and_due_dates_follow_the_cycle() {
        assert_eq!(period_of("monthly", date!(2026 - 11 - 23)), "2026-11");
        assert_eq!(period_of("quarterly", date!(2026 - 11 - 23)), "2026-Q4");
        assert_eq!(due_in_period("monthly", 25, date!(2026 - 11 - 03)), Some(date!(2026 - 11 - 25)));
        assert_eq!(due_in_period("quarterly", 20, date!(2026 - 10 - 03)), Some(date!(2026 - 12 - 20)));
        assert_eq!(due_in_period("none", 20, date!(2026 - 10 - 03)), None);
    }

    #[test]
    fn a_report_needs_a_percent_and_content() {
        let e = ReportInput::default().parse().unwrap_err();
        assert!(e.0.contains_key("percent") && e.0.contains_key("content"));
        let ok =
            ReportInput {
                percent: "60%".into(), content: "完成方案起草".into(), ..ReportInput::default()
            };
        assert_eq!(ok.parse().unwrap().percent, 60);
        assert!(ReportInput { percent: "101".into(), ..ok }.parse().is_err());
    }
}
