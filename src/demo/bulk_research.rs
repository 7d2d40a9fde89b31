//! Research for `zhengyan gen`: at scale 1, 2,000 topics over ten years with
//! their milestones, 20,000 research reports of about 10 KB of our own prose
//! each (some 200 MB of text for the search figures), 240 issues of
//! 《决策参考》 and 3,000 leader instructions, in large batches. The search
//! index is rebuilt afterwards by the caller.

use std::time::Instant;

use rand::RngExt;
use rand::rngs::StdRng;
use time::{Date, Duration};

use super::prose;
use crate::clock::Ts;
use crate::db::{Arg, Db, Query, Sql};

/// Rows per insert statement.
const ROWS: usize = 100;

/// What was written.
#[derive(Debug, Default)]
pub struct Written {
    /// Topics.
    pub topics: usize,
    /// Reports.
    pub outputs: usize,
    /// Characters of report text.
    pub chars: u64,
    /// Issues.
    pub issues: usize,
    /// Instructions.
    pub instructions: usize,
}

fn date_at(now: Ts, offset: time::UtcOffset, days_ago: i64) -> Date {
    now.to_offset(offset).date() - Duration::days(days_ago)
}

fn ts_of(d: Date, offset: time::UtcOffset) -> Ts {
    Ts::from_datetime(d.with_hms(10, 0, 0).unwrap_or(d.midnight()).assume_offset(offset))
}

/// Writes `outputs` reports (and topics, issues, instructions in proportion).
pub async fn generate(
    db: &Db,
    rng: &mut StdRng,
    now: Ts,
    offset: time::UtcOffset,
    outputs: usize,
) -> anyhow::Result<Written> {
    let mut w = Written::default();
    if outputs == 0 {
        return Ok(w);
    }
    let started = Instant::now();
    let staff: Vec<(i64, i64)> = db
        .all(Query::new(
            "select a.id, a.unit_id from accounts a join account_roles ar on ar.account_id = a.id \
             join roles r on r.id = ar.role_id where r.code in ('research_staff', 'unit_liaison') order by a.id",
        ))
        .await?;
    anyhow::ensure!(!staff.is_empty(), "gen needs research staff first");
    let office: i64 =
        db.scalar(Query::new("select min(unit_id) from accounts where username = 'zys01'")).await?;

    // Topics with their five milestones, all but the last year's closed.
    let topics = (outputs / 10).max(1);
    let mut topic_ids = Vec::with_capacity(topics);
    let mut done = 0;
    while done < topics {
        let batch = ROWS.min(topics - done);
        let mut tx = db.begin().await?;
        let mut sql = Sql::new(
            "insert into research_topics (year, code, title, kind, level, leader, lead_unit_id, start_on, due_on, \
             finished_on, stage, colour, colour_reason, created_by, created_at, updated_at) values ",
        );
        let mut dates = Vec::with_capacity(batch);
        for i in 0..batch {
            let k = done + i;
            let ago = rng.random_range(0..3650);
            let start = date_at(now, offset, ago);
            let due = start + Duration::days(300);
            let finished = (ago > 330).then(|| due - Duration::days(rng.random_range(0..30)));
            let (by, unit) = staff[rng.random_range(0..staff.len())];
            let topic = prose::TOPICS[rng.random_range(0..prose::TOPICS.len())];
            let row: [Arg; 16] = [
                i64::from(start.year()).into(),
                format!("课题{}-G{k:05}", start.year()).into(),
                format!("{topic}重点问题研究（{k}）").into(),
                ["countermeasure", "strategic", "tracking", "case"][k % 4].into(),
                if k % 3 == 0 { "key" } else { "special" }.into(),
                if k % 3 == 0 { "市委副书记" } else { "" }.into(),
                unit.into(),
                start.into(),
                due.into(),
                finished.into(),
                if finished.is_some() { "closing" } else { "survey" }.into(),
                if finished.is_some() { "blue" } else { "green" }.into(),
                if finished.is_some() { "已完成" } else { "按计划推进" }.into(),
                Some(by).into(),
                ts_of(start, offset).into(),
                ts_of(start, offset).into(),
            ];
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, a) in row.into_iter().enumerate() {
                sql.push(if j == 0 { "" } else { ", " }).bind(a);
            }
            sql.push(")");
            dates.push((start, finished));
        }
        sql.push(" returning id");
        let ids: Vec<(i64,)> = tx.all(sql.build()).await?;
        let mut m = Sql::new("insert into research_milestones (topic_id, stage, due_on, done_on) values ");
        for (n, ((id,), (start, finished))) in ids.iter().zip(&dates).enumerate() {
            for (s, (stage, _)) in crate::research::topics::STAGES.iter().enumerate() {
                let due = *start + Duration::days(60 * (s as i64 + 1));
                let reached = finished.map(|_| due);
                m.push(if n == 0 && s == 0 { "(" } else { ", (" });
                m.bind(*id).push(", ").bind(*stage).push(", ").bind(due).push(", ").bind(reached).push(")");
            }
            topic_ids.push((*id, *start));
        }
        tx.exec(m.build()).await?;
        tx.commit().await?;
        done += batch;
    }
    w.topics = topics;

    // Reports of about 10 KB (3,000–3,800 characters).
    let bar = indicatif::ProgressBar::new(outputs as u64);
    let mut output_ids: Vec<(i64, Date)> = Vec::with_capacity(outputs);
    let mut done = 0;
    while done < outputs {
        let batch = ROWS.min(outputs - done);
        let mut tx = db.begin().await?;
        let mut sql = Sql::new(
            "insert into research_outputs (year, code, title, kind, topic_id, unit_id, authors, series, body, chars, \
             finished_on, created_by, created_at) values ",
        );
        let mut dates = Vec::with_capacity(batch);
        for i in 0..batch {
            let k = done + i;
            let (topic_id, start) = topic_ids[rng.random_range(0..topic_ids.len())];
            let finished = (start + Duration::days(rng.random_range(90..300))).min(date_at(now, offset, 0));
            let (by, unit) = staff[rng.random_range(0..staff.len())];
            let topic = prose::TOPICS[rng.random_range(0..prose::TOPICS.len())];
            let length = rng.random_range(3000..3800);
            let text = prose::document(rng, topic, length);
            let n = text.chars().count();
            w.chars += n as u64;
            let row: [Arg; 13] = [
                i64::from(finished.year()).into(),
                format!("成果{}-G{k:06}", finished.year()).into(),
                format!("关于{topic}情况的调研报告（{k}）").into(),
                ["report", "proposal", "info"][k % 3].into(),
                Some(topic_id).into(),
                unit.into(),
                "课题组".into(),
                ["县域经济调研系列", "营商环境观察", ""][k % 3].into(),
                text.into(),
                (n as i64).into(),
                finished.into(),
                Some(by).into(),
                ts_of(finished, offset).into(),
            ];
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, a) in row.into_iter().enumerate() {
                sql.push(if j == 0 { "" } else { ", " }).bind(a);
            }
            sql.push(")");
            dates.push(finished);
        }
        sql.push(" returning id");
        let ids: Vec<(i64,)> = tx.all(sql.build()).await?;
        tx.commit().await?;
        output_ids.extend(ids.into_iter().map(|(id,)| id).zip(dates));
        done += batch;
        bar.inc(batch as u64);
    }
    bar.finish_and_clear();
    w.outputs = outputs;

    // 《决策参考》: two issues a month for ten years, three articles each.
    let issues = (outputs / 80).max(1);
    let mut tx = db.begin().await?;
    for n in 0..issues {
        let on = date_at(now, offset, (issues - n) as i64 * 3650 / issues as i64);
        let no: i64 = tx
            .scalar(
                Query::new("select coalesce(max(no), 0) + 1 from research_issues where year = $1")
                    .bind(i64::from(on.year())),
            )
            .await?;
        let id: i64 = tx
            .scalar(
                Query::new(
                    "insert into research_issues (year, no, total_no, unit_id, theme, state, distribution, published_on, created_at) \
                     values ($1, $2, $3, $4, '', 'published', '市委常委', $5, $6) returning id",
                )
                .bind(i64::from(on.year()))
                .bind(no)
                .bind(n as i64 + 1)
                .bind(office)
                .bind(on)
                .bind(ts_of(on, offset)),
            )
            .await?;
        for s in 0..3 {
            let (o, _) = output_ids[rng.random_range(0..output_ids.len())];
            tx.exec(
                Query::new(
                    "insert into research_issue_articles (issue_id, output_id, sort) values ($1, $2, $3) on conflict do nothing",
                )
                .bind(id)
                .bind(o)
                .bind(s),
            )
            .await?;
        }
    }
    tx.commit().await?;
    w.issues = issues;

    // Instructions on some of the reports, mostly followed up.
    let levels = ["city_principal", "city_gov_principal", "city_leader", "province_leader"];
    let count = (outputs * 3 / 20).max(1);
    let mut done = 0;
    while done < count {
        let batch = ROWS.min(count - done);
        let mut sql = Sql::new(
            "insert into research_instructions (year, leader, level, instructed_on, content, follow_up, target_kind, \
             target_id, unit_id, owner_id, due_on, state, done_on, colour, colour_reason, created_at, updated_at) values ",
        );
        for i in 0..batch {
            let (o, finished) = output_ids[rng.random_range(0..output_ids.len())];
            let on = finished + Duration::days(rng.random_range(3..20));
            let due = on + Duration::days(30);
            let (owner, unit) = staff[rng.random_range(0..staff.len())];
            let open = due > date_at(now, offset, 0);
            let row: [Arg; 17] = [
                i64::from(on.year()).into(),
                "市委书记".into(),
                levels[rng.random_range(0..levels.len())].into(),
                on.into(),
                "请有关部门认真研究吸收。".into(),
                "研究提出具体落实措施".into(),
                "output".into(),
                o.into(),
                unit.into(),
                Some(owner).into(),
                Some(due).into(),
                if open { "open" } else { "done" }.into(),
                (!open).then_some(due - Duration::days(2)).into(),
                if open { "green" } else { "blue" }.into(),
                if open { "按计划推进" } else { "已完成" }.into(),
                ts_of(on, offset).into(),
                ts_of(on, offset).into(),
            ];
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, a) in row.into_iter().enumerate() {
                sql.push(if j == 0 { "" } else { ", " }).bind(a);
            }
            sql.push(")");
        }
        db.exec(sql.build()).await?;
        done += batch;
    }
    w.instructions = count;
    println!(
        "调查研究：课题 {}，调研报告 {} 篇（文字 {:.0} 万字），《决策参考》{} 期，领导批示 {} 件（{:.1} 秒）",
        w.topics,
        w.outputs,
        w.chars as f64 / 10_000.0,
        w.issues,
        w.instructions,
        started.elapsed().as_secs_f64()
    );
    Ok(w)
}
