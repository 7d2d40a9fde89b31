//! Reform tasks and progress reports for `zhengyan gen`: about 5,000 tasks a
//! year over ten years with about ten reports each at scale 1, written in large
//! batches. Each task's colour is the shared engine's verdict as of today, so
//! colour filters and counts at scale see what a live deployment would.

use std::collections::HashMap;
use std::time::Instant;

use rand::RngExt;
use rand::rngs::StdRng;
use time::{Date, Duration, Month};

use crate::clock::Ts;
use crate::db::{Db, Query, Sql};
use crate::deadline::{Rules, Subject, assess};
use crate::reform::stage::Stage;

/// Task rows per insert statement (28 values each).
const TASK_ROWS: usize = 400;
/// Report rows per insert statement (15 values each).
const REPORT_ROWS: usize = 1_000;

const SOURCES: &[(&str, u32)] =
    &[("central", 8), ("provincial", 14), ("city", 20), ("self", 25), ("breaking_zero", 20), ("micro", 13)];
const FIELDS: &[&str] = &["economy", "democracy", "culture", "society", "ecology", "party", "discipline"];
const VERBS: &[&str] = &["深化", "推进", "健全", "完善", "建立", "探索", "推行"];
const OBJECTS: &[&str] = &[
    "要素市场化配置",
    "营商环境优化",
    "国有企业治理",
    "预算绩效管理",
    "医疗卫生服务",
    "农村集体产权",
    "生态保护补偿",
    "社会信用体系",
    "综合行政执法",
    "基层社会治理",
    "政务服务集成",
    "科技成果转化",
    "职业教育产教融合",
    "城市更新",
    "养老服务",
    "公共资源交易",
    "数据共享开放",
    "乡村治理积分制",
    "河湖长制",
    "工程建设审批",
];
const TAILS: &[&str] = &["改革", "机制建设", "制度创新", "综合改革", "试点"];

fn pick<'a>(rng: &mut StdRng, weighted: &'a [(&'a str, u32)]) -> &'a str {
    let total: u32 = weighted.iter().map(|w| w.1).sum();
    let mut n = rng.random_range(0..total);
    for (v, w) in weighted {
        if n < *w {
            return v;
        }
        n -= w;
    }
    weighted[0].0
}

fn day(y: i32, m: u8, d: u8) -> Date {
    let month = Month::try_from(m).unwrap_or(Month::December);
    Date::from_calendar_date(y, month, d.min(time::util::days_in_month(month, y))).unwrap_or(Date::MIN)
}

/// One generated task and its reports.
struct Gen {
    code: String,
    year: i32,
    title: String,
    source: &'static str,
    field: &'static str,
    lead: i64,
    coop: Option<i64>,
    leader: i64,
    start: Date,
    deadline: Date,
    stage: &'static str,
    status: &'static str,
    progress: i64,
    finished: Option<Date>,
    colour: &'static str,
    reason: String,
    /// (date sent, percent, accepted).
    reports: Vec<(Date, i64, bool)>,
}

/// What every generated task draws on.
struct World<'a> {
    today: Date,
    units: &'a [i64],
    leaders: &'a [i64],
    rules: &'a Rules,
}

/// Task `n` of `year`, with at most `cap` reports.
fn make(rng: &mut StdRng, n: usize, year: i32, cap: usize, w: &World<'_>) -> Gen {
    let World { today, units, leaders, rules } = *w;
    let source = pick(rng, SOURCES);
    let title = format!(
        "{}{}{}（{}）",
        VERBS[rng.random_range(0..VERBS.len())],
        OBJECTS[rng.random_range(0..OBJECTS.len())],
        TAILS[rng.random_range(0..TAILS.len())],
        n
    );
    let start = day(year, 1, 5).saturating_add(Duration::days(rng.random_range(0..90)));
    let deadline = match rng.random_range(0..10) {
        0..2 => day(year, 6, 30),
        2..4 => day(year, 9, 30),
        4..9 => day(year, 12, 31),
        _ => day(year + 1, 6, 30),
    };
    let lead = units[rng.random_range(0..units.len())];
    let coop = rng.random_bool(0.6).then(|| units[rng.random_range(0..units.len())]).filter(|c| *c != lead);
    // Past years are mostly finished; this year is under way.
    let past = deadline < today;
    let finished = if past && rng.random_bool(0.9) {
        let late = rng.random_range(-60..20);
        Some(
            deadline
                .saturating_add(Duration::days(late))
                .min(today)
                .max(start.saturating_add(Duration::days(60))),
        )
    } else if !past && rng.random_bool(0.15) {
        Some(
            today
                .saturating_sub(Duration::days(rng.random_range(1..60)))
                .max(start.saturating_add(Duration::days(30))),
        )
    } else {
        None
    };
    let end = finished.unwrap_or(today).min(deadline.max(today));
    let span = (deadline - start).whole_days().max(1);
    let elapsed = (end - start).whole_days().clamp(0, span);
    let target = match finished {
        Some(_) => 100,
        None => ((elapsed * 100 / span) + rng.random_range(-35..15)).clamp(5, 95),
    };
    let mut reports = Vec::new();
    let first = start.saturating_add(Duration::days(45));
    let last = finished.unwrap_or(today).min(today);
    // About one report a fortnight while the task runs, within the cap.
    let count = if last > first { cap.min(((last - first).whole_days() / 14 + 1) as usize) } else { 0 };
    for k in 0..count {
        let sent = first
            .saturating_add(Duration::days((last - first).whole_days() * k as i64 / count.max(1) as i64));
        let percent = (target * (k as i64 + 1) / count as i64).clamp(1, 100);
        reports.push((sent, percent, k + 1 < count || rng.random_bool(0.8)));
    }
    let progress =
        reports.iter().rev().find(|r| r.2).map_or(0, |r| r.1).max(if finished.is_some() { 100 } else { 0 });
    let (stage, status) = match finished {
        Some(_) => (Stage::Done.code(), "done"),
        None => {
            let stages = [
                Stage::Plan,
                Stage::Decision,
                Stage::Implementation,
                Stage::Implementation,
                Stage::Supervision,
            ];
            (stages[rng.random_range(0..stages.len())].code(), "active")
        }
    };
    let a = assess(
        &Subject {
            finished_on: finished,
            start,
            deadline: Some(deadline),
            progress: Some(progress),
            milestones: &[],
        },
        rules,
        today,
    );
    Gen {
        code: String::new(),
        year,
        title,
        source,
        field: FIELDS[rng.random_range(0..FIELDS.len())],
        lead,
        coop,
        leader: leaders[rng.random_range(0..leaders.len())],
        start,
        deadline,
        stage,
        status,
        progress,
        finished,
        colour: a.colour.code(),
        reason: a.reason_text(),
        reports,
    }
}

/// Generates `tasks` reform tasks spread evenly over the ten years up to
/// today, with about `reports` progress reports among them.
pub async fn generate(
    db: &Db,
    rng: &mut StdRng,
    now: Ts,
    today: Date,
    tasks: usize,
    reports: usize,
) -> anyhow::Result<(usize, usize)> {
    if tasks == 0 {
        return Ok((0, 0));
    }
    let started = Instant::now();
    let units: Vec<(i64,)> = db
        .all(Query::new("select id from units where kind in ('department', 'county', 'town') and status = 'active' order by id"))
        .await?;
    let units: Vec<i64> = units.into_iter().map(|u| u.0).collect();
    let leaders: Vec<(i64,)> = db
        .all(Query::new(
            "select a.id from accounts a join account_roles ar on ar.account_id = a.id join roles r on r.id = ar.role_id \
             where r.code = 'leader' order by a.id",
        ))
        .await?;
    let leaders: Vec<i64> = leaders.into_iter().map(|l| l.0).collect();
    let office: i64 = db
        .scalar(Query::new(
            "select min(a.id) from accounts a join account_roles ar on ar.account_id = a.id join roles r on r.id = ar.role_id \
             where r.code = 'reform_staff'",
        ))
        .await?;
    let reporters: Vec<(i64, i64)> =
        db.all(Query::new("select unit_id, min(id) from accounts group by unit_id")).await?;
    let reporter: HashMap<i64, i64> = reporters.into_iter().collect();
    anyhow::ensure!(!units.is_empty() && !leaders.is_empty(), "gen needs the city built first");
    let rules = crate::deadline::settings::rules(db, "reform").await?;
    let bar = indicatif::ProgressBar::new(tasks as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("改革任务 {bar:40} {pos}/{len} {per_sec} 剩余 {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let world = World { today, units: &units, leaders: &leaders, rules: &rules };
    let first_year = today.year() - 9;
    let mut per_year: HashMap<i32, usize> = HashMap::new();
    let mut made_reports = 0usize;
    let mut made = 0usize;
    while made < tasks {
        let n = (tasks - made).min(TASK_ROWS);
        let mut batch = Vec::with_capacity(n);
        for i in 0..n {
            let year = first_year + ((made + i) % 10) as i32;
            // The reports still to make, shared over the tasks still to make:
            // short tasks leave room that later tasks take up, so the total
            // comes out at `reports` while every task keeps its own rhythm.
            let left = tasks - made - i;
            // One over the even share leaves room for short tasks; the last few
            // tasks may take whatever is still missing.
            let rest = reports.saturating_sub(made_reports);
            let cap = if left <= 10 { rest } else { (rest.div_ceil(left) + 1).min(rest) };
            let mut g = make(rng, made + i + 1, year, cap, &world);
            let k = per_year.entry(year).or_default();
            *k += 1;
            g.code = format!("{year}-{:05}", *k);
            made_reports += g.reports.len();
            batch.push(g);
        }
        let mut tx = db.begin().await?;
        let mut sql = Sql::new(
            "insert into reform_tasks (year, code, title, source, field, lead_unit_id, leader_account_id, leader_name, \
             goals, outputs, start_on, deadline, stage, status, progress, finished_on, colour, colour_reason, colour_at, \
             report_cycle, report_day, latest_report, created_by, created_at, updated_at) values ",
        );
        for (i, g) in batch.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(i64::from(g.year))
                .push(", ")
                .bind(g.code.clone())
                .push(", ")
                .bind(g.title.clone())
                .push(", ");
            sql.bind(g.source)
                .push(", ")
                .bind(g.field)
                .push(", ")
                .bind(g.lead)
                .push(", ")
                .bind(g.leader)
                .push(", '', ");
            sql.bind("按上级部署和本地实际，形成可复制可推广的制度成果")
                .push(", ")
                .bind("实施方案；配套制度；评估报告")
                .push(", ");
            sql.bind(g.start)
                .push(", ")
                .bind(g.deadline)
                .push(", ")
                .bind(g.stage)
                .push(", ")
                .bind(g.status)
                .push(", ");
            sql.bind(g.progress)
                .push(", ")
                .bind(g.finished)
                .push(", ")
                .bind(g.colour)
                .push(", ")
                .bind(g.reason.clone());
            sql.push(", ")
                .bind(now)
                .push(", 'monthly', 25, ")
                .bind(format!("累计完成{}%", g.progress))
                .push(", ");
            sql.bind(office).push(", ").bind(now).push(", ").bind(now).push(")");
        }
        tx.exec(sql.build()).await?;
        let mut ids_sql = Sql::new("select code, id from reform_tasks where code in ");
        ids_sql.bind_list(batch.iter().map(|g| g.code.clone()));
        let ids: Vec<(String, i64)> = tx.all(ids_sql.build()).await?;
        let ids: HashMap<String, i64> = ids.into_iter().collect();
        let mut links = Vec::new();
        let mut tags = Vec::new();
        let mut rows = Vec::new();
        for g in &batch {
            let id = ids[&g.code];
            if let Some(c) = g.coop {
                links.push((id, c, g.year));
            }
            match g.source {
                "breaking_zero" => tags.push((id, "破零")),
                "micro" => tags.push((id, "微改革")),
                _ => {}
            }
            for (sent, percent, accepted) in &g.reports {
                rows.push((id, g.lead, *sent, *percent, *accepted));
            }
        }
        if !links.is_empty() {
            let mut sql = Sql::new("insert into reform_task_units (task_id, unit_id, year) values ");
            for (i, (t, u, y)) in links.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" }).bind(*t).push(", ").bind(*u).push(", ");
                sql.bind(i64::from(*y)).push(")");
            }
            tx.exec(sql.build()).await?;
        }
        if !tags.is_empty() {
            let mut sql = Sql::new("insert into reform_task_tags (task_id, tag) values ");
            for (i, (t, tag)) in tags.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" }).bind(*t).push(", ").bind(*tag).push(")");
            }
            tx.exec(sql.build()).await?;
        }
        for chunk in rows.chunks(REPORT_ROWS) {
            let mut sql = Sql::new(
                "insert into reform_reports (task_id, unit_id, period, percent, content, problems, next_steps, status, \
                 due_on, on_time, version, submitted_by, submitted_at, reviewed_by, reviewed_at) values ",
            );
            for (i, (task, unit, sent, percent, accepted)) in chunk.iter().enumerate() {
                let due = day(sent.year(), u8::from(sent.month()), 25);
                let at = Ts::from_datetime(sent.midnight().assume_utc()).plus_minutes(600);
                sql.push(if i == 0 { "(" } else { ", (" });
                sql.bind(*task).push(", ").bind(*unit).push(", ").bind(format!(
                    "{}-{:02}",
                    sent.year(),
                    u8::from(sent.month())
                ));
                sql.push(", ")
                    .bind(*percent)
                    .push(", ")
                    .bind(format!("本期推进各项改革举措，累计完成{percent}%。"));
                sql.push(", '', '按计划推进', ")
                    .bind(if *accepted { "accepted" } else { "submitted" })
                    .push(", ");
                sql.bind(due)
                    .push(", ")
                    .bind(*sent <= due)
                    .push(", 1, ")
                    .bind(reporter.get(unit).copied().unwrap_or(office));
                sql.push(", ").bind(at).push(", ");
                if *accepted {
                    sql.bind(office).push(", ").bind(at.plus_minutes(2 * 24 * 60)).push(")");
                } else {
                    sql.push("null, null)");
                }
            }
            tx.exec(sql.build()).await?;
        }
        tx.commit().await?;
        made += n;
        bar.set_position(made as u64);
    }
    bar.finish_and_clear();
    println!("改革任务：{made} 项，进展报送 {made_reports} 份（{:.1} 秒）", started.elapsed().as_secs_f64());
    Ok((made, made_reports))
}
