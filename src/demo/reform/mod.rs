//! The demo city's reform year: 66 tasks deployed from above and 95 of the
//! city's own (50 of them 破零), run through the product's own actions as the
//! year went — each task created, staged with its evidence, reported on monthly
//! by its units and reviewed by the reform office, recoloured every Monday —
//! so timelines, colour histories, the audit trail and every figure come from
//! the same code a live office uses. Then inspections with rectification,
//! notices, typical cases, pilots, star ratings, unit scores and the year's
//! assessment scheme. All text is ours; the same seed gives the same year.
//!
//! This file holds the plan of each task and its dated steps, which read
//! together; the words are in `words.rs`, the rest of the year in `extras.rs`.

use std::collections::HashMap;

use anyhow::Context;
use rand::RngExt;
use rand::rngs::StdRng;
use time::{Date, Duration, Month, PrimitiveDateTime, Time};

use crate::app::{AppState, Caller};
use crate::audit::Actor;
use crate::authz::Principal;
use crate::clock::Ts;
use crate::db::Query;
use crate::reform::model::{MilestoneInput, ReportInput, TaskInput};
use crate::reform::stage::{EvidenceInput, Expert, Stage};
use crate::reform::{actions, colour, reports};
use words::*;

mod extras;
mod words;

/// What the seeding made, to print.
#[derive(Debug, Default)]
pub struct Seeded {
    /// Reform tasks.
    pub tasks: usize,
    /// Progress reports.
    pub reports: usize,
}

/// How a task's year goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Course {
    /// Finished and accepted.
    Done,
    /// On schedule.
    OnTrack,
    /// Behind the calendar or a milestone (yellow).
    Lagging,
    /// Past its deadline or a milestone long overdue (red).
    Late,
    /// Started late in the year, still in the early stages.
    Early,
}

/// A task as planned for the demo.
pub(super) struct Plan {
    title: String,
    source: &'static str,
    field: &'static str,
    lead: usize,
    coop: Vec<usize>,
    leader: usize,
    start: Date,
    deadline: Option<Date>,
    tags: Vec<&'static str>,
    course: Course,
}

/// One thing that happens, at one moment.
enum Act {
    Create,
    Milestone(usize, String, Date),
    MilestoneDone(usize),
    Advance(Stage),
    Report { unit: usize, percent: i64, key: usize, late_words: bool },
    Accept(usize),
    Return(usize),
    Resubmit { unit: usize, key: usize, next: usize, percent: i64 },
    Status(&'static str, &'static str),
    Recolour,
}

struct Step {
    at: Ts,
    order: usize,
    task: usize,
    act: Act,
}

/// The people who act: the reform office, the leaders, one liaison per unit.
pub(super) struct Cast {
    office: Principal,
    office2: Principal,
    leaders: Vec<(i64, String)>,
    /// Units that lead or cooperate: (unit id, liaison).
    units: Vec<(i64, String, Principal)>,
    departments: usize,
}

async fn principal(state: &AppState, username: &str) -> anyhow::Result<Principal> {
    let id: i64 = state
        .db
        .scalar(Query::new("select id from accounts where username = $1").bind(username))
        .await
        .with_context(|| format!("demo account {username}"))?;
    Principal::load(&state.db, id).await?.with_context(|| format!("demo account {username} is not active"))
}

async fn cast(state: &AppState) -> anyhow::Result<Cast> {
    let office = principal(state, "ggb01").await?;
    let office2 = principal(state, "ggb05").await?;
    let mut leaders = Vec::new();
    for i in 1..=8 {
        let p = principal(state, &format!("ld{i:02}")).await?;
        leaders.push((p.account_id, p.display_name.clone()));
    }
    let mut units = Vec::new();
    let departments = super::names::DEPARTMENTS.len();
    for i in 1..=departments {
        let p = principal(state, &format!("bm{i:02}")).await?;
        units.push((p.unit_id, super::names::DEPARTMENTS[i - 1].to_string(), p));
    }
    for i in 1..=super::names::COUNTIES.len() {
        let p = principal(state, &format!("xq{i:02}")).await?;
        units.push((p.unit_id, super::names::COUNTIES[i - 1].to_string(), p));
    }
    Ok(Cast { office, office2, leaders, units, departments })
}

pub(super) fn caller<'a>(state: &'a AppState, who: &'a Principal, at: Ts) -> Caller<'a> {
    let actor = Actor { id: Some(who.account_id), name: who.username.clone(), ip: "10.20.1.15".into() };
    Caller { state, who, actor, now: at }
}

pub(super) fn day(y: i32, m: u8, d: u8) -> Date {
    let month = Month::try_from(m).unwrap_or(Month::December);
    Date::from_calendar_date(y, month, d.min(time::util::days_in_month(month, y))).unwrap_or(Date::MIN)
}

pub(super) fn plus(d: Date, days: i64) -> Date {
    d.saturating_add(Duration::days(days))
}

/// The field a lead department usually works in.
fn field_of(dept: usize) -> &'static str {
    match dept {
        1 | 5 | 8 | 17 | 18 | 23 | 26 => "society",
        16 => "culture",
        10 | 13 | 28 => "ecology",
        4 | 6 | 20 => "democracy",
        _ => "economy",
    }
}

/// The reform year of the demo: this year, unless it has barely begun.
pub fn demo_year(today: Date) -> i32 {
    if today.ordinal() >= 120 { today.year() } else { today.year() - 1 }
}

fn plans(rng: &mut StdRng, cast: &Cast, year: i32, today: Date) -> Vec<Plan> {
    let mut out = Vec::new();
    let counties = cast.units.len() - cast.departments;
    let pick_coop = |rng: &mut StdRng, lead: usize, n: usize| {
        let mut coop = Vec::new();
        while coop.len() < n {
            let u = rng.random_range(0..cast.units.len());
            if u != lead && !coop.contains(&u) {
                coop.push(u);
            }
        }
        coop
    };
    for (title, source, dept) in DEPLOYED {
        let n = rng.random_range(1..=3);
        let leader = match *source {
            "central" => rng.random_range(0..2),
            "provincial" => [2, 5, 6][rng.random_range(0..3)],
            _ => rng.random_range(3..7),
        };
        let coop = pick_coop(rng, *dept, n);
        let mut tags = Vec::new();
        if rng.random_bool(0.3) {
            tags.push("重点改革");
        }
        out.push(Plan {
            title: (*title).to_string(),
            source,
            field: field_of(*dept),
            lead: *dept,
            coop,
            leader,
            start: Date::MIN,
            deadline: None,
            tags,
            course: Course::OnTrack,
        });
    }
    for (i, phrase) in BREAKING_ZERO.iter().enumerate() {
        for k in 0..2 {
            let county = cast.departments + (i * 5 + k * 7) % counties;
            let n = rng.random_range(0..=2);
            let coop = pick_coop(rng, county, n);
            out.push(Plan {
                title: format!("{}{phrase}", cast.units[county].1),
                source: "breaking_zero",
                field: if i % 3 == 0 {
                    "ecology"
                } else if i % 3 == 1 {
                    "society"
                } else {
                    "economy"
                },
                lead: county,
                coop,
                leader: [2, 5, 6][rng.random_range(0..3)],
                start: Date::MIN,
                deadline: None,
                tags: vec!["破零"],
                course: Course::OnTrack,
            });
        }
    }
    for (i, phrase) in SELF_INITIATED.iter().enumerate() {
        for k in 0..2 {
            let lead = if k == 0 {
                SERVICE_DEPARTMENTS[i % SERVICE_DEPARTMENTS.len()]
            } else {
                cast.departments + (i * 3 + 1) % counties
            };
            let n = rng.random_range(0..=2);
            let coop = pick_coop(rng, lead, n);
            out.push(Plan {
                title: format!("{}{phrase}", cast.units[lead].1),
                source: "self",
                field: if k == 0 { field_of(lead) } else { "society" },
                lead,
                coop,
                leader: [2, 5, 6][rng.random_range(0..3)],
                start: Date::MIN,
                deadline: None,
                tags: if rng.random_bool(0.2) { vec!["创新案例"] } else { Vec::new() },
                course: Course::OnTrack,
            });
        }
    }
    for (i, phrase) in MICRO.iter().enumerate() {
        let lead = if i % 3 == 0 {
            SERVICE_DEPARTMENTS[i % SERVICE_DEPARTMENTS.len()]
        } else {
            cast.departments + (i * 7 + 2) % counties
        };
        out.push(Plan {
            title: format!("{}{phrase}", cast.units[lead].1),
            source: "micro",
            field: "society",
            lead,
            coop: Vec::new(),
            leader: [5, 6][i % 2],
            start: Date::MIN,
            deadline: None,
            tags: vec!["微改革"],
            course: Course::OnTrack,
        });
    }
    // When each starts, when it is due, and how its year goes.
    let jan = day(year, 1, 8);
    let end = day(year, 12, 31).min(today);
    for p in &mut out {
        let roll = rng.random_range(0..100);
        p.course = match roll {
            0..25 => Course::Done,
            25..62 => Course::OnTrack,
            62..80 => Course::Lagging,
            80..90 => Course::Late,
            _ => Course::Early,
        };
        p.start = plus(jan, rng.random_range(0..70));
        if p.course == Course::Early {
            p.start = plus(end, -rng.random_range(3..100)).max(jan);
            p.deadline = Some(day(year + 1, [6, 12][rng.random_range(0..2)], 30));
            continue;
        }
        if p.course == Course::Late {
            let options: Vec<Date> = [(6, 30), (8, 31), (9, 30), (10, 31)]
                .iter()
                .map(|(m, d)| day(year, *m, *d))
                .filter(|d| *d <= plus(today, -12) && *d > plus(p.start, 150))
                .collect();
            if options.is_empty() {
                p.course = Course::Lagging;
            } else {
                p.deadline = Some(options[rng.random_range(0..options.len())]);
                continue;
            }
        }
        let deadlines = [(9, 30), (10, 31), (11, 30), (12, 31), (12, 31), (12, 31)];
        let (m, d) = deadlines[rng.random_range(0..deadlines.len())];
        let mut due = day(year, m, d);
        if p.course != Course::Done && due < plus(today, 10) {
            due = if plus(today, 25) <= day(year, 12, 31) { day(year, 12, 31) } else { day(year + 1, 6, 30) };
        }
        p.deadline = if rng.random_bool(0.06) && p.course == Course::OnTrack { None } else { Some(due) };
    }
    out
}

pub(super) fn at(d: Date, minutes: i64, offset: time::UtcOffset) -> Ts {
    let base = PrimitiveDateTime::new(d, Time::from_hms(8, 30, 0).unwrap_or(Time::MIDNIGHT));
    Ts::from_datetime(base.assume_offset(offset)).plus_minutes(minutes)
}

/// Expected percent on `d` for a task spanning `start..deadline`.
fn expected(start: Date, deadline: Option<Date>, d: Date) -> i64 {
    let Some(due) = deadline else { return 0 };
    let span = (due - start).whole_days().max(1);
    ((d - start).whole_days().clamp(0, span) * 100) / span
}

/// The year of one task, as dated steps.
fn schedule(
    rng: &mut StdRng,
    p: &Plan,
    task: usize,
    today: Date,
    keys: &mut usize,
    offset: time::UtcOffset,
) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut order = 0;
    let base_minute = (task % 97) as i64 * 4;
    let mut push = |steps: &mut Vec<Step>, d: Date, act: Act| {
        order += 1;
        steps.push(Step { at: at(d, base_minute + order as i64, offset), order, task, act });
    };
    push(&mut steps, p.start, Act::Create);
    // Stage dates up to the decision.
    let slow = if p.course == Course::Early { 2 } else { 1 };
    let approval = plus(p.start, rng.random_range(5..15) * slow);
    let plan = plus(approval, rng.random_range(10..25) * slow);
    let review = plus(plan, rng.random_range(5..12) * slow);
    let decision = plus(review, rng.random_range(5..12) * slow);
    let span_end = p.deadline.unwrap_or(plus(p.start, 330));
    let finish = if p.course == Course::Done {
        let latest = p.deadline.unwrap_or(today).min(plus(today, -8));
        let earliest = plus(decision, 75);
        if latest <= earliest {
            None
        } else {
            Some(plus(earliest, rng.random_range(0..=(latest - earliest).whole_days())))
        }
    } else {
        None
    };
    let course = if p.course == Course::Done && finish.is_none() { Course::OnTrack } else { p.course };
    // Milestones, set when the task is created.
    let mid = plus(p.start, (span_end - p.start).whole_days() / 2);
    let mut milestones = vec![("实施方案印发".to_string(), plus(decision, 10))];
    let stage_mid = match course {
        Course::Lagging if rng.random_bool(0.5) => Some(plus(today, -rng.random_range(3..12))),
        Course::Late if rng.random_bool(0.5) => Some(plus(today, -rng.random_range(20..45))),
        _ => None,
    };
    let overdue_mid = stage_mid.is_some_and(|d| d > decision);
    milestones.push(("阶段性成果形成".to_string(), if overdue_mid { stage_mid.unwrap_or(mid) } else { mid }));
    if let Some(due) = p.deadline {
        milestones.push(("改革成效评估".to_string(), plus(due, -15)));
    }
    for (k, (name, due)) in milestones.iter().enumerate() {
        push(&mut steps, p.start, Act::Milestone(k, name.clone(), *due));
    }
    let stages = [
        (Stage::Approval, approval),
        (Stage::Plan, plan),
        (Stage::Review, review),
        (Stage::Decision, decision),
    ];
    for (stage, d) in stages {
        if d > today {
            break;
        }
        push(&mut steps, d, Act::Advance(stage));
    }
    if course == Course::Early {
        if task.is_multiple_of(23) && approval <= today {
            push(&mut steps, today, Act::Status("suspended", "待省级配套政策出台后再行推进"));
        }
        return steps;
    }
    // Milestones met along the way.
    let first_done = plus(decision, rng.random_range(0..9));
    if first_done <= today {
        push(&mut steps, first_done, Act::MilestoneDone(0));
    }
    let second_due = milestones[1].1;
    if !overdue_mid {
        let done_on = plus(second_due, -rng.random_range(0..10));
        if done_on <= today && done_on > decision {
            push(&mut steps, done_on, Act::MilestoneDone(1));
        }
    }
    // Monthly reports by the lead unit, a cooperating unit quarterly.
    let stop = match (course, finish) {
        (Course::Done, Some(f)) => plus(f, -6),
        _ if task % 11 == 3 => plus(today, -70),
        _ => today,
    };
    let target = match course {
        Course::Done => 100,
        Course::OnTrack => (expected(p.start, p.deadline, today) + rng.random_range(0..12)).clamp(35, 95),
        Course::Lagging => (expected(p.start, p.deadline, today) - rng.random_range(22..35)).clamp(10, 80),
        Course::Late => rng.random_range(55..86),
        Course::Early => 0,
    };
    let from = plus(decision, 5);
    let mut month_start = day(from.year(), u8::from(from.month()), 1);
    let mut last_percent = 5;
    let total_days = (stop - from).whole_days().max(1);
    while month_start <= stop {
        let due = day(month_start.year(), u8::from(month_start.month()), 25);
        let late = rng.random_bool(0.12);
        let sent = if late { plus(due, rng.random_range(1..7)) } else { plus(due, -rng.random_range(0..6)) };
        if sent > stop || sent < from {
            month_start = plus(day(month_start.year(), u8::from(month_start.month()), 28), 5);
            month_start = day(month_start.year(), u8::from(month_start.month()), 1);
            continue;
        }
        let share = (sent - from).whole_days() as f64 / total_days as f64;
        let mut percent =
            (5.0 + (f64::from(u8::try_from(target).unwrap_or(100)) - 5.0) * share).round() as i64;
        if course == Course::Done {
            percent = percent.min(95);
        }
        percent = percent.max(last_percent).min(100);
        last_percent = percent;
        let key = *keys;
        *keys += 1;
        push(&mut steps, sent, Act::Report { unit: p.lead, percent, key, late_words: late });
        let review = plus(sent, rng.random_range(1..4));
        if review <= today {
            if rng.random_bool(0.1) && course != Course::Done {
                push(&mut steps, review, Act::Return(key));
                let again = plus(review, rng.random_range(1..3));
                if again <= today {
                    let next = *keys;
                    *keys += 1;
                    push(&mut steps, again, Act::Resubmit { unit: p.lead, key, next, percent });
                    let accept = plus(again, rng.random_range(1..3));
                    if accept <= today {
                        push(&mut steps, accept, Act::Accept(next));
                    }
                }
            } else {
                push(&mut steps, review, Act::Accept(key));
            }
        }
        if let Some(&coop) = p.coop.first()
            && u8::from(month_start.month()) % 3 == 0
        {
            let key = *keys;
            *keys += 1;
            let sent = plus(sent, -1);
            push(&mut steps, sent, Act::Report { unit: coop, percent, key, late_words: false });
            let review = plus(sent, rng.random_range(2..5));
            if review <= today {
                push(&mut steps, review, Act::Accept(key));
            }
        }
        month_start = plus(day(month_start.year(), u8::from(month_start.month()), 28), 5);
        month_start = day(month_start.year(), u8::from(month_start.month()), 1);
    }
    // The end of the road for finished tasks.
    if let Some(f) = finish {
        push(&mut steps, plus(f, -12), Act::MilestoneDone(2));
        push(&mut steps, plus(f, -4), Act::Advance(Stage::Implementation));
        push(&mut steps, plus(f, -2), Act::Advance(Stage::Supervision));
        push(&mut steps, f, Act::Advance(Stage::Acceptance));
    } else if course == Course::OnTrack
        && target >= 85
        && p.deadline.is_some_and(|d| d <= plus(today, 45))
        && rng.random_bool(0.4)
    {
        let moved = plus(today, -rng.random_range(3..12));
        push(&mut steps, moved, Act::Advance(Stage::Implementation));
        if rng.random_bool(0.35) {
            push(&mut steps, plus(moved, 2), Act::Advance(Stage::Supervision));
        }
    }
    if course == Course::OnTrack && task % 37 == 5 {
        // A task merged into another: cancelled, with its reason.
        push(&mut steps, today, Act::Status("cancelled", "与市级同类改革任务合并推进"));
    }
    steps
}

fn report_input(rng: &mut StdRng, percent: i64, late: bool) -> ReportInput {
    let a = DONE_LINES[rng.random_range(0..DONE_LINES.len())];
    let b = DONE_LINES[rng.random_range(0..DONE_LINES.len())];
    let content = if a == b {
        format!("本期{a}，累计完成年度任务的{percent}%。")
    } else {
        format!("本期{a}；{b}，累计完成年度任务的{percent}%。")
    };
    let mut problems = PROBLEMS[rng.random_range(0..PROBLEMS.len())].to_string();
    if late && problems.is_empty() {
        problems = "材料汇总较慢，报送略有延迟".into();
    }
    ReportInput {
        percent: percent.to_string(),
        content,
        problems,
        next_steps: NEXT_STEPS[rng.random_range(0..NEXT_STEPS.len())].to_string(),
        unit_id: String::new(),
    }
}

/// A small PDF standing in for a plan document.
fn plan_pdf(title: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n% demo plan document\n".to_vec();
    out.extend_from_slice(format!("% {}\n", title.len()).as_bytes());
    out.extend_from_slice(title.as_bytes());
    out.extend_from_slice(b"\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    out
}

fn evidence(rng: &mut StdRng, stage: Stage, p: &Plan, cast: &Cast, d: Date, seq: usize) -> EvidenceInput {
    let year = d.year();
    let deployed = matches!(p.source, "central" | "provincial" | "city");
    match stage {
        Stage::Approval => EvidenceInput {
            basis: match p.source {
                "central" => format!("中央全面深化改革委员会部署，列入省委改革办{year}年工作要点"),
                "provincial" => format!("省委全面深化改革委员会{year}年工作要点"),
                "city" => format!("市委全面深化改革委员会{year}年第一次会议审议通过的年度改革要点"),
                _ => format!("{}党委（党组）会议研究确定，报市委改革办备案", cast.units[p.lead].1),
            },
            ..EvidenceInput::default()
        },
        Stage::Plan => {
            EvidenceInput { plan_title: format!("{}实施方案", p.title), ..EvidenceInput::default() }
        }
        Stage::Review => {
            let a = rng.random_range(0..EXPERTS.len());
            let b = (a + 1 + rng.random_range(0..EXPERTS.len() - 1)) % EXPERTS.len();
            let experts = [a, b]
                .iter()
                .map(|&i| Expert {
                    name: EXPERTS[i].0.into(),
                    title: EXPERTS[i].1.into(),
                    opinion: OPINIONS[rng.random_range(0..OPINIONS.len())].into(),
                })
                .collect();
            EvidenceInput { experts, ..EvidenceInput::default() }
        }
        Stage::Decision => EvidenceInput {
            meeting: if deployed {
                format!("市委全面深化改革委员会{year}年第{}次会议", 1 + seq % 4)
            } else {
                format!("{}党委（党组）会议", cast.units[p.lead].1)
            },
            date: d.to_string(),
            doc_no: if deployed {
                format!("云改发〔{year}〕{}号", 1 + seq % 60)
            } else {
                format!("云改办〔{year}〕{}号", 1 + seq % 90)
            },
            decision: "原则通过，按程序印发实施".into(),
            ..EvidenceInput::default()
        },
        Stage::Implementation => EvidenceInput {
            summary: format!(
                "各项改革举措已落地实施，出台配套制度{}项，达到预期目标",
                rng.random_range(2..7)
            ),
            ..EvidenceInput::default()
        },
        Stage::Supervision => EvidenceInput {
            summary: "经市委改革办督察考评，改革任务完成情况良好，群众和企业反映积极".into(),
            ..EvidenceInput::default()
        },
        Stage::Acceptance | Stage::Done => EvidenceInput {
            result: "passed".into(),
            date: d.to_string(),
            decision: "经验收，改革目标全部实现，形成制度成果，同意结项".into(),
            ..EvidenceInput::default()
        },
    }
}

/// Seeds the reform year into a freshly built demo city.
pub async fn seed(state: &AppState, rng: &mut StdRng) -> anyhow::Result<Seeded> {
    let cast = cast(state).await?;
    let offset = state.clock.offset();
    let today = state.clock.today();
    let year = demo_year(today);
    let last = day(year, 12, 31).min(today);
    let plans = plans(rng, &cast, year, last);
    let mut keys = 0;
    let mut steps = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        steps.extend(schedule(rng, p, i, last, &mut keys, offset));
    }
    // The daily job's recolouring, as of every Monday.
    let mut monday = day(year, 1, 8);
    while monday.weekday() != time::Weekday::Monday {
        monday = plus(monday, 1);
    }
    while monday <= last {
        steps.push(Step { at: at(monday, -90, offset), order: 0, task: usize::MAX, act: Act::Recolour });
        monday = plus(monday, 7);
    }
    steps.sort_by_key(|s| (s.at, s.task, s.order));

    let rules = crate::deadline::settings::rules(&state.db, "reform").await?;
    let mut ids: Vec<i64> = vec![0; plans.len()];
    let mut milestone_ids: HashMap<(usize, usize), i64> = HashMap::new();
    let mut report_ids: HashMap<usize, i64> = HashMap::new();
    let mut made = Seeded { tasks: plans.len(), reports: 0 };
    for (seq, s) in steps.iter().enumerate() {
        if let Act::Recolour = s.act {
            let d = s.at.to_offset(offset).date();
            let mut tx = state.db.begin().await?;
            colour::refresh(&mut tx, None, &rules, d, s.at).await?;
            tx.commit().await?;
            continue;
        }
        let p = &plans[s.task];
        let office = caller(state, &cast.office, s.at);
        let id = ids[s.task];
        let d = s.at.to_offset(offset).date();
        let what = || format!("demo reform step {seq} of task “{}”", p.title);
        match &s.act {
            Act::Create => {
                let input = TaskInput {
                    title: p.title.clone(),
                    year: year.to_string(),
                    source: p.source.into(),
                    field: p.field.into(),
                    lead_unit_id: cast.units[p.lead].0.to_string(),
                    unit_ids: p.coop.iter().map(|u| cast.units[*u].0.to_string()).collect(),
                    leader_account_id: cast.leaders[p.leader].0.to_string(),
                    leader_name: String::new(),
                    goals: format!(
                        "围绕{}，破除体制机制障碍，{}形成可复制可推广的制度成果。",
                        p.title,
                        p.deadline.map_or("逐步".to_string(), |d| format!(
                            "到{}年{}月底前",
                            d.year(),
                            u8::from(d.month())
                        ))
                    ),
                    outputs: format!(
                        "实施方案1份；配套制度文件{}项；改革成效评估报告1份",
                        rng.random_range(1..5)
                    ),
                    start_on: p.start.to_string(),
                    deadline: p.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    tags: p.tags.join("、"),
                    report_cycle: "monthly".into(),
                    report_day: "25".into(),
                };
                ids[s.task] = actions::create(&office, &input).await.map_err(failed).with_context(what)?;
            }
            Act::Milestone(k, name, due) => {
                let input = MilestoneInput { name: name.clone(), due_on: due.to_string() };
                let mid =
                    actions::add_milestone(&office, id, &input).await.map_err(failed).with_context(what)?;
                milestone_ids.insert((s.task, *k), mid);
            }
            Act::MilestoneDone(k) => {
                if let Some(mid) = milestone_ids.get(&(s.task, *k)) {
                    actions::milestone_done(&office, id, *mid).await.map_err(failed).with_context(what)?;
                }
            }
            Act::Advance(stage) => {
                let input = evidence(rng, *stage, p, &cast, d, seq);
                let file = if *stage == Stage::Plan {
                    let bytes = plan_pdf(&p.title);
                    Some(
                        crate::attachments::actions::check(
                            &office,
                            &format!("{}实施方案.pdf", p.title),
                            bytes,
                        )
                        .await
                        .map_err(failed)
                        .with_context(what)?,
                    )
                } else {
                    None
                };
                actions::advance(&office, id, &input, file.as_ref())
                    .await
                    .map_err(failed)
                    .with_context(what)?;
            }
            Act::Report { unit, percent, key, late_words } => {
                let liaison = caller(state, &cast.units[*unit].2, s.at);
                let input = report_input(rng, *percent, *late_words);
                let rid =
                    reports::submit(&liaison, id, &input, &[]).await.map_err(failed).with_context(what)?;
                report_ids.insert(*key, rid);
                made.reports += 1;
            }
            Act::Accept(key) => {
                let reviewer = caller(state, if key % 3 == 0 { &cast.office2 } else { &cast.office }, s.at);
                reports::accept(&reviewer, report_ids[key]).await.map_err(failed).with_context(what)?;
            }
            Act::Return(key) => {
                let reason = RETURN_REASONS[key % RETURN_REASONS.len()];
                reports::send_back(&office, report_ids[key], reason)
                    .await
                    .map_err(failed)
                    .with_context(what)?;
            }
            Act::Resubmit { unit, key, next, percent } => {
                let liaison = caller(state, &cast.units[*unit].2, s.at);
                let mut input = report_input(rng, *percent, false);
                input.content = format!("{}已按要求补充量化数据和佐证材料。", input.content);
                let rid = reports::resubmit(&liaison, report_ids[key], &input, &[])
                    .await
                    .map_err(failed)
                    .with_context(what)?;
                report_ids.insert(*next, rid);
                made.reports += 1;
            }
            Act::Status(status, reason) => {
                actions::set_status(&office, id, status, reason).await.map_err(failed).with_context(what)?;
            }
            Act::Recolour => {}
        }
    }
    extras::others(state, rng, &extras::Year { cast: &cast, plans: &plans, ids: &ids, year, last }).await?;
    Ok(made)
}

/// An action's refusal, for the seeding's error chain.
pub(super) fn failed(e: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}
