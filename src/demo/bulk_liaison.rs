//! Grassroots submissions for `zhengyan gen`: 1,000,000 at scale 1, spread
//! evenly over ten years from the registered contact points, written in our
//! own words from independent phrase banks so that two submissions about the
//! same subject are still different texts. About 5% are lightly edited
//! repeats of a recent submission from the same point (linked as 「可能重复」
//! when the signature agrees), about 1% carry risk words, about 90% carry
//! the office's category. Each case gets its full analysis (keywords, the
//! rule suggestion, risk words, signature and band keys) exactly as a live
//! submission does, computed on both cores, and a life that fits its age:
//! dispatched, replied on time or late, rated, reopened, lapsed or still open.
//! Two things a live submission has are left out to keep the run short: the
//! history rows and the near-duplicate search among unrelated submissions.
//! At the end the open cases are coloured by the deadline engine and the
//! category model is trained, so the benchmarks meet a learned model.
//! One file: the phrase banks, the texts, the lives and the batch writer are
//! one generator and change together.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use rand::RngExt;
use rand::SeedableRng;
use rand::rngs::StdRng;
use time::{Date, Duration, UtcOffset};

use super::liaison::{PATTERNS, RISKY, register};
use crate::app::AppState;
use crate::clock::Ts;
use crate::db::{Arg, Dialect, Query, Sql};
use crate::liaison::analysis::{self, Analysis, Analyzer};
use crate::liaison::bands;
use crate::liaison::neardup::{self, Signature};
use crate::liaison::settings::Limits;
use crate::liaison::submit::{area_of, week_and_month};
use crate::liaison::words::{History, Lexicon, Risk};

/// Cases per transaction.
const BATCH: usize = 2_000;
/// Cases per insert statement (35 values each).
const ROWS: usize = 250;
const DAY_MS: i64 = 24 * 3_600_000;

const OPENERS: &[&str] = &[
    "",
    "群众反映：",
    "联络员走访时了解到，",
    "近期多位居民来电称，",
    "在联系点接待日上，有群众提出，",
    "据村（居）民代表反映，",
    "网格员巡查时发现，",
    "有商户向联系点反映，",
    "近一段时间以来，",
    "收到群众来信称，",
];

const SPOTS: &[&str] = &[
    "{n}号楼附近",
    "第{n}村民小组",
    "东侧路口",
    "西门外",
    "农贸市场旁",
    "学校后门",
    "老街中段",
    "公交站台一带",
    "{n}栋单元门口",
    "河堤步道",
    "菜市场北口",
    "卫生院门前",
    "新建安置区",
    "工业园{n}号路",
    "文化广场周边",
];

const DETAILS: &[&str] = &[
    "这种情况已经持续了{n}天左右。",
    "从{m}月份开始就是这样，一直没有改观。",
    "涉及周边{n}户居民。",
    "早晚高峰时段影响最大。",
    "老人和孩子受影响最明显。",
    "附近商户的生意也受到了影响。",
    "群众已经多次向社区反映，至今没有结果。",
    "雨天尤其严重，出行非常不便。",
    "有{n}名群众联名签字提出意见。",
    "相关单位来看过一次，但没有后续。",
    "周末和节假日情况更加突出。",
    "有关方面口头答应过，但一直没有落实。",
    "群众对此意见较大，议论较多。",
    "上次整改后不到{n}个月又出现了反复。",
    "联络员现场查看，情况基本属实。",
    "部分群众担心问题拖到明年也解决不了。",
    "目前只能临时应付，不是长久办法。",
    "附近{n}家单位都受到影响。",
];

const ASKS: &[&str] = &[
    "希望有关部门尽快研究解决。",
    "请相关单位到现场查看处理。",
    "建议纳入今年民生实事统筹解决。",
    "盼望能给群众一个明确答复。",
    "建议相关部门加强日常巡查。",
    "希望能建立长效管理机制。",
    "请尽快明确责任单位并限期整改。",
    "建议街道牵头协调各方共同解决。",
    "希望在汛期到来前处理到位。",
    "请把处理结果及时告知群众。",
    "建议专门开个协调会研究一下。",
    "希望上级部门帮助协调资金。",
];

/// Light edits a repeat gets: (prefix, suffix).
const EDITS: &[(&str, &str)] = &[
    ("再次反映：", ""),
    ("此前已反映过，", "至今仍未解决。"),
    ("", "这个问题上个月已经报过一次。"),
    ("群众又来问了：", ""),
    ("", "请予重视。"),
];

fn fill(rng: &mut StdRng, s: &str) -> String {
    s.replace("{n}", &rng.random_range(2..60).to_string())
        .replace("{m}", &rng.random_range(1..13).to_string())
}

/// One new submission: (category code, title, content).
pub fn complaint(rng: &mut StdRng, place: &str) -> (&'static str, String, String) {
    let (cat, title, body) = PATTERNS[rng.random_range(0..PATTERNS.len())];
    let spot = SPOTS[rng.random_range(0..SPOTS.len())];
    let spot = fill(rng, spot);
    let here = format!("{place}{spot}");
    let mut content = String::from(OPENERS[rng.random_range(0..OPENERS.len())]);
    content.push_str(&body.replace("{p}", &here));
    let details = rng.random_range(1..4);
    let first = rng.random_range(0..DETAILS.len());
    for k in 0..details {
        // Distinct details: a random start, then every seventh (7 and 18 share no factor).
        let detail = DETAILS[(first + k * 7) % DETAILS.len()];
        content.push_str(&fill(rng, detail));
    }
    content.push_str(ASKS[rng.random_range(0..ASKS.len())]);
    (cat, title.replace("{p}", place), content)
}

/// A repeat of an earlier text, lightly edited: a frame added, maybe a clause cut.
pub fn repeat(rng: &mut StdRng, content: &str) -> String {
    let (pre, post) = EDITS[rng.random_range(0..EDITS.len())];
    let mut body = content.to_string();
    if rng.random_range(0..2) == 0
        && let Some(cut) = DETAILS.iter().find(|d| !d.contains('{') && body.contains(*d))
    {
        body = body.replacen(cut, "", 1);
    }
    format!("{pre}{body}{post}")
}

/// A recent submission a repeat may copy.
struct Sent {
    id: i64,
    point: usize,
    title: String,
    content: String,
    category: &'static str,
    signature: Signature,
}

/// A generated case before its analysis.
struct Draft {
    id: i64,
    point: usize,
    at: Ts,
    title: String,
    content: String,
    category: &'static str,
    labelled: bool,
    urgent: bool,
    repeat_of: Option<(i64, Signature)>,
}

/// Writes `n` cases; returns how many.
pub async fn generate(
    state: &AppState,
    rng: &mut StdRng,
    now: Ts,
    offset: UtcOffset,
    n: usize,
) -> anyhow::Result<usize> {
    let db = &state.db;
    register(db, now).await?;
    if n == 0 {
        return Ok(0);
    }
    let started = Instant::now();
    // The keys are written with each batch below, after any cases' keys still to fold.
    bands::fold_from_table(db, now).await?;
    let points: Vec<(i64, String, String)> = db
        .all(Query::new(
            "select u.id, u.name, u.path from liaison_points p join units u on u.id = p.unit_id order by u.id",
        ))
        .await?;
    let handlers: Vec<(i64,)> = db
        .all(Query::new("select id from units where kind in ('department', 'county', 'town') order by id"))
        .await?;
    anyhow::ensure!(!points.is_empty() && !handlers.is_empty(), "gen needs contact points and units first");
    let lexicon_rows: Vec<(String, i64)> =
        db.all(Query::new("select word, level from liaison_lexicon")).await?;
    let lexicon = Lexicon::new(lexicon_rows.into_iter().filter_map(|(w, l)| Some((w, Risk::from_level(l)?))));
    let seg = crate::text::segmenter(db).await?;
    // Word frequencies for the keywords, from a sample of the texts to come.
    let mut history = History::default();
    {
        let mut sample_rng = StdRng::seed_from_u64(rng.random());
        for _ in 0..3_000 {
            let at = sample_rng.random_range(0..points.len());
            let (_, t, c) = complaint(&mut sample_rng, &points[at].1);
            history.add(&seg.words(&format!("{t}\n{c}")));
        }
    }
    let analyzer = Analyzer::new(seg, None, history, lexicon);
    let limits = Limits::load(db).await?;
    let today = now.to_offset(offset).date();
    let span = 10 * 365 * DAY_MS;
    let start = now.0 - span;
    let mut recent: VecDeque<Sent> = VecDeque::with_capacity(5_000);
    let mut counters: BTreeMap<i64, i64> = BTreeMap::new();
    let bar = indicatif::ProgressBar::new(n as u64);
    let mut done = 0usize;
    let mut dups = 0usize;
    while done < n {
        let batch = BATCH.min(n - done);
        let mut drafts = Vec::with_capacity(batch);
        for i in 0..batch {
            let k = done + i;
            let id = k as i64 + 1;
            // Even over ten years, in working hours.
            let base = start + (k as i64 * span) / n as i64;
            let at = Ts(base - base.rem_euclid(DAY_MS) + rng.random_range(1..10) * 3_600_000);
            let draft = if !recent.is_empty() && rng.random_range(0..100) < 5 {
                let earlier = &recent[rng.random_range(0..recent.len())];
                Draft {
                    id,
                    point: earlier.point,
                    at,
                    title: earlier.title.clone(),
                    content: repeat(rng, &earlier.content),
                    category: earlier.category,
                    labelled: rng.random_range(0..10) > 0,
                    urgent: false,
                    repeat_of: Some((earlier.id, earlier.signature)),
                }
            } else {
                let point = rng.random_range(0..points.len());
                let (cat, title, mut content) = complaint(rng, &points[point].1);
                if rng.random_range(0..100) == 0 {
                    content.push_str(RISKY[rng.random_range(0..RISKY.len())]);
                }
                Draft {
                    id,
                    point,
                    at,
                    title,
                    content,
                    category: cat,
                    labelled: rng.random_range(0..10) > 0,
                    urgent: rng.random_range(0..20) == 0,
                    repeat_of: None,
                }
            };
            drafts.push(draft);
        }
        let analyses = analyse_all(&analyzer, &drafts);
        let mut tx = db.begin().await?;
        let mut bands: Vec<(i64, i64)> = Vec::with_capacity(batch * neardup::BANDS);
        for (chunk, found) in drafts.chunks(ROWS).zip(analyses.chunks(ROWS)) {
            let mut sql = Sql::new(
                "insert into liaison_cases (id, no, year, month, week, point_id, area_id, channel, title, content, \
                 urgency, category, suggested, confidence, suggested_by, keywords, risk_level, risk_words, signature, \
                 dup_of, dup_score, state, handler_id, dispatched_at, dispatched_on, due_on, replied_at, replied_on, \
                 first_replied_on, on_time, reply, solved, rating, rated_at, reopens, closed_at, closed_on, \
                 close_reason, colour, submitted_on, created_at, updated_at) values ",
            );
            for (j, (d, a)) in chunk.iter().zip(found).enumerate() {
                let day = d.at.to_offset(offset).date();
                let year = i64::from(day.year());
                let n = counters.entry(year).or_default();
                *n += 1;
                let (week, month) = week_and_month(day);
                let dup = d.repeat_of.as_ref().and_then(|(of, sig)| {
                    let s = neardup::similarity(&a.signature, sig);
                    (s >= neardup::THRESHOLD).then_some((*of, f64::from(s)))
                });
                dups += usize::from(dup.is_some());
                let category = if d.labelled { d.category } else { "" };
                let life = life(rng, &limits, d, category, day, today, handlers.len());
                let point = &points[d.point];
                let row: Vec<Arg> = vec![
                    d.id.into(),
                    format!("JC{year}{n:06}").into(),
                    year.into(),
                    month.into(),
                    week.into(),
                    point.0.into(),
                    area_of(point.0, &point.2).into(),
                    "form".into(),
                    d.title.clone().into(),
                    d.content.clone().into(),
                    if d.urgent { "urgent" } else { "normal" }.into(),
                    category.into(),
                    a.suggested.clone().unwrap_or_default().into(),
                    a.confidence.map(f64::from).into(),
                    a.suggested_by.into(),
                    a.keywords.join(" ").into(),
                    a.risk.map_or(0, |r| r as i64).into(),
                    a.risk_words.join(" ").into(),
                    analysis::signature_bytes(&a.signature).into(),
                    dup.map(|x| x.0).into(),
                    dup.map(|x| x.1).into(),
                    life.state.into(),
                    life.handler.map(|h| handlers[h].0).into(),
                    life.dispatched.map(|x| x.0).into(),
                    life.dispatched.map(|x| x.1).into(),
                    life.due.into(),
                    life.replied.map(|x| x.0).into(),
                    life.replied.map(|x| x.1).into(),
                    life.first_reply.into(),
                    life.on_time.into(),
                    if life.replied.is_some() {
                        "已组织核实并落实处置，情况已向联系点说明。"
                    } else {
                        ""
                    }
                    .into(),
                    life.solved.into(),
                    life.rating.into(),
                    life.rated_at.into(),
                    life.reopens.into(),
                    life.closed.map(|x| x.0).into(),
                    life.closed.map(|x| x.1).into(),
                    life.close_reason.into(),
                    if life.state == "closed" { "green" } else { "" }.into(),
                    day.into(),
                    d.at.into(),
                    d.at.into(),
                ];
                sql.push(if j == 0 { "(" } else { ", (" });
                for (c, v) in row.into_iter().enumerate() {
                    sql.push(if c == 0 { "" } else { ", " }).bind(v);
                }
                sql.push(")");
                bands.extend(neardup::bands(&a.signature).iter().map(|b| (*b, d.id)));
            }
            tx.exec(sql.build()).await?;
        }
        for chunk in bands.chunks(2_000) {
            let mut sql = Sql::new("insert into liaison_bands (band, case_id) values ");
            for (j, (b, id)) in chunk.iter().enumerate() {
                sql.push(if j == 0 { "(" } else { ", (" }).bind(*b).push(", ").bind(*id).push(")");
            }
            sql.push(" on conflict do nothing");
            tx.exec(sql.build()).await?;
        }
        // Every case up to the batch's last has its keys in the table.
        bands::set_fold_point(&mut tx, (done + batch) as i64, now).await?;
        tx.commit().await?;
        for (d, a) in drafts.into_iter().zip(analyses) {
            if d.repeat_of.is_none() {
                if recent.len() == recent.capacity() {
                    recent.pop_front();
                }
                recent.push_back(Sent {
                    id: d.id,
                    point: d.point,
                    title: d.title,
                    content: d.content,
                    category: d.category,
                    signature: a.signature,
                });
            }
        }
        done += batch;
        bar.inc(batch as u64);
    }
    bar.finish_and_clear();
    let mut tx = db.begin().await?;
    for (year, n) in &counters {
        tx.exec(Query::new("insert into liaison_counters (year, n) values ($1, $2)").bind(*year).bind(*n))
            .await?;
    }
    if db.dialect() == Dialect::Postgres {
        // dialect: identity sequences exist only on PostgreSQL (the ids above were given explicitly).
        tx.scalar::<i64>(Query::new(
            "select setval(pg_get_serial_sequence('liaison_cases', 'id'), (select max(id) from liaison_cases))",
        ))
        .await?;
    }
    let rules = crate::deadline::settings::rules(db, crate::liaison::cases::FEATURE).await?;
    let coloured = crate::liaison::steps::refresh(&mut tx, None, &rules, today).await?;
    tx.commit().await?;
    let trained = analysis::train(state, now, None).await?;
    println!(
        "基层问题：{n} 件，其中可能重复 {dups} 件，在办 {coloured} 件；类别模型学习 {} 条（{:.1} 秒）",
        trained.examples,
        started.elapsed().as_secs_f64()
    );
    Ok(n)
}

/// Analyses the drafts on every core.
fn analyse_all(analyzer: &Analyzer, drafts: &[Draft]) -> Vec<Analysis> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).max(1);
    let per = drafts.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = drafts
            .chunks(per)
            .map(|chunk| {
                s.spawn(move || {
                    chunk.iter().map(|d| analyzer.analyse(&d.title, &d.content)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

/// What happened to a case after it was sent.
#[derive(Default)]
struct Life {
    state: &'static str,
    handler: Option<usize>,
    dispatched: Option<(Ts, Date)>,
    due: Option<Date>,
    replied: Option<(Ts, Date)>,
    first_reply: Option<Date>,
    on_time: Option<i64>,
    solved: &'static str,
    rating: &'static str,
    rated_at: Option<Ts>,
    reopens: i64,
    closed: Option<(Ts, Date)>,
    close_reason: &'static str,
}

/// A life that fits the case's age: the older, the further round the loop.
fn life(
    rng: &mut StdRng,
    limits: &Limits,
    d: &Draft,
    category: &str,
    day: Date,
    today: Date,
    handlers: usize,
) -> Life {
    let stamp = |date: Date, hour: i64| Ts(d.at.0 + (date - day).whole_days() * DAY_MS + hour * 60_000);
    let mut l = Life { state: "submitted", ..Life::default() };
    let dispatch_on = day + Duration::days(rng.random_range(0..3));
    if dispatch_on >= today {
        return l;
    }
    l.state = "dispatched";
    l.handler = Some(rng.random_range(0..handlers));
    l.dispatched = Some((stamp(dispatch_on, 30), dispatch_on));
    let due = limits.due(dispatch_on, limits.days_for(category, d.urgent));
    l.due = Some(due);
    // Most replies within the limit, some late.
    let reply_on = dispatch_on + Duration::days(rng.random_range(2..26));
    if reply_on >= today {
        return l;
    }
    l.replied = Some((stamp(reply_on, 60), reply_on));
    l.first_reply = Some(reply_on);
    l.on_time = Some(i64::from(reply_on <= due));
    l.solved = ["solved", "solved", "solved", "partly", "explained"][rng.random_range(0..5)];
    l.state = "replied";
    let rate_on = reply_on + Duration::days(rng.random_range(1..6));
    if rate_on >= today {
        return l;
    }
    if rng.random_range(0..10) == 0 {
        // Never rated: closed when the rating period ran out.
        let lapse_on = reply_on + Duration::days(limits.rating_days);
        if lapse_on < today {
            l.state = "closed";
            l.closed = Some((stamp(lapse_on, 120), lapse_on));
            l.close_reason = "lapsed";
        }
        return l;
    }
    l.rating = ["satisfied", "satisfied", "satisfied", "basically", "unsatisfied"][rng.random_range(0..5)];
    l.rated_at = Some(stamp(rate_on, 90));
    if l.rating == "unsatisfied" {
        l.reopens = 1;
        let again = rate_on + Duration::days(rng.random_range(3..12));
        if again + Duration::days(2) >= today {
            l.state = "dispatched";
            return l;
        }
        l.solved = "solved";
        l.rating = "satisfied";
        let closed = again + Duration::days(2);
        l.rated_at = Some(stamp(closed, 90));
        l.replied = Some((stamp(again, 60), again));
        l.state = "closed";
        l.closed = Some((stamp(closed, 90), closed));
        l.close_reason = "accepted";
        return l;
    }
    l.state = "closed";
    l.closed = Some((stamp(rate_on, 90), rate_on));
    l.close_reason = "accepted";
    l
}
