//! `zhengyan search reindex` and `zhengyan search query`.

use anyhow::Context;

use super::query::{Filter, search};
use crate::authz::Principal;
use crate::clock::Clock;
use crate::db::{Db, Query};

/// Rebuilds the index, with a progress bar, and prints how fast it went.
pub async fn reindex(db: &Db, offset: time::UtcOffset) -> anyhow::Result<()> {
    let seg = crate::text::segmenter(db).await?;
    let total: i64 = db
        .scalar(Query::new(
            "select (select count(*) from reform_tasks) + (select count(*) from drafting_tasks) \
             + (select count(*) from research_outputs) + (select count(*) from research_instructions) \
             + (select count(*) from liaison_cases)",
        ))
        .await?;
    let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(0));
    let started = std::time::Instant::now();
    let (docs, bytes) = super::index::reindex(db, &seg, Clock::system(offset).now(), |n| bar.inc(n)).await?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "索引已重建：{docs} 篇，文字 {:.1} MB，用时 {secs:.1} 秒（{:.2} MB/秒）",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs.max(0.001)
    );
    Ok(())
}

/// Prints the first page of hits for `q` as `username` sees them.
pub async fn query(db: &Db, q: &str, username: &str) -> anyhow::Result<()> {
    let id: Option<(i64,)> =
        db.opt(Query::new("select id from accounts where username = $1").bind(username)).await?;
    let (id,) = id.with_context(|| format!("没有账户 {username}"))?;
    let who = Principal::load(db, id).await?.with_context(|| format!("账户 {username} 已停用"))?;
    let seg = crate::text::segmenter(db).await?;
    let filter = Filter { page: 1, ..Filter::default() };
    let mut times = Vec::new();
    let mut r = search(db, &seg, &who, q, &filter).await?;
    for _ in 0..5 {
        let started = std::time::Instant::now();
        r = search(db, &seg, &who, q, &filter).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "检索词：{}；共 {} 条；用时中位数 {:.1} 毫秒（连续 5 次）",
        r.words.join(" / "),
        r.total,
        times[2]
    );
    for h in r.hits {
        println!("[{}] {} {}", h.kind_label, h.id, h.title_html);
    }
    Ok(())
}
