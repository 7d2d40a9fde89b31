//! Parsing helpers shared by every form and API body: trim, bound, reject
//! control characters, and collect all field errors at once.

use time::Date;

use crate::error::FieldErrors;
use crate::i18n::Msg;

/// Collects field errors while a form is parsed, so the person sees them all at once.
#[derive(Debug, Default)]
pub struct Check {
    errors: FieldErrors,
}

impl Check {
    /// Keeps the value of a successful parse, or records the error under `field`.
    pub fn take<T>(&mut self, field: &str, parsed: Result<T, Msg>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(m) => {
                self.errors.add(field, m);
                None
            }
        }
    }

    /// Records an error that is not the result of a parse (a cross-field rule).
    pub fn fail(&mut self, field: &str, msg: Msg) {
        self.errors.add(field, msg);
    }

    /// Builds the result from the parsed parts; `build` runs only when no field failed.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        build().ok_or_else(|| FieldErrors::one("_", Msg::new("提交的内容不完整")))
    }
}

/// Trims `raw` and requires 1..=`max` characters without control characters.
pub fn required(raw: &str, max: usize) -> Result<String, Msg> {
    let v = optional(raw, max)?;
    if v.is_empty() { Err(Msg::new("此项为必填项")) } else { Ok(v) }
}

/// Trims `raw`; empty is allowed; at most `max` characters.
pub fn optional(raw: &str, max: usize) -> Result<String, Msg> {
    let v = raw.trim();
    if v.chars().count() > max {
        return Err(Msg::new("不能超过{max}个字").arg("max", max));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(Msg::new("含有不可见的控制字符，请删除后重试"));
    }
    Ok(v.to_string())
}

/// Parses a date written as `2026-10-31`, `2026/10/31`, `2026.10.31` or `2026年10月31日`.
pub fn date(raw: &str) -> Result<Date, Msg> {
    let bad = || Msg::new("日期格式不正确，应为 2026-10-31");
    let cleaned: String = raw
        .trim()
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .trim_end_matches('-')
        .to_string();
    let mut parts = cleaned.split('-').map(|p| p.trim().parse::<i64>());
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let month = u8::try_from(m).ok().and_then(|m| time::Month::try_from(m).ok()).ok_or_else(bad)?;
    let year = i32::try_from(y).ok().filter(|y| (1900..=2200).contains(y)).ok_or_else(bad)?;
    let day = u8::try_from(d).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

/// Parses a deadline as offices write it: a full date, or “2026年10月底前”,
/// “2026.10”, “2026年10月” (end of that month), “2026年6月30日前”,
/// “2026年底前” (end of year), “2026年上半年”, “2026年第三季度”; “长期坚持”,
/// “持续推进” or an empty cell mean no deadline.
pub fn deadline(raw: &str) -> Result<Option<Date>, Msg> {
    let v = raw.trim();
    if v.is_empty() || ["长期坚持", "持续推进", "长期", "常态化"].contains(&v) {
        return Ok(None);
    }
    let bad = || Msg::new("完成时限格式不正确，应为 2026-10-31、2026.10 或“2026年10月底前”");
    let v = v.trim_end_matches("前").trim_end_matches('底').trim_end_matches("完成").trim();
    if let Ok(d) = date(v) {
        return Ok(Some(d));
    }
    let last_of = |y: i32, m: u8| -> Result<Date, Msg> {
        let month = time::Month::try_from(m).map_err(|_| bad())?;
        let first = Date::from_calendar_date(y, month, 1).map_err(|_| bad())?;
        Ok(first.replace_day(first.month().length(y)).unwrap_or(first))
    };
    let digits = |s: &str| s.trim().parse::<i64>().ok();
    let (year_part, rest) = match v.split_once('年') {
        Some((y, r)) => (y, r.trim()),
        None => match v.split_once(['.', '-', '/']) {
            Some((y, m)) => (y, m.trim()),
            None => (v, ""),
        },
    };
    let year = digits(year_part)
        .and_then(|y| i32::try_from(y).ok())
        .filter(|y| (1900..=2200).contains(y))
        .ok_or_else(bad)?;
    let rest = rest.trim_end_matches('月').trim();
    let month: u8 = match rest {
        "" => 12,
        "上半年" => 6,
        "下半年" => 12,
        "第一季度" | "一季度" => 3,
        "第二季度" | "二季度" => 6,
        "第三季度" | "三季度" => 9,
        "第四季度" | "四季度" => 12,
        m => digits(m).and_then(|m| u8::try_from(m).ok()).filter(|m| (1..=12).contains(m)).ok_or_else(bad)?,
    };
    last_of(year, month).map(Some)
}

/// An optional date: empty means none.
pub fn optional_date(raw: &str) -> Result<Option<Date>, Msg> {
    if raw.trim().is_empty() { Ok(None) } else { date(raw).map(Some) }
}

/// Parses a display order: empty is 0, otherwise a whole number from 0 to 1,000,000.
pub fn sort_order(raw: &str) -> Result<i64, Msg> {
    if raw.trim().is_empty() {
        return Ok(0);
    }
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| (0..=1_000_000).contains(v))
        .ok_or_else(|| Msg::new("请输入0到1000000之间的整数"))
}

/// One of a fixed list of (code, label) choices, by its code; `msg` when it is not one.
pub fn choice(list: &[(&'static str, &str)], raw: &str, msg: &'static str) -> Result<String, Msg> {
    list.iter().find(|(k, _)| *k == raw.trim()).map(|(k, _)| (*k).to_string()).ok_or_else(|| Msg::new(msg))
}

/// Parses a positive database id from a form field.
pub fn id(raw: &str) -> Result<i64, Msg> {
    raw.trim().parse::<i64>().ok().filter(|v| *v > 0).ok_or_else(|| Msg::new("请选择有效的选项"))
}

/// Parses an optional id: empty means none.
pub fn optional_id(raw: &str) -> Result<Option<i64>, Msg> {
    if raw.trim().is_empty() { Ok(None) } else { id(raw).map(Some) }
}

/// A checkbox: present and not "false"/"0"/"off" means checked.
pub fn checkbox(raw: Option<&str>) -> bool {
    raw.is_some_and(|v| !matches!(v.trim(), "" | "false" | "0" | "off"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        assert_eq!(required("  市委政研室 ", 10).unwrap(), "市委政研室");
        assert_eq!(required("   ", 10).unwrap_err(), Msg::new("此项为必填项"));
        assert!(required("一二三四五六", 5).is_err());
        assert!(required("a\u{0007}b", 5).is_err());
    }

    #[test]
    fn dates_are_read_in_the_forms_offices_write() {
        for raw in ["2026-10-31", "2026/10/31", "2026.10.31", "2026年10月31日", " 2026-10-31 "] {
            assert_eq!(date(raw).unwrap(), date!(2026 - 10 - 31), "{raw}");
        }
        for raw in ["2026-02-30", "31/10/2026", "", "明年", "2026-13-01", "99999-01-01"] {
            assert!(date(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn deadlines_are_read_in_the_forms_offices_write() {
        let cases = [
            ("2026年10月底前", Some(date!(2026 - 10 - 31))),
            ("2026年10月底", Some(date!(2026 - 10 - 31))),
            ("2026.10", Some(date!(2026 - 10 - 31))),
            ("2026-02", Some(date!(2026 - 02 - 28))),
            ("2028年2月", Some(date!(2028 - 02 - 29))),
            ("2026-10-31", Some(date!(2026 - 10 - 31))),
            ("2026年6月30日前", Some(date!(2026 - 06 - 30))),
            ("2026年底前", Some(date!(2026 - 12 - 31))),
            ("2026年上半年", Some(date!(2026 - 06 - 30))),
            ("2026年第三季度", Some(date!(2026 - 09 - 30))),
            ("长期坚持", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(deadline(raw).unwrap(), want, "{raw}");
        }
        for bad in ["下个月", "2026年13月", "10月底", "2026.10.32"] {
            assert!(deadline(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_reports_every_failed_field() {
        let mut c = Check::default();
        let a = c.take("a", required("", 5));
        let b = c.take("b", id("x"));
        let err = c.finish(|| Some((a?, b?))).unwrap_err();
        assert_eq!(err.0.len(), 2);
    }
}
