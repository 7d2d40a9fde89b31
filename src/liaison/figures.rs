//! Figures of the loop (L7), within the reader's scope: volume by category,
//! area and month; on-time, closure, solution and satisfaction rates (已回复,
//! 已解决 and 满意 counted apart, never one "done"); the handling units
//! ranked; contact-point activity; hot topics (rising keywords and clusters
//! of similar submissions). The office's volumes and rates come from the sums
//! the database keeps per month (`liaison_tally`, see migration 0014); a
//! narrower reader's from grouped scans of its own cases. One file because
//! every figure shares the same sums, rows and scope.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use time::Date;

use super::cases::push_visible;
use crate::app::AppState;
use crate::authz::{Action, Module, Principal};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Sql};

/// Counts behind the rates, for any grouping (columns named as the fields; see [`SUMS`]).
#[derive(Clone, Debug, Default, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Tally {
    /// Submissions (merged duplicates left out).
    pub submitted: i64,
    /// Of those, imported from earlier ledgers (outside the loop and its rates).
    pub archived: i64,
    /// Dispatched to a unit.
    pub dispatched: i64,
    /// Given a first reply.
    pub replied: i64,
    /// First reply on or before the due date.
    pub on_time: i64,
    /// Past due with no reply yet.
    pub overdue_open: i64,
    /// Closed.
    pub closed: i64,
    /// The unit reported the problem solved.
    pub solved: i64,
    /// Rated by the contact point.
    pub rated: i64,
    /// Rated 满意.
    pub satisfied: i64,
    /// Rated 基本满意.
    pub basically: i64,
    /// Rated 不满意 (latest rating).
    pub unsatisfied: i64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.submitted += o.submitted;
        self.archived += o.archived;
        self.dispatched += o.dispatched;
        self.replied += o.replied;
        self.on_time += o.on_time;
        self.overdue_open += o.overdue_open;
        self.closed += o.closed;
        self.solved += o.solved;
        self.rated += o.rated;
        self.satisfied += o.satisfied;
        self.basically += o.basically;
        self.unsatisfied += o.unsatisfied;
    }

    fn pct(n: i64, d: i64) -> Option<f64> {
        (d > 0).then(|| (n as f64 * 1000.0 / d as f64).round() / 10.0)
    }

    /// Replied on time among those replied or past due.
    pub fn on_time_rate(&self) -> Option<f64> {
        Self::pct(self.on_time, self.replied + self.overdue_open)
    }

    /// Closed among submitted through the loop.
    pub fn closure_rate(&self) -> Option<f64> {
        Self::pct(self.closed, self.submitted - self.archived)
    }

    /// Solved among replied.
    pub fn solution_rate(&self) -> Option<f64> {
        Self::pct(self.solved, self.replied)
    }

    /// 满意 and 基本满意 among rated.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        Self::pct(self.satisfied + self.basically, self.rated)
    }

    fn rates(&self) -> Rates {
        Rates {
            on_time: self.on_time_rate(),
            closure: self.closure_rate(),
            solution: self.solution_rate(),
            satisfaction: self.satisfaction_rate(),
        }
    }
}

/// The four rates in percent (none when nothing to divide by).
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Rates {
    /// 按期办结率 (first reply on time).
    pub on_time: Option<f64>,
    /// 办结率.
    pub closure: Option<f64>,
    /// 解决率.
    pub solution: Option<f64>,
    /// 满意率.
    pub satisfaction: Option<f64>,
}

/// A labelled row of figures.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Row {
    /// Code or id.
    pub key: String,
    /// Label.
    pub label: String,
    /// Counts.
    pub tally: Tally,
    /// Rates.
    pub rates: Rates,
}

/// A word rising in the latest period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Rising {
    /// The keyword.
    pub word: String,
    /// Submissions using it in the period.
    pub now: i64,
    /// In the period before.
    pub before: i64,
}

/// A group of similar submissions.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Cluster {
    /// The first case of the group.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Cases in the group within the period (the first included).
    pub size: i64,
}

/// A contact point that has gone quiet.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Silent {
    /// Its unit id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// Every figure of a year, or of one month of it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// The year.
    pub year: i64,
    /// The month (1–12) when the figures are of one month.
    pub month: Option<i64>,
    /// All together.
    pub total: Tally,
    /// The rates of the total.
    pub rates: Rates,
    /// By category.
    pub by_category: Vec<Row>,
    /// By area (county or department).
    pub by_area: Vec<Row>,
    /// By month (1–12).
    pub by_month: Vec<Row>,
    /// Handling units, best first.
    pub units: Vec<Row>,
    /// Most active contact points.
    pub points: Vec<Row>,
    /// Active points with no submission in the last 90 days.
    pub silent: Vec<Silent>,
    /// Risk cases by level (关注, 预警, 高危).
    pub risk: Vec<i64>,
    /// Rising keywords this month against last month.
    pub rising_month: Vec<Rising>,
    /// Rising keywords this week against last week.
    pub rising_week: Vec<Rising>,
    /// Clusters of similar submissions this month.
    pub clusters: Vec<Cluster>,
}

#[derive(sqlx::FromRow)]
struct Grouped {
    month: i64,
    category: String,
    area_id: i64,
    #[sqlx(flatten)]
    tally: Tally,
    r1: i64,
    r2: i64,
    r3: i64,
}

/// The sums every grouping uses (`c` is `liaison_cases`; `$today` bound first).
const SUMS: &str = "count(*) as submitted, \
     sum(case when c.state = 'archived' then 1 else 0 end) as archived, \
     sum(case when c.dispatched_at is not null then 1 else 0 end) as dispatched, \
     sum(case when c.first_replied_on is not null then 1 else 0 end) as replied, \
     sum(case when c.on_time = 1 then 1 else 0 end) as on_time, \
     sum(case when c.first_replied_on is null and c.due_on < ";

const SUMS_REST: &str = " then 1 else 0 end) as overdue_open, \
     sum(case when c.state = 'closed' then 1 else 0 end) as closed, \
     sum(case when c.solved = 'solved' then 1 else 0 end) as solved, \
     sum(case when c.rating <> '' then 1 else 0 end) as rated, \
     sum(case when c.rating = 'satisfied' then 1 else 0 end) as satisfied, \
     sum(case when c.rating = 'basically' then 1 else 0 end) as basically, \
     sum(case when c.rating = 'unsatisfied' then 1 else 0 end) as unsatisfied";

fn sums(sql: &mut Sql, today: Date) {
    sql.push(SUMS).bind(today).push(SUMS_REST);
}

fn rows(map: BTreeMap<String, Tally>, label: impl Fn(&str) -> String) -> Vec<Row> {
    map.into_iter().map(|(key, tally)| Row { label: label(&key), rates: tally.rates(), key, tally }).collect()
}

/// Restricts to the period: the year, and the month when given.
fn push_period(sql: &mut Sql, year: i64, month: Option<i64>) {
    sql.push(" c.year = ").bind(year);
    if let Some(m) = month {
        sql.push(" and c.month = ").bind(year * 100 + m);
    }
}

/// Computes the figures of `year` (or of one `month` of it) as `who` may see
/// them; hot topics are of the four weeks up to `today`. A reader who sees
/// every case reads the sums the database keeps (`liaison_tally`); any other
/// scope sums its own cases.
pub async fn compute(
    state: &AppState,
    who: &Principal,
    year: i64,
    month: Option<i64>,
    today: Date,
) -> DbResult<Figures> {
    let scan = !who.scope(Module::Liaison, Action::Read).is_all();
    compute_with(state, who, (year, month), today, scan).await
}

/// [`compute`], reading the kept sums or (`scan`) the cases themselves.
pub async fn compute_with(
    state: &AppState,
    who: &Principal,
    (year, month): (i64, Option<i64>),
    today: Date,
    scan: bool,
) -> DbResult<Figures> {
    let db = &state.db;
    let scope = who.scope(Module::Liaison, Action::Read);
    let period = (year, month);
    // The sums and the hot topics are independent: on a pool of readers they
    // run side by side.
    let ((grouped, unit_rows, point_rows), (rising_month, rising_week, clusters)) = if scan {
        tokio::try_join!(scanned(db, who, period, today), hot(db, who, today))?
    } else {
        tokio::try_join!(kept(db, period, today), hot(db, who, today))?
    };
    let mut total = Tally::default();
    let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_area: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_month: BTreeMap<String, Tally> = BTreeMap::new();
    let mut risk = [0; 3];
    for g in &grouped {
        let t = &g.tally;
        total.add(t);
        by_category.entry(g.category.clone()).or_default().add(t);
        by_area.entry(g.area_id.to_string()).or_default().add(t);
        by_month.entry(format!("{:02}", g.month % 100)).or_default().add(t);
        risk[0] += g.r1;
        risk[1] += g.r2;
        risk[2] += g.r3;
    }
    let categories: HashMap<String, String> =
        crate::dicts::store::options(db, "submission_category").await?.into_iter().collect();
    let names = unit_names(state).await?;
    let name_of = |k: &str| k.parse::<i64>().ok().and_then(|id| names.get(&id).cloned()).unwrap_or_default();
    let mut by_category = rows(by_category, |k| {
        if k.is_empty() {
            "未分类".to_string()
        } else {
            categories.get(k).cloned().unwrap_or_else(|| k.to_string())
        }
    });
    by_category.sort_by_key(|r| std::cmp::Reverse(r.tally.submitted));
    let mut by_area = rows(by_area, name_of);
    by_area.sort_by_key(|r| std::cmp::Reverse(r.tally.submitted));
    let by_month = rows(by_month, |k| format!("{}月", k.trim_start_matches('0')));

    let mut units = keyed(unit_rows, &names);
    // Ranked by on-time rate, then satisfaction, then volume.
    units.sort_by(|a, b| {
        let key = |r: &Row| {
            (r.rates.on_time.unwrap_or(-1.0), r.rates.satisfaction.unwrap_or(-1.0), r.tally.dispatched)
        };
        key(b).partial_cmp(&key(a)).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.key.cmp(&b.key))
    });

    let points = keyed(point_rows, &names);

    // By the point's own index (point, time): one probe per point.
    let quiet_from =
        Ts::from_datetime((today - time::Duration::days(90)).midnight().assume_offset(state.clock.offset()));
    let mut sql = Sql::new(
        "select u.id, u.name from liaison_points p join units u on u.id = p.unit_id \
         where p.status = 'active' and u.status = 'active' and not exists (select 1 from liaison_cases c \
         where c.point_id = u.id and c.created_at >= ",
    );
    sql.bind(quiet_from).push(") and ");
    scope.filter(&mut sql, "u.id", None);
    sql.push(" order by u.path limit 500");
    let silent: Vec<Silent> = db.all(sql.build()).await?;
    Ok(Figures {
        year,
        month,
        rates: total.rates(),
        total,
        by_category,
        by_area,
        by_month,
        units,
        points,
        silent,
        risk: risk.to_vec(),
        rising_month,
        rising_week,
        clusters,
    })
}

type Sums = (Vec<Grouped>, Vec<KeyedRow>, Vec<KeyedRow>);

/// The sums of the period from the reader's own cases: three grouped scans of
/// the covering index, side by side.
async fn scanned(db: &Db, who: &Principal, (year, month): (i64, Option<i64>), today: Date) -> DbResult<Sums> {
    let scope = who.scope(Module::Liaison, Action::Read);
    let mut sql = Sql::new("select c.month, c.category, c.area_id, ");
    sums(&mut sql, today);
    sql.push(
        ", sum(case when c.risk_level = 1 then 1 else 0 end) as r1, sum(case when c.risk_level = 2 then 1 else 0 end) as r2, \
         sum(case when c.risk_level = 3 then 1 else 0 end) as r3 from liaison_cases c where",
    );
    push_period(&mut sql, year, month);
    sql.push(" and c.state <> 'merged'");
    push_visible(&mut sql, &scope);
    sql.push(" group by c.month, c.category, c.area_id");
    let grouped_sql = sql;

    let mut sql = Sql::new("select c.handler_id as key_id, ");
    sums(&mut sql, today);
    sql.push(" from liaison_cases c where");
    push_period(&mut sql, year, month);
    sql.push(" and c.state <> 'merged' and c.handler_id is not null");
    push_visible(&mut sql, &scope);
    sql.push(" group by c.handler_id");
    let units_sql = sql;

    let mut sql = Sql::new("select c.point_id as key_id, ");
    sums(&mut sql, today);
    sql.push(" from liaison_cases c where");
    push_period(&mut sql, year, month);
    sql.push(" and c.state <> 'merged'");
    push_visible(&mut sql, &scope);
    sql.push(" group by c.point_id order by count(*) desc, c.point_id limit 20");
    let points_sql = sql;
    tokio::try_join!(
        db.all::<Grouped>(grouped_sql.build()),
        db.all::<KeyedRow>(units_sql.build()),
        db.all::<KeyedRow>(points_sql.build()),
    )
}

/// The kept sums of every case (`liaison_tally`, moved by triggers on each
/// change of a case), with the one figure that depends on the day, open cases
/// past due, counted from the partial index of unreplied cases.
async fn kept(db: &Db, (year, month): (i64, Option<i64>), today: Date) -> DbResult<Sums> {
    let months = |sql: &mut Sql| {
        let (from, to) =
            month.map_or((year * 100 + 1, year * 100 + 12), |m| (year * 100 + m, year * 100 + m));
        sql.push(" t.month >= ").bind(from).push(" and t.month <= ").bind(to);
    };
    let mut sql = Sql::new("select t.month, t.category, t.key_id as area_id, ");
    sql.push(KEPT).push(
        ", sum(t.r1) as r1, sum(t.r2) as r2, sum(t.r3) as r3 from liaison_tally t where t.dim = 'area' and",
    );
    months(&mut sql);
    sql.push(" group by t.month, t.category, t.key_id having sum(t.submitted) <> 0");
    let grouped_sql = sql;
    let mut sql = Sql::new("select t.key_id, ");
    sql.push(KEPT).push(" from liaison_tally t where t.dim = 'unit' and");
    months(&mut sql);
    sql.push(" group by t.key_id having sum(t.submitted) <> 0");
    let units_sql = sql;
    let mut sql = Sql::new("select t.key_id, ");
    sql.push(KEPT).push(" from liaison_tally t where t.dim = 'point' and");
    months(&mut sql);
    sql.push(
        " group by t.key_id having sum(t.submitted) <> 0 order by sum(t.submitted) desc, t.key_id limit 20",
    );
    let points_sql = sql;
    let mut sql = Sql::new(
        "select c.month, c.category, c.area_id, c.handler_id, c.point_id from liaison_cases c \
         where c.first_replied_on is null and c.due_on < ",
    );
    sql.bind(today).push(" and c.state <> 'merged' and");
    push_period(&mut sql, year, month);
    let (mut grouped, mut units, mut points, overdue) = tokio::try_join!(
        db.all::<Grouped>(grouped_sql.build()),
        db.all::<KeyedRow>(units_sql.build()),
        db.all::<KeyedRow>(points_sql.build()),
        db.all::<(i64, String, i64, Option<i64>, i64)>(sql.build()),
    )?;
    let group_of: HashMap<(i64, String, i64), usize> =
        grouped.iter().enumerate().map(|(i, g)| ((g.month, g.category.clone(), g.area_id), i)).collect();
    let unit_of: HashMap<i64, usize> = units.iter().enumerate().map(|(i, u)| (u.key_id, i)).collect();
    let point_of: HashMap<i64, usize> = points.iter().enumerate().map(|(i, p)| (p.key_id, i)).collect();
    for (m, category, area, handler, point) in overdue {
        if let Some(&i) = group_of.get(&(m, category, area)) {
            grouped[i].tally.overdue_open += 1;
        }
        if let Some(&i) = handler.and_then(|h| unit_of.get(&h)) {
            units[i].tally.overdue_open += 1;
        }
        if let Some(&i) = point_of.get(&point) {
            points[i].tally.overdue_open += 1;
        }
    }
    Ok((grouped, units, points))
}

/// The kept counts summed under the names of [`Tally`].
const KEPT: &str = "sum(t.submitted) as submitted, sum(t.archived) as archived, sum(t.dispatched) as dispatched, \
     sum(t.replied) as replied, sum(t.on_time) as on_time, cast(0 as bigint) as overdue_open, sum(t.closed) as closed, \
     sum(t.solved) as solved, sum(t.rated) as rated, sum(t.satisfied) as satisfied, sum(t.basically) as basically, \
     sum(t.unsatisfied) as unsatisfied";

#[derive(sqlx::FromRow)]
struct KeyedRow {
    key_id: i64,
    #[sqlx(flatten)]
    tally: Tally,
}

fn keyed(rows: Vec<KeyedRow>, names: &HashMap<i64, String>) -> Vec<Row> {
    rows.into_iter()
        .map(|r| Row {
            key: r.key_id.to_string(),
            label: names.get(&r.key_id).cloned().unwrap_or_default(),
            rates: r.tally.rates(),
            tally: r.tally,
        })
        .collect()
}

async fn unit_names(state: &AppState) -> DbResult<HashMap<i64, String>> {
    let units = state.units.units(&state.db).await?;
    Ok(units.iter().map(|u| (u.id, u.name.clone())).collect())
}

/// Words counted over two periods, rising ones first.
pub fn rising(now: &[String], before: &[String], min: i64) -> Vec<Rising> {
    let count = |texts: &[String]| {
        let mut m: HashMap<String, i64> = HashMap::new();
        for t in texts {
            let mut seen: Vec<&str> = t.split_whitespace().collect();
            seen.sort_unstable();
            seen.dedup();
            for w in seen {
                *m.entry(w.to_string()).or_default() += 1;
            }
        }
        m
    };
    let (a, b) = (count(now), count(before));
    let mut out: Vec<Rising> = a
        .into_iter()
        .filter_map(|(word, n)| {
            let before = b.get(&word).copied().unwrap_or(0);
            // At least `min` times and half as often again as before.
            (n >= min && n * 2 >= (before + 1) * 3).then_some(Rising { word, now: n, before })
        })
        .collect();
    out.sort_by(|x, y| (y.now - y.before).cmp(&(x.now - x.before)).then(x.word.cmp(&y.word)));
    out.truncate(15);
    out
}

async fn keywords_between(db: &Db, who: &Principal, from: Date, to: Date) -> DbResult<Vec<String>> {
    let mut sql = Sql::new("select c.keywords from liaison_cases c where c.submitted_on >= ");
    sql.bind(from).push(" and c.submitted_on < ").bind(to).push(" and c.state <> 'merged'");
    push_visible(&mut sql, &who.scope(Module::Liaison, Action::Read));
    sql.push(" limit 50000");
    let rows: Vec<(String,)> = db.all(sql.build()).await?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

async fn hot(db: &Db, who: &Principal, today: Date) -> DbResult<(Vec<Rising>, Vec<Rising>, Vec<Cluster>)> {
    let day = time::Duration::days(1);
    let tomorrow = today + day;
    let month_ago = today - time::Duration::days(30);
    let two_months_ago = today - time::Duration::days(60);
    let week_ago = today - time::Duration::days(7);
    let two_weeks_ago = today - time::Duration::days(14);
    let month = keywords_between(db, who, month_ago, tomorrow).await?;
    let before = keywords_between(db, who, two_months_ago, month_ago).await?;
    let rising_month = rising(&month, &before, 3);
    let week = keywords_between(db, who, week_ago, tomorrow).await?;
    let last_week = keywords_between(db, who, two_weeks_ago, week_ago).await?;
    let rising_week = rising(&week, &last_week, 2);
    let mut sql = Sql::new(
        "select r.id, r.title, g.n + 1 as size from (select c.dup_of as root, count(*) as n from liaison_cases c \
         where c.submitted_on >= ",
    );
    sql.bind(month_ago).push(" and c.submitted_on < ").bind(tomorrow).push(" and c.dup_of is not null");
    push_visible(&mut sql, &who.scope(Module::Liaison, Action::Read));
    sql.push(" group by c.dup_of) g join liaison_cases r on r.id = g.root order by g.n desc, r.id limit 10");
    let clusters: Vec<(i64, String, i64)> = db.all(sql.build()).await?;
    let clusters = clusters.into_iter().map(|(id, title, size)| Cluster { id, title, size }).collect();
    Ok((rising_month, rising_week, clusters))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_keep_replied_solved_and_satisfied_apart() {
        let t = Tally {
            submitted: 12,
            archived: 2,
            dispatched: 9,
            replied: 8,
            on_time: 6,
            overdue_open: 1,
            closed: 5,
            solved: 4,
            rated: 5,
            satisfied: 2,
            basically: 1,
            unsatisfied: 2,
        };
        assert_eq!(t.on_time_rate(), Some(66.7));
        assert_eq!(t.closure_rate(), Some(50.0));
        assert_eq!(t.solution_rate(), Some(50.0));
        assert_eq!(t.satisfaction_rate(), Some(60.0));
        assert_eq!(Tally::default().satisfaction_rate(), None);
    }

    #[test]
    fn rising_words_need_volume_and_growth() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let now = s(&["路灯 小区", "路灯 停车", "路灯", "停车 小区", "停车"]);
        let before = s(&["停车", "停车", "小区"]);
        let r = rising(&now, &before, 2);
        let words: Vec<&str> = r.iter().map(|x| x.word.as_str()).collect();
        assert_eq!(words, vec!["路灯"], "停车 did not grow by half, 小区 not at all");
        assert_eq!((r[0].now, r[0].before), (3, 0));
    }
}
