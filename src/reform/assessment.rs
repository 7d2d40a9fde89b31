//! The yearly assessment (年度考核, R6): a scheme held as data — indicators
//! with weights, a target and a scoring rule — where some indicators are
//! computed from the data and others are entered by assessors. Every unit
//! that leads a task in the year gets a score, a rank and a breakdown that
//! explains each part in words.
//!
//! Scoring: the indicator's value is compared with its target. `linear` gives
//! weight × min(value ÷ target, 1); `threshold` gives the full weight when the
//! value reaches the target and nothing otherwise. Rates are 0–1; counts are
//! counts; entered values are on the indicator's own scale.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::model::due_in_period;
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Scope, Target};
use crate::db::{Db, DbResult, Query, Sql};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::{Check, optional, required};

/// Metrics computed from the data: (code, label, how the value reads).
pub const METRICS: &[(&str, &str)] = &[
    ("on_time_report_rate", "进展按时报送率"),
    ("completion_rate", "任务按期完成率"),
    ("cases_adopted", "典型案例被采用篇数"),
    ("inspections_passed", "督察通过率"),
    ("star_average", "星级评价得星率"),
    ("review_score", "绩效考评得分率"),
    ("public_score", "群众评议得分率"),
];

/// Scoring rules.
pub const RULES: &[(&str, &str)] = &[("linear", "按比例计分"), ("threshold", "达标计满分")];

/// Indicator kinds.
pub const KINDS: &[(&str, &str)] = &[("computed", "系统计算"), ("entered", "评审录入")];

/// Parses a year.
pub fn year(raw: &str) -> Result<i64, Msg> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| Msg::new("请填写有效的年度"))
}

/// 1 January of `year` and of the year after.
pub fn year_bounds(year: i64) -> (Date, Date) {
    let y = i32::try_from(year).unwrap_or(2000);
    let first = |y| Date::from_calendar_date(y, Month::January, 1).unwrap_or(Date::MIN);
    (first(y), first(y + 1))
}

/// A year's scheme.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Scheme {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Name.
    pub name: String,
    /// Note.
    pub note: String,
}

/// An indicator.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Indicator {
    /// Id.
    pub id: i64,
    /// Scheme.
    pub scheme_id: i64,
    /// Name.
    pub name: String,
    /// Points.
    pub weight: f64,
    /// `computed` or `entered`.
    pub kind: String,
    /// The metric, when computed.
    pub metric: String,
    /// The value that earns full points.
    pub target: f64,
    /// `linear` or `threshold`.
    pub rule: String,
    /// Order.
    pub sort_order: i64,
}

/// The scheme of a year with its indicators.
pub async fn scheme(db: &Db, year: i64) -> DbResult<Option<(Scheme, Vec<Indicator>)>> {
    let s: Option<Scheme> = db
        .opt(Query::new("select id, year, name, note from reform_schemes where year = $1").bind(year))
        .await?;
    let Some(s) = s else { return Ok(None) };
    let list = db
        .all(
            Query::new(
                "select id, scheme_id, name, weight, kind, metric, target, rule, sort_order from reform_indicators \
                 where scheme_id = $1 order by sort_order, id",
            )
            .bind(s.id),
        )
        .await?;
    Ok(Some((s, list)))
}

/// The indicators a new scheme starts with (weights sum to 100).
pub const DEFAULT_INDICATORS: &[(&str, f64, &str, &str, f64, &str)] = &[
    ("按时报送改革进展", 15.0, "computed", "on_time_report_rate", 1.0, "linear"),
    ("按期完成改革任务", 30.0, "computed", "completion_rate", 1.0, "linear"),
    ("典型案例被采用", 10.0, "computed", "cases_adopted", 2.0, "linear"),
    ("改革督察通过", 10.0, "computed", "inspections_passed", 1.0, "linear"),
    ("改革成效星级评价", 10.0, "computed", "star_average", 1.0, "linear"),
    ("绩效考评", 10.0, "computed", "review_score", 1.0, "linear"),
    ("群众评议", 5.0, "computed", "public_score", 1.0, "linear"),
    ("改革创新加分", 10.0, "entered", "", 10.0, "linear"),
];

/// Creates a year's scheme with the default indicators.
pub async fn create_scheme(c: &Caller<'_>, year_raw: &str) -> AppResult<i64> {
    c.who.require(Module::Reform, Action::Approve)?;
    let y = year(year_raw).map_err(|m| FieldErrors::one("year", m))?;
    let mut tx = c.state.db.begin().await?;
    let exists: i64 =
        tx.scalar(Query::new("select count(*) from reform_schemes where year = $1").bind(y)).await?;
    if exists > 0 {
        return Err(AppError::Conflict(Msg::new("{year}年考核方案已存在").arg("year", y)));
    }
    let id: i64 = tx
        .scalar(
            Query::new("insert into reform_schemes (year, name, created_at, updated_at) values ($1, $2, $3, $3) returning id")
                .bind(y)
                .bind(format!("{y}年度全面深化改革工作考核方案"))
                .bind(c.now),
        )
        .await?;
    for (i, (name, weight, kind, metric, target, rule)) in DEFAULT_INDICATORS.iter().enumerate() {
        tx.exec(
            Query::new(
                "insert into reform_indicators (scheme_id, name, weight, kind, metric, target, rule, sort_order) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(*name)
            .bind(*weight)
            .bind(*kind)
            .bind(*metric)
            .bind(*target)
            .bind(*rule)
            .bind(i64::try_from(i).unwrap_or(0) * 10 + 10),
        )
        .await?;
    }
    let ev =
        Event::new("reform.scheme_create", "reform_scheme", id).summary(format!("制定{y}年度改革考核方案"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// An indicator as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IndicatorInput {
    /// Name.
    pub name: String,
    /// Points.
    pub weight: String,
    /// `computed` or `entered`.
    pub kind: String,
    /// Metric (computed only).
    pub metric: String,
    /// Target.
    pub target: String,
    /// `linear` or `threshold`.
    pub rule: String,
    /// Order.
    pub sort_order: String,
}

/// A validated indicator.
#[derive(Clone, Debug, Serialize)]
pub struct IndicatorFields {
    name: String,
    weight: f64,
    kind: String,
    metric: String,
    target: f64,
    rule: String,
    sort_order: i64,
}

fn pick(table: &'static [(&'static str, &'static str)], raw: &str, msg: &'static str) -> Result<String, Msg> {
    table.iter().find(|(c, _)| *c == raw.trim()).map(|(c, _)| (*c).to_string()).ok_or_else(|| Msg::new(msg))
}

impl IndicatorInput {
    /// Parses the indicator.
    pub fn parse(&self) -> Result<IndicatorFields, FieldErrors> {
        let mut c = Check::default();
        let name = c.take("name", required(&self.name, 60));
        let weight = c.take("weight", super::evaluation::score(&self.weight, 100.0));
        let kind = c.take("kind", pick(KINDS, &self.kind, "请选择指标类型"));
        let metric = match kind.as_deref() {
            Some("computed") => c.take("metric", pick(METRICS, &self.metric, "请选择计算口径")),
            _ => Some(String::new()),
        };
        let target = c.take(
            "target",
            self.target
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|t| t.is_finite() && *t > 0.0 && *t <= 1000.0)
                .ok_or_else(|| Msg::new("目标值应大于0")),
        );
        let rule = c.take("rule", pick(RULES, &self.rule, "请选择计分规则"));
        let order = c.take("sort_order", crate::validate::sort_order(&self.sort_order));
        c.finish(|| {
            Some(IndicatorFields {
                name: name?,
                weight: weight?,
                kind: kind?,
                metric: metric?,
                target: target?,
                rule: rule?,
                sort_order: order?,
            })
        })
    }
}

async fn scheme_of_indicator(c: &Caller<'_>, indicator_id: i64) -> AppResult<(i64, String)> {
    let row: Option<(i64, String)> = c
        .state
        .db
        .opt(Query::new("select s.year, i.name from reform_indicators i join reform_schemes s on s.id = i.scheme_id where i.id = $1").bind(indicator_id))
        .await?;
    row.ok_or(AppError::NotFound)
}

/// Adds an indicator to a year's scheme.
pub async fn add_indicator(c: &Caller<'_>, year_value: i64, input: &IndicatorInput) -> AppResult<i64> {
    c.who.require(Module::Reform, Action::Approve)?;
    let (s, _) = scheme(&c.state.db, year_value).await?.ok_or(AppError::NotFound)?;
    let f = input.parse()?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into reform_indicators (scheme_id, name, weight, kind, metric, target, rule, sort_order) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
            )
            .bind(s.id)
            .bind(&f.name)
            .bind(f.weight)
            .bind(&f.kind)
            .bind(&f.metric)
            .bind(f.target)
            .bind(&f.rule)
            .bind(f.sort_order),
        )
        .await?;
    tx.exec(Query::new("update reform_schemes set updated_at = $1 where id = $2").bind(c.now).bind(s.id))
        .await?;
    let ev = Event::new("reform.indicator_add", "reform_scheme", s.id)
        .summary(format!("{year_value}年考核方案增加指标“{}”", f.name))
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes an indicator.
pub async fn update_indicator(c: &Caller<'_>, indicator_id: i64, input: &IndicatorInput) -> AppResult<()> {
    c.who.require(Module::Reform, Action::Approve)?;
    let (y, before) = scheme_of_indicator(c, indicator_id).await?;
    let f = input.parse()?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new(
            "update reform_indicators set name = $1, weight = $2, kind = $3, metric = $4, target = $5, rule = $6, sort_order = $7 where id = $8",
        )
        .bind(&f.name)
        .bind(f.weight)
        .bind(&f.kind)
        .bind(&f.metric)
        .bind(f.target)
        .bind(&f.rule)
        .bind(f.sort_order)
        .bind(indicator_id),
    )
    .await?;
    let ev = Event::new("reform.indicator_update", "reform_indicator", indicator_id)
        .summary(format!("修改{y}年考核指标“{before}”"))
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an indicator (and its entered values).
pub async fn delete_indicator(c: &Caller<'_>, indicator_id: i64) -> AppResult<()> {
    c.who.require(Module::Reform, Action::Approve)?;
    let (y, name) = scheme_of_indicator(c, indicator_id).await?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(Query::new("delete from reform_indicator_entries where indicator_id = $1").bind(indicator_id))
        .await?;
    tx.exec(Query::new("delete from reform_indicators where id = $1").bind(indicator_id)).await?;
    let ev = Event::new("reform.indicator_delete", "reform_indicator", indicator_id)
        .summary(format!("删除{y}年考核指标“{name}”"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves assessors' values of an entered indicator for many units at once:
/// (unit id, value) where an empty value clears the entry.
pub async fn save_entries(
    c: &Caller<'_>,
    indicator_id: i64,
    values: &[(String, String)],
) -> AppResult<usize> {
    c.who.require(Module::Reform, Action::Approve)?;
    let (y, name) = scheme_of_indicator(c, indicator_id).await?;
    let (kind, target): (String, f64) = c
        .state
        .db
        .opt(Query::new("select kind, target from reform_indicators where id = $1").bind(indicator_id))
        .await?
        .ok_or(AppError::NotFound)?;
    if kind != "entered" {
        return Err(AppError::Conflict(Msg::new("系统计算的指标不能手工录入")));
    }
    let scope = c.who.scope(Module::Reform, Action::Approve);
    let mut check = Check::default();
    let mut parsed = Vec::new();
    for (unit, raw) in values {
        let field = format!("value_{unit}");
        let Some(u) = check.take(&field, crate::validate::id(unit)) else { continue };
        let path: Option<(String,)> =
            c.state.db.opt(Query::new("select path from units where id = $1").bind(u)).await?;
        let Some((path,)) = path else {
            check.fail(&field, Msg::new("单位不存在"));
            continue;
        };
        if !scope.allows(Target { unit_id: u, unit_path: &path, owner_id: None }) {
            return Err(AppError::Forbidden);
        }
        if raw.trim().is_empty() {
            parsed.push((u, None));
        } else if let Some(v) = check.take(&field, super::evaluation::score(raw, target)) {
            parsed.push((u, Some(v)));
        }
    }
    check.finish(|| Some(()))?;
    let mut tx = c.state.db.begin().await?;
    for (u, v) in &parsed {
        match v {
            Some(v) => {
                tx.exec(
                    Query::new(
                        "insert into reform_indicator_entries (indicator_id, unit_id, value, by_account, at) values ($1, $2, $3, $4, $5) \
                         on conflict (indicator_id, unit_id) do update set value = $3, by_account = $4, at = $5",
                    )
                    .bind(indicator_id)
                    .bind(*u)
                    .bind(*v)
                    .bind(c.who.account_id)
                    .bind(c.now),
                )
                .await?;
            }
            None => {
                tx.exec(
                    Query::new(
                        "delete from reform_indicator_entries where indicator_id = $1 and unit_id = $2",
                    )
                    .bind(indicator_id)
                    .bind(*u),
                )
                .await?;
            }
        }
    }
    let ev = Event::new("reform.indicator_entries", "reform_indicator", indicator_id)
        .summary(format!("录入{y}年考核指标“{name}”{}个单位的得分", parsed.len()));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(parsed.len())
}

/// One part of a unit's score.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Part {
    /// Indicator.
    pub indicator_id: i64,
    /// Its name.
    pub name: String,
    /// Its weight.
    pub weight: f64,
    /// The value (none: no data, scored in full or as nothing, see `text`).
    pub value: Option<f64>,
    /// Points earned.
    pub score: f64,
    /// Why, in words.
    pub text: String,
}

/// A unit's place in the ranking.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Ranked {
    /// 1-based rank (ties share a rank).
    pub rank: usize,
    /// Unit.
    pub unit_id: i64,
    /// Name.
    pub unit_name: String,
    /// Path.
    pub unit_path: String,
    /// Total points.
    pub total: f64,
    /// The breakdown, in the scheme's order.
    pub parts: Vec<Part>,
}

/// Points for `value` against an indicator.
pub fn points(weight: f64, target: f64, rule: &str, value: f64) -> f64 {
    let share = if target > 0.0 { value / target } else { 0.0 };
    let p = match rule {
        "threshold" => {
            if share >= 1.0 {
                weight
            } else {
                0.0
            }
        }
        _ => weight * share.clamp(0.0, 1.0),
    };
    (p * 100.0).round() / 100.0
}

/// How many report due dates of a task fall within [from, to].
pub fn reports_due(cycle: &str, day: i64, from: Date, to: Date) -> i64 {
    if to < from {
        return 0;
    }
    let mut n = 0;
    let (mut y, mut m) = (from.year(), u8::from(from.month()));
    while let Ok(month) = Month::try_from(m) {
        let Ok(probe) = Date::from_calendar_date(y, month, 1) else { break };
        if probe > to {
            break;
        }
        if let Some(due) = due_in_period(cycle, day, probe)
            && due.month() == month
            && due >= from
            && due <= to
        {
            n += 1;
        }
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    n
}

/// Raw figures per unit for one year, as of a date.
#[derive(Clone, Debug, Default)]
struct Figures {
    expected_reports: i64,
    on_time_reports: i64,
    due_tasks: i64,
    done_on_time: i64,
    cases_adopted: i64,
    inspected: i64,
    passed: i64,
    star_rate: Option<f64>,
    review: Option<f64>,
    public: Option<f64>,
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn describe(metric: &str, f: &Figures) -> (Option<f64>, String) {
    match metric {
        "on_time_report_rate" if f.expected_reports == 0 => (None, "本年度尚无应报进展".into()),
        "on_time_report_rate" => {
            let v = (f.on_time_reports as f64 / f.expected_reports as f64).min(1.0);
            (
                Some(v),
                format!("应报{}期，按时报送{}期，按时率{}", f.expected_reports, f.on_time_reports, pct(v)),
            )
        }
        "completion_rate" if f.due_tasks == 0 => (None, "本年度尚无到期任务".into()),
        "completion_rate" => {
            let v = f.done_on_time as f64 / f.due_tasks as f64;
            (Some(v), format!("到期任务{}项，按期完成{}项，完成率{}", f.due_tasks, f.done_on_time, pct(v)))
        }
        "cases_adopted" => (Some(f.cases_adopted as f64), format!("典型案例被采用{}篇", f.cases_adopted)),
        "inspections_passed" if f.inspected == 0 => (None, "本年度未接受督察".into()),
        "inspections_passed" => {
            let v = f.passed as f64 / f.inspected as f64;
            (Some(v), format!("接受督察{}次，通过{}次，通过率{}", f.inspected, f.passed, pct(v)))
        }
        "star_average" => match f.star_rate {
            Some(v) => (Some(v), format!("牵头任务星级评价得星率{}", pct(v))),
            None => (None, "牵头任务尚未评星".into()),
        },
        "review_score" => match f.review {
            Some(s) => (Some(s / 100.0), format!("绩效考评{s}分")),
            None => (None, "尚未录入绩效考评得分".into()),
        },
        "public_score" => match f.public {
            Some(s) => (Some(s / 100.0), format!("群众评议{s}分")),
            None => (None, "尚未录入群众评议得分".into()),
        },
        _ => (None, "未知口径".into()),
    }
}

/// Whether a metric with no data earns full points (nothing was due, so
/// nothing was missed) or none (nothing was shown).
fn full_when_empty(metric: &str) -> bool {
    matches!(metric, "on_time_report_rate" | "completion_rate" | "inspections_passed")
}

/// (lead unit, report cycle, report day, start, deadline, finished).
type TaskDates = (i64, String, i64, Date, Option<Date>, Option<Date>);

async fn figures(db: &Db, year_value: i64, as_of: Date) -> DbResult<HashMap<i64, Figures>> {
    let mut out: HashMap<i64, Figures> = HashMap::new();
    let (first, next) = year_bounds(year_value);
    let last = next.previous_day().unwrap_or(next);
    let end = as_of.min(last);
    let tasks: Vec<TaskDates> = db
        .all(
            Query::new(
                "select lead_unit_id, report_cycle, report_day, start_on, deadline, finished_on from reform_tasks \
                 where year = $1 and status <> 'cancelled'",
            )
            .bind(year_value),
        )
        .await?;
    for (unit, cycle, day, start, deadline, finished) in tasks {
        let f = out.entry(unit).or_default();
        let from = start.max(first);
        let to = finished.map_or(end, |d| d.min(end));
        f.expected_reports += reports_due(&cycle, day, from, to);
        let finished_by = finished.filter(|d| *d <= end);
        let due = deadline.is_some_and(|d| d <= end);
        if due || finished_by.is_some() {
            f.due_tasks += 1;
            if let Some(done) = finished_by
                && deadline.is_none_or(|d| done <= d)
            {
                f.done_on_time += 1;
            }
        }
    }
    let on_time: Vec<(i64, i64)> = db
        .all(
            Query::new(
                "select t.lead_unit_id, count(distinct cast(r.task_id as text) || '/' || r.period) from reform_reports r \
                 join reform_tasks t on t.id = r.task_id where t.year = $1 and r.unit_id = t.lead_unit_id and r.version = 1 \
                 and r.on_time = true and r.due_on >= $2 and r.due_on <= $3 group by t.lead_unit_id",
            )
            .bind(year_value)
            .bind(first)
            .bind(end),
        )
        .await?;
    for (unit, n) in on_time {
        out.entry(unit).or_default().on_time_reports = n;
    }
    for (unit, n) in super::cases::adopted_by_unit(db, year_value).await? {
        out.entry(unit).or_default().cases_adopted = n;
    }
    for (unit, inspected, passed) in super::inspections::passed_by_unit(db, year_value).await? {
        let f = out.entry(unit).or_default();
        f.inspected = inspected;
        f.passed = passed;
    }
    let stars: Vec<(i64, f64)> = db
        .all(
            Query::new(
                "select t.lead_unit_id, avg(cast(s.stars as double precision) / c.max_stars) from reform_star_ratings s \
                 join reform_star_criteria c on c.id = s.criterion_id join reform_tasks t on t.id = s.task_id \
                 where t.year = $1 group by t.lead_unit_id",
            )
            .bind(year_value),
        )
        .await?;
    for (unit, v) in stars {
        out.entry(unit).or_default().star_rate = Some(v);
    }
    for s in super::evaluation::unit_scores(db, year_value).await? {
        let f = out.entry(s.unit_id).or_default();
        if s.kind == "review" {
            f.review = Some(s.score);
        } else {
            f.public = Some(s.score);
        }
    }
    Ok(out)
}

/// Scores and ranks every unit that leads a task in `year`, as of `as_of`;
/// returns only the rows `scope` reaches (ranks stay those of the whole list).
pub async fn ranking(
    db: &Db,
    scope: &Scope,
    year_value: i64,
    as_of: Date,
) -> DbResult<Option<(Scheme, Vec<Indicator>, Vec<Ranked>)>> {
    let Some((s, indicators)) = scheme(db, year_value).await? else { return Ok(None) };
    let figures = figures(db, year_value, as_of).await?;
    let mut units_sql = Sql::new(
        "select u.id, u.name, u.path from units u where u.id in (select distinct lead_unit_id from reform_tasks where year = ",
    );
    units_sql.bind(year_value).push(" and status <> 'cancelled') order by u.path");
    let units: Vec<(i64, String, String)> = db.all(units_sql.build()).await?;
    let ids: Vec<i64> = indicators.iter().map(|i| i.id).collect();
    let mut entries: HashMap<(i64, i64), f64> = HashMap::new();
    if !ids.is_empty() {
        let mut sql = Sql::new(
            "select indicator_id, unit_id, value from reform_indicator_entries where indicator_id in ",
        );
        sql.bind_list(ids.iter().copied());
        let rows: Vec<(i64, i64, f64)> = db.all(sql.build()).await?;
        entries = rows.into_iter().map(|(i, u, v)| ((i, u), v)).collect();
    }
    let empty = Figures::default();
    let mut ranked: Vec<Ranked> = units
        .into_iter()
        .map(|(unit_id, unit_name, unit_path)| {
            let f = figures.get(&unit_id).unwrap_or(&empty);
            let parts: Vec<Part> = indicators
                .iter()
                .map(|i| {
                    let (value, what) = if i.kind == "entered" {
                        match entries.get(&(i.id, unit_id)) {
                            Some(v) => (Some(*v), format!("评审录入{v}")),
                            None => (None, "尚未录入".to_string()),
                        }
                    } else {
                        describe(&i.metric, f)
                    };
                    let (score, how) = match value {
                        Some(v) => (points(i.weight, i.target, &i.rule, v), String::new()),
                        None if i.kind == "computed" && full_when_empty(&i.metric) => {
                            (i.weight, "，按满分计".to_string())
                        }
                        None => (0.0, "，不得分".to_string()),
                    };
                    let rule = if i.rule == "threshold" { "达标计满分" } else { "按比例计分" };
                    let is_rate = i.kind == "computed" && i.metric != "cases_adopted";
                    let target = if is_rate { pct(i.target) } else { format!("{}", i.target) };
                    let text = format!("{what}{how}；目标{target}，{rule}，得{score}分（满分{}）", i.weight);
                    Part { indicator_id: i.id, name: i.name.clone(), weight: i.weight, value, score, text }
                })
                .collect();
            let total = (parts.iter().map(|p| p.score).sum::<f64>() * 100.0).round() / 100.0;
            Ranked { rank: 0, unit_id, unit_name, unit_path, total, parts }
        })
        .collect();
    ranked.sort_by(|a, b| b.total.total_cmp(&a.total).then_with(|| a.unit_path.cmp(&b.unit_path)));
    let mut prev: Option<f64> = None;
    let mut rank = 0;
    for (i, r) in ranked.iter_mut().enumerate() {
        if prev != Some(r.total) {
            rank = i + 1;
            prev = Some(r.total);
        }
        r.rank = rank;
    }
    ranked.retain(|r| scope.allows(Target { unit_id: r.unit_id, unit_path: &r.unit_path, owner_id: None }));
    Ok(Some((s, indicators, ranked)))
}

/// Notes a scheme (name and note).
pub async fn update_scheme(c: &Caller<'_>, year_value: i64, name: &str, note: &str) -> AppResult<()> {
    c.who.require(Module::Reform, Action::Approve)?;
    let (s, _) = scheme(&c.state.db, year_value).await?.ok_or(AppError::NotFound)?;
    let mut check = Check::default();
    let name = check.take("name", required(name, 100));
    let note = check.take("note", optional(note, 2000));
    let (name, note) = check.finish(|| Some((name?, note?)))?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update reform_schemes set name = $1, note = $2, updated_at = $3 where id = $4")
            .bind(name.clone())
            .bind(note)
            .bind(c.now)
            .bind(s.id),
    )
    .await?;
    let ev = Event::new("reform.scheme_update", "reform_scheme", s.id)
        .summary(format!("修改{year_value}年考核方案：{name}"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn points_follow_the_rule() {
        assert_eq!(points(30.0, 1.0, "linear", 0.9), 27.0);
        assert_eq!(points(30.0, 1.0, "linear", 1.2), 30.0);
        assert_eq!(points(10.0, 2.0, "linear", 1.0), 5.0);
        assert_eq!(points(10.0, 0.95, "threshold", 0.94), 0.0);
        assert_eq!(points(10.0, 0.95, "threshold", 0.95), 10.0);
    }

    #[test]
    fn report_due_dates_are_counted_within_the_span() {
        assert_eq!(reports_due("monthly", 25, date!(2026 - 01 - 01), date!(2026 - 11 - 23)), 10);
        assert_eq!(reports_due("monthly", 25, date!(2026 - 01 - 01), date!(2026 - 11 - 25)), 11);
        assert_eq!(reports_due("quarterly", 20, date!(2026 - 01 - 01), date!(2026 - 11 - 23)), 3);
        assert_eq!(reports_due("monthly", 25, date!(2026 - 06 - 26), date!(2026 - 07 - 25)), 1);
        assert_eq!(reports_due("none", 25, date!(2026 - 01 - 01), date!(2026 - 12 - 31)), 0);
        assert_eq!(reports_due("monthly", 25, date!(2026 - 12 - 31), date!(2026 - 01 - 01)), 0);
    }
}
