//! The demo year of the drafting desk: about three texts a month asked for by
//! city leaders and offices, drafted in the research office's sections,
//! reviewed by the section head and checked by a leader, some returned once,
//! most issued, a few published; the latest ones still on the desk. Every
//! step goes through the desk's own actions at its own time.

use rand::RngExt;
use rand::rngs::StdRng;

use super::prose;
use super::reform::{caller, day};
use crate::app::AppState;
use crate::authz::Principal;
use crate::clock::Ts;
use crate::drafting::desk::{self, PublicationInput, TaskInput, VersionInput};

const REQUESTERS: &[&str] =
    &["市委主要领导", "市委副书记", "市委秘书长", "市委办公室", "市政府办公室", "市委深改委"];
const TITLES: &[(&str, &str)] = &[
    ("speech", "在全市{t}工作推进会上的讲话"),
    ("report", "关于{t}情况的调研报告"),
    ("info", "{t}工作情况专报"),
    ("summary", "{y}年{t}工作总结"),
    ("brief", "关于{t}工作的汇报提纲"),
    ("document", "关于进一步加强{t}工作的实施意见（代拟稿）"),
];

async fn who(state: &AppState, username: &str) -> anyhow::Result<Principal> {
    let id: Option<(i64,)> = state
        .db
        .opt(crate::db::Query::new("select id from accounts where username = $1").bind(username))
        .await?;
    let (id,) = id.ok_or_else(|| anyhow::anyhow!("demo account {username} missing"))?;
    Principal::load(&state.db, id).await?.ok_or_else(|| anyhow::anyhow!("demo account {username} disabled"))
}

fn at(d: time::Date, hour: u8, offset: time::UtcOffset) -> Ts {
    Ts::from_datetime(d.with_hms(hour, 0, 0).unwrap_or(d.midnight()).assume_offset(offset))
}

/// Seeds the year; returns how many tasks it made.
pub async fn seed(state: &AppState, rng: &mut StdRng, year: i32) -> anyhow::Result<usize> {
    let offset = state.clock.offset();
    let now = state.clock.now();
    let mut made = 0;
    for month in 1..=12u8 {
        for k in 0..3u8 {
            let opened = day(year, month, 3 + k * 9);
            let start = at(opened, 9, offset);
            if start.0 > now.0 {
                return Ok(made);
            }
            let section = rng.random_range(0..6usize);
            let drafter = who(state, &format!("zys{:02}", section * 5 + 2 + rng.random_range(0..3))).await?;
            let reviewer = who(state, &format!("zys{:02}", section * 5 + 1)).await?;
            let checker = who(state, &format!("ld{:02}", 1 + rng.random_range(0..3))).await?;
            let topic = prose::TOPICS[rng.random_range(0..prose::TOPICS.len())];
            let (kind, title) = TITLES[rng.random_range(0..TITLES.len())];
            let title = title.replace("{t}", topic).replace("{y}", &year.to_string());
            let hours = [24, 48, 72, 120, 168][rng.random_range(0..5)];
            let c = caller(state, &drafter, start);
            let input = TaskInput {
                title,
                kind: kind.into(),
                requester: REQUESTERS[rng.random_range(0..REQUESTERS.len())].into(),
                unit_id: drafter.unit_id.to_string(),
                due_hours: hours.to_string(),
                drafter_ids: vec![drafter.account_id.to_string()],
                reviewer_id: reviewer.account_id.to_string(),
                checker_id: checker.account_id.to_string(),
            };
            let id = desk::create(&c, &input).await?;
            made += 1;
            // The work takes some share of the time allowed, sometimes more.
            let mut t = start.0;
            let step_ms = hours * 3_600_000 / rng.random_range(4..8);
            let next = |t: &mut i64| {
                *t += step_ms;
                Ts(*t)
            };
            let length = rng.random_range(1500..4000);
            let text = prose::document(rng, topic, length);
            let late = |ts: Ts| ts.0 > now.0;
            let ts = next(&mut t);
            if late(ts) {
                continue;
            }
            let c = caller(state, &drafter, ts);
            desk::add_version(&c, id, VersionInput { text: text.clone(), note: "初稿".into(), file: None })
                .await?;
            desk::step(&caller(state, &drafter, ts), id, "submit", "").await?;
            let ts = next(&mut t);
            if late(ts) {
                continue;
            }
            if rng.random_range(0..3) == 0 {
                let comment = ["第二部分数据请再核实", "对策建议要更具体，可操作", "压缩篇幅，突出重点"]
                    [rng.random_range(0..3)];
                desk::step(&caller(state, &reviewer, ts), id, "return", comment).await?;
                let ts = next(&mut t);
                if late(ts) {
                    continue;
                }
                let v2 = prose::revise(rng, &text, topic);
                let c = caller(state, &drafter, ts);
                desk::add_version(
                    &c,
                    id,
                    VersionInput { text: v2, note: "按审核意见修改".into(), file: None },
                )
                .await?;
                desk::step(&c, id, "submit", "").await?;
            }
            let ts = next(&mut t);
            if late(ts) {
                continue;
            }
            desk::step(&caller(state, &reviewer, ts), id, "approve", "").await?;
            let ts = next(&mut t);
            if late(ts) {
                continue;
            }
            desk::step(&caller(state, &checker, ts), id, "approve", "同意").await?;
            let ts = next(&mut t);
            if late(ts) {
                continue;
            }
            desk::step(&caller(state, &drafter, ts), id, "issue", "").await?;
            if rng.random_range(0..3) == 0 {
                let on = ts.to_offset(offset).date();
                let p = PublicationInput {
                    outlet: ["《决策参考》", "《云川日报》", "市政府门户网站", "省委政研室《调研参阅》"]
                        [rng.random_range(0..4)]
                    .into(),
                    published_on: on.to_string(),
                    reach: ["全文刊发", "摘要刊发", "获领导圈阅", "转发各县区学习"][rng.random_range(0..4)]
                        .into(),
                    note: String::new(),
                };
                desk::add_publication(&caller(state, &drafter, ts), id, &p).await?;
            }
        }
    }
    Ok(made)
}
