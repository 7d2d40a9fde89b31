//! The rest of the demo's reform year, after the tasks have run their course:
//! inspections with rectification, notices, typical cases, pilots, star
//! ratings, unit scores and the assessment scheme — again through the
//! product's own actions.

use rand::RngExt;
use rand::rngs::StdRng;
use time::Date;

use super::{Cast, Course, Plan, at, caller, day, failed, plus};
use crate::app::AppState;
use crate::db::Query;
use crate::reform::{cases, evaluation, inspections, notices};

async fn code_of(state: &AppState, id: i64) -> anyhow::Result<String> {
    Ok(state.db.scalar(Query::new("select code from reform_tasks where id = $1").bind(id)).await?)
}

/// The reform year as seeded so far.
pub(super) struct Year<'a> {
    pub(super) cast: &'a Cast,
    pub(super) plans: &'a [Plan],
    pub(super) ids: &'a [i64],
    pub(super) year: i32,
    pub(super) last: Date,
}

/// Inspections, notices, cases, pilots, ratings, scores and the scheme.
pub(super) async fn others(state: &AppState, rng: &mut StdRng, y: &Year<'_>) -> anyhow::Result<()> {
    let Year { cast, plans, ids, year, last } = *y;
    let done: Vec<usize> = (0..plans.len()).filter(|i| plans[*i].course == Course::Done).collect();
    let offset = state.clock.offset();
    let when = |d: Date| at(d.min(last), 60, offset);
    let unit_id = |u: usize| cast.units[u].0;
    // Units that lead a task this year, in plan order.
    let mut leads: Vec<usize> = Vec::new();
    for p in plans {
        if !leads.contains(&p.lead) {
            leads.push(p.lead);
        }
    }

    // Inspections: a written one in spring, on-site ones in summer and autumn.
    let rounds = [
        ("written", "上半年改革任务推进情况书面督察", day(year, 5, 20)),
        ("onsite", "重点改革任务实地督察", day(year, 7, 16)),
        ("onsite", "破零改革和微改革专项督察", day(year, 10, 14)),
    ];
    let findings = [
        "改革方案配套制度未按时出台",
        "改革进展报送内容与实际不符，佐证材料不全",
        "试点经验总结提炼不够，推广机制不健全",
        "部门协同不够，数据共享事项未落实",
        "群众知晓度和参与度不高，宣传解读不到位",
    ];
    let mut f = 0;
    for (r, (kind, title, held)) in rounds.iter().enumerate() {
        if *held > last {
            continue;
        }
        let office = caller(state, &cast.office, when(*held));
        let chosen: Vec<usize> = (0..5).map(|k| leads[(r * 7 + k * 3) % leads.len()]).collect();
        let input = inspections::InspectionInput {
            title: format!("{year}年{title}"),
            kind: (*kind).into(),
            held_on: held.to_string(),
            organizer: if r == 1 {
                "市委改革办、市委督查室联合督察组".into()
            } else {
                "市委改革办督察组".into()
            },
            summary: "对照年度改革任务清单，逐项查阅台账资料、听取汇报、走访服务对象。".into(),
            unit_ids: chosen.iter().map(|u| unit_id(*u).to_string()).collect(),
        };
        let iid = inspections::create(&office, &input).await.map_err(failed)?;
        for (k, u) in chosen.iter().enumerate() {
            let result = if k == 2 { "failed" } else { "passed" };
            inspections::set_result(&office, iid, unit_id(*u), result).await.map_err(failed)?;
            if k >= 2 {
                continue;
            }
            let task = plans.iter().position(|p| p.lead == *u);
            let task_code = match task {
                Some(t) if ids[t] > 0 => code_of(state, ids[t]).await?,
                _ => String::new(),
            };
            let finding = inspections::FindingInput {
                unit_id: unit_id(*u).to_string(),
                task_code,
                item: crate::rectify::ItemInput {
                    description: findings[f % findings.len()].into(),
                    deadline: plus(*held, [30, 45, 60][f % 3]).to_string(),
                    owner_account_id: cast.units[*u].2.account_id.to_string(),
                },
            };
            f += 1;
            inspections::add_finding(&office, iid, &finding).await.map_err(failed)?;
        }
    }
    // Units close most of their items, with evidence.
    let items: Vec<(i64, i64, Date)> = state
        .db
        .all(Query::new("select id, unit_id, deadline from rectifications where status = 'open' order by id"))
        .await?;
    for (k, (item, unit, deadline)) in items.iter().enumerate() {
        let closed = plus(*deadline, -rng.random_range(2..15));
        if k % 4 == 3 || closed > last {
            continue;
        }
        let who = cast.units.iter().find(|u| u.0 == *unit).map_or(&cast.office, |u| &u.2);
        let c = caller(state, who, when(closed));
        let input = crate::rectify::CloseInput {
            evidence: "已制定整改方案，逐项落实整改措施，相关制度文件已印发。".into(),
            closed_on: closed.to_string(),
        };
        crate::rectify::close(&c, *item, &input, None).await.map_err(failed)?;
    }

    // Notices of praise and criticism.
    let notice_plan = [
        ("praise", "关于表扬上半年改革攻坚成效突出单位的通报", day(year, 7, 28), 0),
        ("criticism", "关于部分改革任务推进滞后情况的通报", day(year, 8, 20), 1),
        ("praise", "关于破零改革优秀项目的通报", day(year, 10, 30), 2),
    ];
    for (n, (kind, title, on, pick)) in notice_plan.iter().enumerate() {
        if *on > last {
            continue;
        }
        let office = caller(state, &cast.office, when(*on));
        let chosen: Vec<usize> = (0..plans.len())
            .filter(|i| match pick {
                0 => plans[*i].course == Course::Done && ids[*i] > 0,
                1 => matches!(plans[*i].course, Course::Late | Course::Lagging) && ids[*i] > 0,
                _ => plans[*i].source == "breaking_zero" && plans[*i].course != Course::Late && ids[*i] > 0,
            })
            .take(4)
            .collect();
        let mut codes = Vec::new();
        for i in &chosen {
            codes.push(code_of(state, ids[*i]).await?);
        }
        let input = notices::NoticeInput {
            kind: (*kind).into(),
            title: (*title).into(),
            issuing_body: if n == 1 {
                "市委督查室、市委改革办".into()
            } else {
                "中共云川市委全面深化改革委员会办公室".into()
            },
            doc_no: format!("云改办通〔{year}〕{}号", n + 3),
            issued_on: on.to_string(),
            summary: if *kind == "praise" {
                "以上单位改革措施有力、成效明显，予以通报表扬，希望再接再厉。".into()
            } else {
                "以上任务进度明显滞后于时间进度，请责任单位认真分析原因，限期整改。".into()
            },
            unit_ids: chosen.iter().map(|i| unit_id(plans[*i].lead).to_string()).collect(),
            task_codes: codes.join("、"),
        };
        notices::create(&office, &input).await.map_err(failed)?;
    }

    // Typical cases, from cultivation to adoption.
    let case_titles = [
        "“一件事一次办”让企业开办跑出加速度",
        "林权流转交易平台激活山区“沉睡资产”",
        "积分制让乡村治理有抓手见实效",
        "“免申即享”让惠企政策直达快享",
        "医共体建设让群众在家门口看好病",
        "“标准地”出让推动项目快落地",
        "网格化治理打通服务群众“最后一米”",
        "河湖警长制守护一江清水",
        "“强村公司”带动村集体经济增收",
        "供水一体化让城乡同饮放心水",
        "老旧小区改造建管并重见长效",
        "“共享法庭”把矛盾化解在基层",
    ];
    let outlets =
        ["central_bulletin", "provincial_bulletin", "city_briefing", "national_media", "provincial_media"];
    for (k, title) in case_titles.iter().enumerate() {
        let task = (0..plans.len()).filter(|i| ids[*i] > 0).nth(k * 11 % plans.len().max(1)).unwrap_or(0);
        let unit = plans[task].lead;
        let started = day(year, 3 + (k % 6) as u8, 10);
        if started > last {
            continue;
        }
        let office = caller(state, &cast.office, when(started));
        let input = cases::CaseInput {
            title: (*title).into(),
            year: year.to_string(),
            unit_id: unit_id(unit).to_string(),
            task_code: code_of(state, ids[task]).await?,
            summary: "总结改革背景、主要做法、取得成效和经验启示，形成典型案例材料。".into(),
        };
        let case = cases::create_case(&office, &input).await.map_err(failed)?;
        if k % 4 == 3 {
            continue; // still being cultivated
        }
        for s in 0..(1 + k % 3) {
            let sent = plus(started, 20 + 25 * s as i64);
            if sent > last {
                break;
            }
            let office = caller(state, &cast.office, when(sent));
            let sub = cases::SubmissionInput {
                outlet: outlets[(k + s) % outlets.len()].into(),
                submitted_on: sent.to_string(),
                note: "按要求报送案例材料".into(),
            };
            let sid = cases::submit_case(&office, case, &sub).await.map_err(failed)?;
            let answered = plus(sent, 18);
            if answered <= last && (k + s) % 3 != 2 {
                let office = caller(state, &cast.office, when(answered));
                let outcome = if (k + s) % 2 == 0 { "adopted" } else { "declined" };
                cases::record_outcome(&office, sid, outcome, &answered.to_string()).await.map_err(failed)?;
            }
        }
    }

    // Pilots at three levels.
    let pilots = [
        ("国家级数字乡村试点", "national", 19),
        ("省级营商环境创新试点", "provincial", 29),
        ("省级紧密型县域医共体建设试点", "provincial", 17),
        ("省级生态产品价值实现机制试点", "provincial", 10),
        ("市级城市社区网格化治理试点", "city", 5),
        ("市级“标准地”出让改革试点", "city", 9),
        ("市级“共富工坊”建设试点", "city", 14),
        ("市级老旧小区长效管理试点", "city", 11),
    ];
    let counties = cast.units.len() - cast.departments;
    for (k, (title, level, dept)) in pilots.iter().enumerate() {
        let host = if k % 2 == 0 { cast.departments + (k * 5) % counties } else { *dept };
        let start = day(year - i32::from(k < 3), if k < 3 { 9 } else { 3 }, 1);
        let office = caller(state, &cast.office, when(start.max(day(year, 1, 10))));
        let task = plans.iter().position(|p| p.lead == host);
        let input = cases::PilotInput {
            title: format!("{}{title}", cast.units[host].1),
            level: (*level).into(),
            host_unit_id: unit_id(host).to_string(),
            task_code: match task {
                Some(t) if ids[t] > 0 => code_of(state, ids[t]).await?,
                _ => String::new(),
            },
            start_on: start.to_string(),
            end_on: day(start.year() + if k < 3 { 2 } else { 1 }, 8, 31).to_string(),
            note: "试点期内形成可复制可推广经验，报上级改革办备案。".into(),
        };
        let pid = cases::create_pilot(&office, &input).await.map_err(failed)?;
        let midterm = day(year, 6, 20);
        if k != 4 && midterm <= last {
            let office = caller(state, &cast.office, when(midterm));
            let eval = cases::PilotEvaluation {
                kind: "midterm".into(),
                on: midterm.to_string(),
                result: if k == 6 {
                    "进度偏慢，需加快推进".into()
                } else {
                    "进展顺利，阶段目标基本实现".into()
                },
            };
            cases::evaluate_pilot(&office, pid, &eval).await.map_err(failed)?;
        }
        let accepted = day(year, 10, 25);
        if k == 0 && accepted <= last {
            let office = caller(state, &cast.office, when(accepted));
            let eval = cases::PilotEvaluation {
                kind: "acceptance".into(),
                on: accepted.to_string(),
                result: "passed".into(),
            };
            cases::evaluate_pilot(&office, pid, &eval).await.map_err(failed)?;
        }
    }

    // Star criteria, and ratings of the finished tasks.
    let office = caller(state, &cast.office, when(day(year, 3, 1)));
    let mut criteria = Vec::new();
    for name in ["改革方案质量", "推进力度", "改革成效", "群众和企业获得感"] {
        let input =
            evaluation::CriterionInput { year: year.to_string(), name: name.into(), max_stars: "5".into() };
        criteria.push(evaluation::add_criterion(&office, &input).await.map_err(failed)?);
    }
    for (k, i) in done.iter().enumerate() {
        if ids[*i] == 0 {
            continue;
        }
        let status: String = state
            .db
            .scalar(Query::new("select status from reform_tasks where id = $1").bind(ids[*i]))
            .await?;
        if status != "done" {
            continue;
        }
        let who = if k % 2 == 0 { &cast.office } else { &cast.office2 };
        let c = caller(state, who, when(last));
        let input = evaluation::RatingInput {
            stars: criteria.iter().map(|cr| (cr.to_string(), rng.random_range(3..=5).to_string())).collect(),
            comment: "改革举措扎实，成效明显".into(),
        };
        evaluation::rate(&c, ids[*i], &input).await.map_err(failed)?;
    }
    // Performance-review and public-evaluation scores of the lead units.
    let office = caller(state, &cast.office, when(last));
    for u in &leads {
        for (kind, low) in [("review", 78.0), ("public", 72.0)] {
            let score: f64 = low + f64::from(rng.random_range(0..200u32)) / 10.0;
            let input = evaluation::UnitScoreInput {
                year: year.to_string(),
                unit_id: unit_id(*u).to_string(),
                kind: kind.into(),
                score: format!("{score:.1}"),
                note: String::new(),
            };
            evaluation::set_unit_score(&office, &input).await.map_err(failed)?;
        }
    }
    // The year's assessment scheme, with the innovation points entered.
    crate::reform::assessment::create_scheme(&office, &year.to_string()).await.map_err(failed)?;
    let entered: Vec<(i64,)> = state
        .db
        .all(
            Query::new(
                "select i.id from reform_indicators i join reform_schemes s on s.id = i.scheme_id \
                 where s.year = $1 and i.kind = 'entered'",
            )
            .bind(i64::from(year)),
        )
        .await?;
    for (indicator,) in entered {
        let mut values: Vec<(String, String)> = Vec::new();
        for u in &leads {
            if rng.random_bool(0.6) {
                values.push((unit_id(*u).to_string(), rng.random_range(2..=10).to_string()));
            }
        }
        crate::reform::assessment::save_entries(&office, indicator, &values).await.map_err(failed)?;
    }
    Ok(())
}
