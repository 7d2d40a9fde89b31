//! The demo year of research: the year's focus areas; key topics led by city
//! leaders and special topics carried by counties and departments, their
//! milestones reached (some late); outputs in our own prose, in series; an
//! issue of 《决策参考》 about every month; leader instructions on what reached
//! the leaders, most followed up, some still open or late; a few outputs turned
//! into policy; funds with spending; and the year's selection round. Every
//! record goes through the research actions at its own time.

use rand::RngExt;
use rand::rngs::StdRng;
use time::Date;

use super::prose;
use super::reform::{caller, day, plus};
use crate::app::AppState;
use crate::authz::Principal;
use crate::clock::Ts;
use crate::research::funds::{self, BudgetInput, SpendingInput};
use crate::research::instructions::{self, InstructionInput};
use crate::research::journal::{self, IssueInput};
use crate::research::outputs::{self, OutputInput, TransformationInput};
use crate::research::selection::{self, AwardCounts, RoundInput};
use crate::research::topics::{self, TopicInput};

const FOCUS: &[&str] = &[
    "推动县域经济高质量发展",
    "深化营商环境改革",
    "推进城乡融合和乡村振兴",
    "提升基层治理效能",
    "保障和改善民生",
    "加快数字政府建设",
];

const SERIES: &[&str] = &["县域经济调研系列", "营商环境观察", "基层治理调研系列", ""];

const DISTRIBUTION: &str = "市委常委，市人大常委会、市政府、市政协主要领导，市委各部委，市直各单位，各县区委";

/// Demo accounts used here, looked up once.
struct Cast {
    office: Principal,
    leaders: Vec<Principal>,
    owners: Vec<Principal>,
}

/// A demo account by user name.
pub(super) async fn who(state: &AppState, username: &str) -> anyhow::Result<Principal> {
    let id: Option<(i64,)> = state
        .db
        .opt(crate::db::Query::new("select id from accounts where username = $1").bind(username))
        .await?;
    let (id,) = id.ok_or_else(|| anyhow::anyhow!("demo account {username} missing"))?;
    Principal::load(&state.db, id).await?.ok_or_else(|| anyhow::anyhow!("demo account {username} disabled"))
}

/// A moment of a demo day, at the given hour where the offices are.
pub(super) fn at(d: Date, hour: u8, state: &AppState) -> Ts {
    Ts::from_datetime(d.with_hms(hour, 0, 0).unwrap_or(d.midnight()).assume_offset(state.clock.offset()))
}

/// What the seeding made.
#[derive(Debug, Default)]
pub struct Seeded {
    /// Topics.
    pub topics: usize,
    /// Outputs.
    pub outputs: usize,
    /// Issues of 《决策参考》.
    pub issues: usize,
    /// Instructions.
    pub instructions: usize,
}

/// Seeds the year up to today.
pub async fn seed(state: &AppState, rng: &mut StdRng, year: i32) -> anyhow::Result<Seeded> {
    let today = state.clock.today();
    let mut leaders = Vec::new();
    for i in 1..=4 {
        leaders.push(who(state, &format!("ld{i:02}")).await?);
    }
    let mut owners = Vec::new();
    for u in ["xq01", "xq02", "xq03", "bm01", "bm02", "bm03"] {
        owners.push(who(state, u).await?);
    }
    let cast = Cast { office: who(state, "zys01").await?, leaders, owners };
    let mut made = Seeded::default();
    let start = day(year, 1, 10);
    let c = caller(state, &cast.office, at(start, 9, state));
    let mut focus = Vec::new();
    for f in FOCUS {
        focus.push(topics::add_focus(&c, i64::from(year), f).await?);
    }

    // Topics: six key topics led by city leaders, eight special ones carried by counties and departments.
    let mut topic_ids = Vec::new();
    for k in 0..14usize {
        let key = k < 6;
        let opened = plus(day(year, 2, 1), (k as i64) * 9);
        if opened > today {
            break;
        }
        let subject = prose::TOPICS[k % prose::TOPICS.len()];
        let lead = if key { cast.office.unit_id } else { cast.owners[k % cast.owners.len()].unit_id };
        let leader = &cast.leaders[k % cast.leaders.len()];
        let dates: Vec<Date> = [30, 90, 160, 220, 300].iter().map(|d| plus(opened, *d)).collect();
        let input = TopicInput {
            title: if key {
                format!("关于{year}年{subject}重点问题的对策研究")
            } else {
                format!("{subject}工作推进情况专题调研")
            },
            kind: ["countermeasure", "strategic", "tracking", "case", "forward", "supervisory"][k % 6].into(),
            level: if key { "key" } else { "special" }.into(),
            focus_id: focus[k % focus.len()].to_string(),
            leader: if key {
                format!("{} {}", ["市委书记", "市长", "市委副书记", "市委秘书长"][k % 4], leader.display_name)
            } else {
                String::new()
            },
            lead_unit_id: lead.to_string(),
            member_unit_ids: if key {
                vec![cast.owners[k % 3].unit_id.to_string(), cast.owners[3 + k % 3].unit_id.to_string()]
            } else {
                Vec::new()
            },
            summary: prose::paragraph(rng, subject),
            party_group: if key { "课题组临时党小组".into() } else { String::new() },
            team: "李晓明 组长\n王海燕 执笔人\n陈立 成员".into(),
            start_on: opened.to_string(),
            opening_on: dates[0].to_string(),
            survey_on: dates[1].to_string(),
            draft_on: dates[2].to_string(),
            review_on: dates[3].to_string(),
            closing_on: dates[4].to_string(),
        };
        let id = topics::create(&caller(state, &cast.office, at(opened, 10, state)), &input).await?;
        made.topics += 1;
        // Milestones reached on time, a few days late, or not yet.
        let mut last = opened;
        for (stage, due) in topics::STAGES.iter().map(|(s, _)| *s).zip(&dates) {
            let late = [0i64, 0, 0, 5, 12, 40][rng.random_range(0..6)];
            let done = plus(*due, late - 3).max(last);
            last = done;
            if done > today {
                break;
            }
            topics::milestone_done(
                &caller(state, &cast.office, at(done, 16, state)),
                id,
                stage,
                &done.to_string(),
            )
            .await?;
        }
        if key {
            let c = caller(state, &cast.office, at(plus(opened, 1), 9, state));
            funds::add_budget(
                &c,
                id,
                &BudgetInput { item: "问卷调查与数据采买".into(), amount: "3万".into() },
            )
            .await?;
            funds::add_budget(&c, id, &BudgetInput { item: "调研差旅与座谈".into(), amount: "2万".into() })
                .await?;
        }
        topic_ids.push((id, opened, subject, lead));
    }

    // Outputs: two per topic as its work goes on, plus monthly information reports.
    let mut output_ids: Vec<(i64, Date)> = Vec::new();
    for (n, (topic, opened, subject, unit)) in topic_ids.iter().enumerate() {
        for (j, offset) in [120i64, 210].iter().enumerate() {
            let finished = plus(*opened, *offset + rng.random_range(0..20));
            if finished > today {
                break;
            }
            let input = OutputInput {
                title: if j == 0 {
                    format!("关于{subject}情况的调研报告")
                } else {
                    format!("进一步做好{subject}工作的对策建议")
                },
                kind: if j == 0 { "report" } else { "proposal" }.into(),
                topic_id: topic.to_string(),
                unit_id: unit.to_string(),
                authors: "李晓明 王海燕".into(),
                series: SERIES[n % SERIES.len()].into(),
                finished_on: finished.to_string(),
                text: {
                    let n = rng.random_range(2500..5000);
                    prose::document(rng, subject, n)
                },
            };
            let id =
                outputs::create(&caller(state, &cast.office, at(finished, 17, state)), &input, None).await?;
            output_ids.push((id, finished));
            made.outputs += 1;
        }
    }
    for month in 1..=12u8 {
        let finished = day(year, month, 18);
        if finished > today {
            break;
        }
        let subject = prose::TOPICS[rng.random_range(0..prose::TOPICS.len())];
        let input = OutputInput {
            title: format!("{subject}工作中值得关注的几个问题"),
            kind: "info".into(),
            topic_id: String::new(),
            unit_id: cast.office.unit_id.to_string(),
            authors: "综合科".into(),
            series: String::new(),
            finished_on: finished.to_string(),
            text: {
                let n = rng.random_range(1200..2500);
                prose::document(rng, subject, n)
            },
        };
        let id = outputs::create(&caller(state, &cast.office, at(finished, 17, state)), &input, None).await?;
        output_ids.push((id, finished));
        made.outputs += 1;
    }
    output_ids.sort_by_key(|(_, d)| *d);

    // 《决策参考》: about one issue a month, carrying what was finished since the last one.
    let mut carried = 0usize;
    let mut instructed = Vec::new();
    for month in 2..=12u8 {
        let on = day(year, month, 25);
        if on > today {
            break;
        }
        let ready: Vec<i64> = output_ids
            .iter()
            .skip(carried)
            .take_while(|(_, d)| *d <= on)
            .take(3)
            .map(|(id, _)| *id)
            .collect();
        if ready.is_empty() {
            continue;
        }
        carried += ready.len();
        let c = caller(state, &cast.office, at(on, 10, state));
        let (issue, _) =
            journal::create(&c, &IssueInput { theme: String::new(), distribution: DISTRIBUTION.into() })
                .await?;
        for o in &ready {
            journal::add_article(&c, issue, &o.to_string()).await?;
        }
        journal::publish(&c, issue).await?;
        made.issues += 1;
        instructed.extend(ready.iter().map(|o| (*o, on)));
    }

    // Instructions on about half of what reached the leaders.
    let levels = ["city_principal", "city_gov_principal", "city_leader", "city_leader", "province_leader"];
    let posts = ["市委书记", "市长", "市委副书记", "副市长", "省委常委"];
    for (k, (output, issued)) in instructed.iter().enumerate() {
        if rng.random_range(0..2) == 0 {
            continue;
        }
        let on = plus(*issued, rng.random_range(2..8));
        if on > today {
            continue;
        }
        let lv = rng.random_range(0..levels.len());
        let leader = &cast.leaders[k % cast.leaders.len()];
        let owner = &cast.owners[rng.random_range(0..cast.owners.len())];
        let needs = rng.random_range(0..4) != 0;
        let due = plus(on, rng.random_range(15..45));
        let input = InstructionInput {
            leader: format!("{} {}", posts[lv], leader.display_name),
            level: levels[lv].into(),
            instructed_on: on.to_string(),
            content: [
                "此件很好，请有关部门认真研究吸收。",
                "建议很有针对性，请结合实际抓好落实。",
                "请市政府研究，拿出具体措施。",
                "阅。调研扎实，请转发各县区参阅。",
            ][rng.random_range(0..4)]
            .into(),
            follow_up: if needs {
                "研究提出具体落实措施，按期报送落实情况".into()
            } else {
                String::new()
            },
            target_kind: "output".into(),
            target_id: output.to_string(),
            unit_id: if needs { owner.unit_id.to_string() } else { String::new() },
            owner_id: if needs { owner.account_id.to_string() } else { String::new() },
            due_on: if needs { due.to_string() } else { String::new() },
        };
        let id = instructions::create(&caller(state, &cast.office, at(on, 15, state)), &input).await?;
        made.instructions += 1;
        // Most follow-ups are reported and confirmed in time; some stay open, some late.
        let reported = plus(due, [-10i64, -5, -2, 3, 30][rng.random_range(0..5)]);
        // About one in four is still open: late, or not yet due.
        let stalled = rng.random_range(0..4) == 0;
        if needs && !stalled && reported <= today {
            let text = "已研究制定具体措施并印发实施，相关工作按计划推进。";
            instructions::step(&caller(state, owner, at(reported, 11, state)), id, "report", text).await?;
            let confirmed = plus(reported, 1);
            if confirmed <= today {
                instructions::step(&caller(state, &cast.office, at(confirmed, 9, state)), id, "confirm", "")
                    .await?;
            }
        }
        if rng.random_range(0..5) == 0 {
            let adopted = plus(on, 30);
            if adopted <= today {
                let t = TransformationInput {
                    kind: ["policy", "decision", "measure"][rng.random_range(0..3)].into(),
                    title: "关于进一步优化相关工作的若干措施".into(),
                    adopted_by: "市委办公室、市政府办公室".into(),
                    adopted_on: adopted.to_string(),
                    evidence: format!("云办发〔{year}〕{}号", rng.random_range(10..60)),
                };
                outputs::add_transformation(
                    &caller(state, &cast.office, at(adopted, 10, state)),
                    *output,
                    &t,
                )
                .await?;
            }
        }
    }

    // Spending on the key topics' budgets.
    for (topic, opened, _, _) in topic_ids.iter().take(6) {
        let spent = plus(*opened, 60);
        if spent > today {
            continue;
        }
        let c = caller(state, &cast.office, at(spent, 10, state));
        for b in funds::budgets(&state.db, *topic).await? {
            let kind = if b.item.contains("数据") { "data" } else { "survey" };
            let input = SpendingInput {
                budget_id: b.id.to_string(),
                kind: kind.into(),
                description: if kind == "data" {
                    "县域企业经营数据".into()
                } else {
                    "赴县区调研差旅".into()
                },
                vendor: if kind == "data" { "云川市大数据中心".into() } else { String::new() },
                amount: "8000".into(),
            };
            let id = funds::request(&c, &input).await?;
            funds::decide(&caller(state, &cast.leaders[0], at(plus(spent, 2), 10, state)), id, true, "同意")
                .await?;
        }
    }

    // The year's selection round, judged by three leaders, once enough is finished.
    let round_day = day(year, 11, 10);
    if round_day <= today && output_ids.len() >= 6 {
        let c = caller(state, &cast.office, at(round_day, 9, state));
        let judges: Vec<String> = cast.leaders.iter().take(3).map(|l| l.account_id.to_string()).collect();
        let round = selection::create(
            &c,
            &RoundInput { title: format!("{year}年度全市优秀调研成果评选"), judge_ids: judges },
        )
        .await?;
        let mut entries = Vec::new();
        for (o, _) in output_ids.iter().filter(|(_, d)| *d < round_day).take(8) {
            entries.push(selection::add_entry(&c, round, &o.to_string()).await?);
        }
        for (j, judge) in cast.leaders.iter().take(3).enumerate() {
            let jc = caller(state, judge, at(plus(round_day, 3 + j as i64), 15, state));
            for e in &entries {
                let score = rng.random_range(70..98).to_string();
                selection::score(&jc, round, &e.to_string(), &score, "").await?;
            }
        }
        let close = plus(round_day, 8);
        if close <= today {
            let counts = AwardCounts {
                first: "1".into(),
                second: "2".into(),
                third: "3".into(),
                merit: String::new(),
            };
            selection::close(&caller(state, &cast.leaders[0], at(close, 10, state)), round, &counts).await?;
        }
    }
    Ok(made)
}
