//! Drafting tasks for `zhengyan gen`: 100,000 at scale 1 over ten years, each
//! with one or two versions of our own prose. Versions are short (150–350
//! characters, about 750 bytes): with the 20,000 research reports of about
//! 10 KB the search holds some 280 MB, near the ~200 MB the search figures
//! are stated for. Written in large batches.
//! The search index is rebuilt afterwards by the caller.

use std::time::Instant;

use rand::RngExt;
use rand::rngs::StdRng;

use super::prose;
use crate::clock::Ts;
use crate::db::{Arg, Db, Query, Sql};
use crate::drafting::desk::KINDS;

/// Rows per insert statement.
const ROWS: usize = 200;
const YEAR_MS: i64 = 365 * 24 * 3_600_000;

/// Writes `n` tasks; returns (tasks, characters of text).
pub async fn generate(
    db: &Db,
    rng: &mut StdRng,
    now: Ts,
    this_year: i32,
    n: usize,
) -> anyhow::Result<(usize, u64)> {
    if n == 0 {
        return Ok((0, 0));
    }
    let started = Instant::now();
    let staff: Vec<(i64, i64)> = db
        .all(Query::new(
            "select a.id, a.unit_id from accounts a join account_roles ar on ar.account_id = a.id \
             join roles r on r.id = ar.role_id where r.code = 'research_staff' order by a.id",
        ))
        .await?;
    let leaders: Vec<(i64,)> = db
        .all(Query::new(
            "select a.id from accounts a join account_roles ar on ar.account_id = a.id \
             join roles r on r.id = ar.role_id where r.code = 'leader' order by a.id",
        ))
        .await?;
    anyhow::ensure!(!staff.is_empty() && !leaders.is_empty(), "gen needs research staff and leaders first");
    let bar = indicatif::ProgressBar::new(n as u64);
    let mut chars = 0u64;
    let mut done = 0;
    while done < n {
        let batch = ROWS.min(n - done);
        let mut tx = db.begin().await?;
        let mut sql = Sql::new(
            "insert into drafting_tasks (year, code, title, kind, requester, unit_id, due_hours, due_at, state, \
             reviewer_id, checker_id, versions, issued_at, created_by, created_at, updated_at) values ",
        );
        let mut texts = Vec::with_capacity(batch);
        for i in 0..batch {
            let k = done + i;
            let age = rng.random_range(0..10 * YEAR_MS);
            let created = Ts(now.0 - age);
            let year = i64::from(this_year) - age / YEAR_MS;
            let (drafter, unit) = staff[rng.random_range(0..staff.len())];
            let reviewer = staff[rng.random_range(0..staff.len())].0;
            let checker = leaders[rng.random_range(0..leaders.len())].0;
            let topic = prose::TOPICS[rng.random_range(0..prose::TOPICS.len())];
            let (kind, label) = KINDS[rng.random_range(0..KINDS.len() - 1)];
            let hours: i64 = [24, 48, 72, 120, 168][rng.random_range(0..5)];
            let open = age < 30 * 24 * 3_600_000;
            let state = if open {
                ["drafting", "review", "check", "final"][rng.random_range(0..4)]
            } else {
                "issued"
            };
            let issued = (!open).then(|| Ts(created.0 + hours * 3_600_000 * rng.random_range(30..140) / 100));
            let length = rng.random_range(150..350);
            let text = prose::document(rng, topic, length);
            let versions: i64 = if rng.random_range(0..3) == 0 { 2 } else { 1 };
            let row: [Arg; 16] = [
                year.into(),
                format!("文稿{year}-G{k:06}").into(),
                format!("关于{topic}的{label}（{k}）").into(),
                kind.into(),
                "市委办公室".into(),
                unit.into(),
                hours.into(),
                Ts(created.0 + hours * 3_600_000).into(),
                state.into(),
                reviewer.into(),
                checker.into(),
                versions.into(),
                issued.into(),
                Some(drafter).into(),
                created.into(),
                created.into(),
            ];
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, a) in row.into_iter().enumerate() {
                sql.push(if j == 0 { "" } else { ", " }).bind(a);
            }
            sql.push(")");
            chars += text.chars().count() as u64;
            texts.push((drafter, created, versions, text, topic));
        }
        sql.push(" returning id");
        let ids: Vec<(i64,)> = tx.all(sql.build()).await?;
        let mut v = Sql::new(
            "insert into drafting_versions (task_id, no, body, source, note, chars, created_by, created_at) values ",
        );
        let mut d = Sql::new("insert into drafting_drafters (task_id, account_id) values ");
        let mut first = true;
        for ((id,), (drafter, created, versions, text, topic)) in ids.iter().zip(texts) {
            d.push(if first { "(" } else { ", (" }).bind(*id).push(", ").bind(drafter).push(")");
            let mut body = text;
            for no in 1..=versions {
                if no > 1 {
                    body = prose::revise(rng, &body, topic);
                }
                let n = body.chars().count() as i64;
                v.push(if first && no == 1 { "(" } else { ", (" });
                v.bind(*id).push(", ").bind(no).push(", ").bind(body.clone()).push(", 'edit', '', ").bind(n);
                v.push(", ").bind(drafter).push(", ").bind(Ts(created.0 + no * 3_600_000)).push(")");
            }
            first = false;
        }
        tx.exec(v.build()).await?;
        tx.exec(d.build()).await?;
        tx.commit().await?;
        done += batch;
        bar.inc(batch as u64);
    }
    bar.finish_and_clear();
    println!(
        "起草任务：{n} 件，文字 {:.0} 万字（{:.1} 秒）",
        chars as f64 / 10_000.0,
        started.elapsed().as_secs_f64()
    );
    Ok((n, chars))
}
