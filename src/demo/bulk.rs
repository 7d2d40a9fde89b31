//! `zhengyan gen --scale N --seed S`: data for benchmarks. Scale 1 is one city
//! over ten years (DOMAIN.md "Scale"): about 1,000 units, 5,000 people and
//! accounts, and 10,000,000 audit records chained exactly as live ones are.
//! Reform tasks: 50,000 over the ten years with 500,000 progress reports
//! (`bulk_reform`). Drafting: 100,000 tasks (`bulk_drafting`). Research:
//! 20,000 reports of about 10 KB with topics, issues and instructions
//! (`bulk_research`). Grassroots: 1,000,000 submissions with their analysis
//! (`bulk_liaison`). Later capabilities add their own tables here. Same seed,
//! same data.

use std::time::Instant;

use anyhow::bail;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::city::{self, Plan};
use crate::app::AppState;
use crate::audit::store::append_batch;
use crate::audit::{Actor, Event};
use crate::clock::{Clock, Ts};
use crate::config::Config;
use crate::db::{Db, Query};

/// Audit records per transaction while generating.
const AUDIT_BATCH: usize = 20_000;
/// Ten years, in milliseconds.
const TEN_YEARS_MS: i64 = 10 * 365 * 24 * 3600 * 1000;

/// Generates a dataset into an empty, migrated database.
pub async fn run(config: &Config, db: &Db, scale: f64, seed: u64, audit: Option<u64>) -> anyhow::Result<()> {
    let units: i64 = db.scalar(Query::new("select count(*) from units")).await?;
    if units > 0 {
        bail!("gen needs an empty database (this one already has {units} units)");
    }
    let started = Instant::now();
    let clock = Clock::system(config.utc_offset());
    let state = AppState::new(config.clone(), db.clone(), clock.clone()).await?;
    let now = clock.now();
    let mut rng = StdRng::seed_from_u64(seed);
    let s = |n: f64| (n * scale).round() as usize;
    let plan = Plan {
        towns_per_county: 9,
        contact_points: s(400.0),
        contact_liaisons: s(200.0),
        extra_accounts: s(5000.0).saturating_sub(300),
        extra_units: s(1000.0).saturating_sub(s(400.0) + 170),
    };
    let hash = crate::auth::password::hash_now(super::DEMO_PASSWORD)?;
    let built = city::build(&state.db, plan, &mut rng, now, &hash).await?;
    println!(
        "组织机构与人员：单位 {}，人员 {}，账户 {}（{:.1} 秒）",
        built.units,
        built.people,
        built.accounts,
        started.elapsed().as_secs_f64()
    );
    let (tasks, _) =
        super::bulk_reform::generate(db, &mut rng, now, clock.today(), s(50_000.0), s(500_000.0)).await?;
    if tasks > 0 {
        super::bulk_scheme::generate(&state, &mut rng, now, clock.today().year()).await?;
    }
    super::bulk_drafting::generate(db, &mut rng, now, clock.today().year(), s(100_000.0)).await?;
    super::bulk_research::generate(db, &mut rng, now, config.utc_offset(), s(20_000.0)).await?;
    super::bulk_liaison::generate(&state, &mut rng, now, config.utc_offset(), s(1_000_000.0)).await?;
    let seg = crate::text::segmenter(db).await?;
    let indexing = Instant::now();
    let (docs, bytes) = crate::search::index::reindex(db, &seg, now, |_| {}).await?;
    let secs = indexing.elapsed().as_secs_f64();
    println!(
        "检索索引：{docs} 篇，文字 {:.0} MB，{secs:.1} 秒（{:.2} MB/秒）",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs.max(0.001)
    );
    let total = audit.unwrap_or((10_000_000.0 * scale) as u64);
    let rate = generate_audit(db, &mut rng, now, total).await?;
    println!("审计记录：{total} 条，{rate:.0} 条/秒");
    println!("合计用时 {:.1} 秒；演示账户密码 {}", started.elapsed().as_secs_f64(), super::DEMO_PASSWORD);
    Ok(())
}

const ACTIONS: &[(&str, &str, &str, u32)] = &[
    ("auth.login", "account", "登录成功", 55),
    ("auth.logout", "account", "退出登录", 20),
    ("auth.login_failed", "account", "登录失败：密码错误", 5),
    ("unit.update", "unit", "修改单位信息", 4),
    ("person.update", "person", "修改人员信息", 5),
    ("account.update", "account", "修改账户", 3),
    ("attachment.upload", "attachment", "上传附件", 4),
    ("export.units", "unit", "导出组织机构", 2),
    ("dict.item_update", "dict_item", "修改字典项", 1),
    ("account.grants", "account", "调整账户授权", 1),
];

/// Appends `total` audit records spread over ten years; returns records per second.
async fn generate_audit(db: &Db, rng: &mut StdRng, now: Ts, total: u64) -> anyhow::Result<f64> {
    let accounts: Vec<(i64, String)> =
        db.all(Query::new("select id, username from accounts order by id")).await?;
    if accounts.is_empty() || total == 0 {
        return Ok(0.0);
    }
    let weight_sum: u32 = ACTIONS.iter().map(|a| a.3).sum();
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("审计记录 {bar:40} {pos}/{len} {per_sec} 剩余 {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let start = now.plus_ms(-TEN_YEARS_MS);
    let step = (TEN_YEARS_MS / total as i64).max(1);
    let began = Instant::now();
    let mut made = 0u64;
    while made < total {
        let n = (total - made).min(AUDIT_BATCH as u64) as usize;
        let mut events = Vec::with_capacity(n);
        for i in 0..n {
            let at = start.plus_ms((made as i64 + i as i64) * step);
            let (id, name) = &accounts[rng.random_range(0..accounts.len())];
            let mut pick = rng.random_range(0..weight_sum);
            let (action, object, summary, _) = ACTIONS
                .iter()
                .find(|a| {
                    if pick < a.3 {
                        true
                    } else {
                        pick -= a.3;
                        false
                    }
                })
                .copied()
                .unwrap_or(ACTIONS[0]);
            let ip = format!(
                "10.{}.{}.{}",
                rng.random_range(0..8),
                rng.random_range(0..255),
                rng.random_range(1..255)
            );
            let object_id = rng.random_range(1..5000);
            let mut ev = Event::new(action, object, object_id).summary(summary);
            if action.ends_with("update") {
                ev = ev
                    .before(&serde_json::json!({ "name": "原名称", "sort_order": object_id % 10 }))
                    .after(&serde_json::json!({ "name": "新名称", "sort_order": object_id % 10 + 1 }));
            }
            events.push((at, Actor { id: Some(*id), name: name.clone(), ip }, ev));
        }
        let mut tx = db.begin().await?;
        append_batch(&mut tx, &events).await?;
        tx.commit().await?;
        made += n as u64;
        bar.set_position(made);
    }
    bar.finish_and_clear();
    Ok(total as f64 / began.elapsed().as_secs_f64())
}
