//! The demo year of the grassroots loop: every contact point registered; a
//! risk lexicon; submissions across the year in our own words, from the
//! points with a liaison account, some sent twice with light edits, a few
//! carrying risk words; the office dispatches, units reply, points rate —
//! some unsatisfied, some never — all through the actions at their own time.

use rand::RngExt;
use rand::rngs::StdRng;

use super::city::CP_KINDS;
use super::reform::{caller, day};
use super::research::{at, who};
use crate::app::AppState;
use crate::authz::Principal;
use crate::clock::Ts;
use crate::db::{Db, Query};
use crate::liaison::cases;
use crate::liaison::steps::{self, StepInput};
use crate::liaison::submit::{self, SubmitInput};

/// (category, title, content) patterns; `{p}` is a place word.
pub(super) const PATTERNS: &[(&str, &str, &str)] = &[
    ("urban", "{p}路灯长期不亮", "{p}一带的路灯坏了二十多天，晚上老人孩子出门只能摸黑，希望尽快安排维修。"),
    ("urban", "{p}小区停车位紧张", "{p}小区停车位远远不够，车辆占用消防通道，物业协调多次没有结果。"),
    ("urban", "{p}排水管网堵塞", "{p}排水管网堵塞，每逢下雨路面积水没过脚踝，商户进出困难。"),
    ("livelihood", "{p}老人看病报销不便", "{p}不少老人反映医保异地报销手续复杂，来回跑了几趟还没办完。"),
    (
        "livelihood",
        "{p}学校放学接送拥堵",
        "{p}学校放学时段接送车辆堵塞道路，孩子过马路存在隐患，建议错峰放学。",
    ),
    ("livelihood", "{p}低保审核进度慢", "{p}有困难家庭申请低保三个月仍未审核完毕，家里生活难以为继。"),
    ("rural", "{p}灌溉渠年久失修", "{p}的灌溉渠多处垮塌，春耕在即，农户担心用水跟不上。"),
    ("rural", "{p}村道硬化未完成", "{p}村道硬化工程停工半年，雨天泥泞，农产品运不出去。"),
    ("environment", "{p}养殖场异味扰民", "{p}附近养殖场粪污处理不到位，夏天异味很重，周边群众意见很大。"),
    ("environment", "{p}工地夜间施工噪音", "{p}工地连续夜间施工，噪音影响居民休息，多次劝阻无效。"),
    ("economy", "{p}小微企业融资难", "{p}的小微企业反映银行贷款门槛高、审批慢，流动资金周转困难。"),
    (
        "economy",
        "{p}个体户经营成本上升",
        "{p}沿街个体户反映租金和水电费上涨，经营压力加大，希望出台帮扶措施。",
    ),
    ("safety", "{p}自建房存在安全隐患", "{p}有几处老旧自建房墙体开裂，住户仍在居住，担心发生危险。"),
    ("safety", "{p}电动车违规充电", "{p}楼道里电动车飞线充电现象普遍，存在较大消防隐患。"),
    ("service", "{p}办事材料反复提交", "{p}群众办理不动产登记，同样的材料在不同窗口要交好几次。"),
    ("service", "{p}便民服务中心排队久", "{p}便民服务中心只开两个窗口，群众办事要排一上午队。"),
];

/// Sentences that turn a case into a risk case (words in the lexicon below).
pub(super) const RISKY: &[&str] = &[
    "部分工人说如果月底前还拿不到工钱就要集体上访。",
    "有群众在村口拉横幅，情绪比较激动。",
    "已有人在网上发帖，转发量不小，需关注舆情。",
];

/// The demo lexicon: (word, level).
const LEXICON: &[(&str, i64)] = &[
    ("集体上访", 3),
    ("拉横幅", 3),
    ("堵路", 3),
    ("讨薪", 2),
    ("网上发帖", 2),
    ("情绪激动", 2),
    ("舆情", 1),
    ("投诉无门", 1),
];

/// Light edits a repeated complaint gets.
const EDITS: &[&str] = &["再次反映：", "此前已反映过，", "群众又来问了："];

/// Registers every contact-point unit (kinds by sort order, the name as place) and the demo lexicon.
pub(super) async fn register(db: &Db, now: Ts) -> anyhow::Result<()> {
    let points: Vec<(i64, String)> = db
        .all(Query::new("select id, name from units where kind = 'contact_point' order by sort_order, id"))
        .await?;
    let mut tx = db.begin().await?;
    for (i, (id, name)) in points.iter().enumerate() {
        tx.exec(
            Query::new(
                "insert into liaison_points (unit_id, kind, place, liaisons, phone, status, note, updated_at) \
                 values ($1, $2, $3, '', '', 'active', '', $4)",
            )
            .bind(*id)
            .bind(CP_KINDS[i % CP_KINDS.len()])
            .bind(name.as_str())
            .bind(now),
        )
        .await?;
    }
    for (word, level) in LEXICON {
        tx.exec(
            Query::new(
                "insert into liaison_lexicon (word, level, note, created_at) values ($1, $2, '演示词库', $3)",
            )
            .bind(*word)
            .bind(*level)
            .bind(now),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Seeds the registry, the lexicon and the year's cases; returns how many cases.
pub async fn seed(state: &AppState, rng: &mut StdRng, year: i32) -> anyhow::Result<usize> {
    register(&state.db, state.clock.now()).await?;
    let office = who(state, "zys01").await?;
    let mut handlers = Vec::new();
    for u in ["xq01", "xq02", "xq03", "bm01", "bm02", "bm03", "bm04"] {
        handlers.push(who(state, u).await?);
    }
    let mut liaisons = Vec::new();
    let mut places = Vec::new();
    for i in 1..=80 {
        let p = who(state, &format!("lxd{i:03}")).await?;
        let name: String =
            state.db.scalar(Query::new("select name from units where id = $1").bind(p.unit_id)).await?;
        places.push(name.trim_end_matches("联系点").to_string());
        liaisons.push(p);
    }
    let today = state.clock.today();
    let mut sent: Vec<(usize, String, String)> = Vec::new();
    let mut made = 0;
    // About two submissions a working week from the active points, through the year up to today.
    let mut d = day(year, 1, 5);
    while d < today {
        let n = rng.random_range(3..7);
        for _ in 0..n {
            let li = rng.random_range(0..liaisons.len());
            let repeat = !sent.is_empty() && rng.random_range(0..100) < 6;
            let (pi, title, content) = if repeat {
                let (pi, t, c) = sent[rng.random_range(0..sent.len())].clone();
                (pi, t, format!("{}{c}", EDITS[rng.random_range(0..EDITS.len())]))
            } else {
                let (_, t, c) = PATTERNS[rng.random_range(0..PATTERNS.len())];
                let place = &places[li];
                let mut content = c.replace("{p}", place);
                if rng.random_range(0..100) < 4 {
                    content.push_str(RISKY[rng.random_range(0..RISKY.len())]);
                }
                (li, t.replace("{p}", place), content)
            };
            let liaison = &liaisons[pi];
            let when = at(d, rng.random_range(8..18), state);
            let c = caller(state, liaison, when);
            let input = SubmitInput {
                title: title.clone(),
                content: content.clone(),
                urgency: if rng.random_range(0..10) == 0 { "urgent".into() } else { String::new() },
                ..SubmitInput::default()
            };
            let checked = submit::check_submission(&c, &input).await?;
            let s = submit::submit(&c, checked, Vec::new(), "form", None).await?;
            made += 1;
            if !repeat {
                sent.push((pi, title, content));
            }
            follow(state, rng, &office, &handlers, liaison, s.id, s.dup_of, d, today).await?;
        }
        d += time::Duration::days(rng.random_range(2..5));
    }
    Ok(made)
}

/// The case's life after submission, as far as the calendar allows.
#[expect(clippy::too_many_arguments, reason = "the case and the people of its life")]
async fn follow(
    state: &AppState,
    rng: &mut StdRng,
    office: &Principal,
    handlers: &[Principal],
    liaison: &Principal,
    id: i64,
    dup_of: Option<i64>,
    submitted: time::Date,
    today: time::Date,
) -> anyhow::Result<()> {
    let step = |s: &str| StepInput { step: s.into(), ..StepInput::default() };
    let dispatch_on = submitted + time::Duration::days(1);
    if dispatch_on >= today {
        return Ok(());
    }
    let c = caller(state, office, at(dispatch_on, 9, state));
    if let Some(d) = dup_of
        && rng.random_range(0..3) > 0
    {
        let merged = steps::step(&c, id, &StepInput { into: d.to_string(), ..step("merge") }).await;
        if merged.is_ok() {
            return Ok(());
        }
    }
    let case = cases::visible(&c, id).await?;
    let handler = &handlers[rng.random_range(0..handlers.len())];
    let category = if case.suggested.is_empty() { "other".to_string() } else { case.suggested.clone() };
    steps::step(&c, id, &StepInput { unit_id: handler.unit_id.to_string(), category, ..step("dispatch") })
        .await?;
    // Most replies come within the limit, some late, some not yet.
    let days = rng.random_range(2..26);
    let reply_on = dispatch_on + time::Duration::days(days);
    if reply_on >= today {
        return Ok(());
    }
    let h = caller(state, handler, at(reply_on, 15, state));
    let solved = ["solved", "solved", "solved", "partly", "explained"][rng.random_range(0..5)];
    let reply = StepInput {
        text: "已组织人员现场核实，会同相关部门制定处置方案并落实，后续将持续跟踪。".into(),
        solved: solved.into(),
        ..step("reply")
    };
    steps::step(&h, id, &reply).await?;
    let rate_on = reply_on + time::Duration::days(rng.random_range(1..6));
    if rate_on >= today || rng.random_range(0..10) == 0 {
        return Ok(());
    }
    let p = caller(state, liaison, at(rate_on, 10, state));
    let rating = ["satisfied", "satisfied", "satisfied", "basically", "unsatisfied"][rng.random_range(0..5)];
    let text =
        if rating == "unsatisfied" { "问题还没有根本解决，群众仍有意见。" } else { "" };
    steps::step(&p, id, &StepInput { rating: rating.into(), text: text.into(), ..step("rate") }).await?;
    if rating == "unsatisfied" {
        let again = rate_on + time::Duration::days(5);
        if again < today {
            let h = caller(state, handler, at(again, 16, state));
            let reply = StepInput {
                text: "已再次上门对接，问题已整改到位并向群众作了说明。".into(),
                solved: "solved".into(),
                ..step("reply")
            };
            steps::step(&h, id, &reply).await?;
            let then = again + time::Duration::days(2);
            if then < today {
                let p = caller(state, liaison, at(then, 10, state));
                steps::step(&p, id, &StepInput { rating: "satisfied".into(), ..step("rate") }).await?;
            }
        }
    }
    Ok(())
}
