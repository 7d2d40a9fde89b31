//! The loop's settings (`liaison` in the settings table), edited by the
//! system administrator: time limits per category in working days, the
//! holiday calendar, how long a contact point has to rate a reply, and how
//! much labelled history the learned suggestion needs before it replaces the
//! keyword rules. The working-day arithmetic is here, pure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Weekday};

use crate::db::{Db, DbResult};

/// Settings key.
pub const KEY: &str = "liaison";

/// The loop's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Limits {
    /// Working days to reply when the category has no limit of its own.
    pub default_days: i64,
    /// Working days per category code.
    pub per_category: BTreeMap<String, i64>,
    /// Urgent cases get this many working days at most.
    pub urgent_days: i64,
    /// Days the contact point has to rate a reply before the case closes by itself.
    pub rating_days: i64,
    /// Public holidays (no work).
    #[schema(value_type = Vec<String>)]
    pub holidays: Vec<Date>,
    /// Weekend days worked in exchange (调休上班).
    #[schema(value_type = Vec<String>)]
    pub workdays: Vec<Date>,
    /// Labelled submissions needed before the learned suggestion replaces the keyword rules.
    pub min_history: i64,
}

impl Default for Limits {
    fn default() -> Self {
        let per_category = [("safety", 5), ("livelihood", 10), ("service", 10), ("urban", 15)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        Limits {
            default_days: 15,
            per_category,
            urgent_days: 3,
            rating_days: 7,
            holidays: Vec::new(),
            workdays: Vec::new(),
            min_history: 200,
        }
    }
}

impl Limits {
    /// Reads the settings (defaults when unset).
    pub async fn load(db: &Db) -> DbResult<Limits> {
        let raw: Option<(String,)> =
            db.opt(crate::db::Query::new("select value from settings where key = $1").bind(KEY)).await?;
        Ok(raw.and_then(|(v,)| serde_json::from_str(&v).ok()).unwrap_or_default())
    }

    /// Working days allowed for a case of `category`.
    pub fn days_for(&self, category: &str, urgent: bool) -> i64 {
        let days = self.per_category.get(category).copied().unwrap_or(self.default_days);
        if urgent { days.min(self.urgent_days) } else { days }
    }

    /// Is `d` a working day?
    pub fn works(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.holidays.contains(&d)
    }

    /// The due date `days` working days after `from` (the day of dispatch does not count).
    pub fn due(&self, from: Date, days: i64) -> Date {
        let mut d = from;
        let mut left = days.max(0);
        while left > 0 {
            match d.next_day() {
                Some(n) => d = n,
                None => return d,
            }
            if self.works(d) {
                left -= 1;
            }
        }
        d
    }

    /// Checks an administrator's edit.
    pub fn validate(&self) -> Result<(), (&'static str, crate::i18n::Msg)> {
        let bad = |v: i64, lo, hi| !(lo..=hi).contains(&v);
        let msg = |lo: i64, hi: i64| crate::i18n::Msg::new("应在{lo}到{hi}之间").arg("lo", lo).arg("hi", hi);
        if bad(self.default_days, 1, 90) || self.per_category.values().any(|v| bad(*v, 1, 90)) {
            return Err(("default_days", msg(1, 90)));
        }
        if bad(self.urgent_days, 1, 30) {
            return Err(("urgent_days", msg(1, 30)));
        }
        if bad(self.rating_days, 1, 60) {
            return Err(("rating_days", msg(1, 60)));
        }
        if bad(self.min_history, 20, 100_000) {
            return Err(("min_history", msg(20, 100_000)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_makeup_days() {
        let mut l = Limits::default();
        // Monday 2026-11-23 + 5 working days = Monday 2026-11-30.
        assert_eq!(l.due(date!(2026 - 11 - 23), 5), date!(2026 - 11 - 30));
        // Dispatched on a Friday: the weekend does not count.
        assert_eq!(l.due(date!(2026 - 11 - 27), 1), date!(2026 - 11 - 30));
        // Dispatched on a Saturday: Monday is the first working day.
        assert_eq!(l.due(date!(2026 - 11 - 28), 1), date!(2026 - 11 - 30));
        // A holiday on Tuesday pushes the due date a day.
        l.holidays = vec![date!(2026 - 11 - 24)];
        assert_eq!(l.due(date!(2026 - 11 - 23), 5), date!(2026 - 12 - 01));
        // A Saturday worked in exchange counts.
        l.workdays = vec![date!(2026 - 11 - 28)];
        assert_eq!(l.due(date!(2026 - 11 - 23), 5), date!(2026 - 11 - 30));
        assert_eq!(l.due(date!(2026 - 11 - 23), 0), date!(2026 - 11 - 23));
    }

    #[test]
    fn limits_by_category_and_urgency() {
        let l = Limits::default();
        assert_eq!(l.days_for("safety", false), 5);
        assert_eq!(l.days_for("environment", false), 15);
        assert_eq!(l.days_for("environment", true), 3);
        assert!(Limits { rating_days: 0, ..Limits::default() }.validate().is_err());
        assert!(Limits::default().validate().is_ok());
    }
}
