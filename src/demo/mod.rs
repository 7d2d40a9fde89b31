//! `zhengyan demo`: a reproducible demo city (云川市) on embedded SQLite —
//! the committee, its research and reform offices with their sections, 12
//! counties and districts with their towns, 30 departments, 382 contact points,
//! about 300 accounts covering every role — then serves it. `bulk` is the
//! benchmark generator (`zhengyan gen`).

pub mod builder;
pub mod bulk;
pub mod bulk_drafting;
pub mod bulk_liaison;
pub mod bulk_reform;
pub mod bulk_research;
mod bulk_scheme;
pub mod city;
pub mod drafting;
pub mod liaison;
pub mod names;
pub mod prose;
pub mod reform;
pub mod research;

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::app::{self, AppState};
use crate::audit::{self, Actor, Event};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{Db, Query};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Demo@2026";
/// The seed that makes the demo the same every time.
pub const DEMO_SEED: u64 = 2026;

/// What the demo seeding made.
#[derive(Debug)]
pub struct Seeded {
    /// The city: units, people, accounts and the sign-ins to print.
    pub built: city::Built,
    /// The reform year.
    pub reform: reform::Seeded,
    /// Drafting tasks.
    pub drafts: usize,
    /// The research year.
    pub research: research::Seeded,
    /// Grassroots cases.
    pub cases: usize,
}

/// Builds the demo into `db` unless it already holds data; returns what it made.
pub async fn seed(state: &AppState) -> anyhow::Result<Option<Seeded>> {
    let units: i64 = state.db.scalar(Query::new("select count(*) from units")).await?;
    if units > 0 {
        return Ok(None);
    }
    let now = state.clock.now();
    let hash = crate::auth::password::hash_now(DEMO_PASSWORD)?;
    let mut rng = StdRng::seed_from_u64(DEMO_SEED);
    let built = city::build(&state.db, city::Plan::DEMO, &mut rng, now, &hash).await?;
    // The demo lets the three administrators in without an authenticator app;
    // production keeps the default (TOTP required), and the security page shows the switch.
    let policy = crate::auth::model::SecurityPolicy { totp_required_for_admins: false, ..Default::default() };
    let mut tx = state.db.begin().await?;
    crate::dicts::settings::write(&mut tx, crate::dicts::settings::SECURITY, &policy, now, None).await?;
    let site = crate::dicts::settings::SiteSettings {
        org_name: "中共云川市委政策研究室".into(),
        ..Default::default()
    };
    crate::dicts::settings::write(&mut tx, crate::dicts::settings::SITE, &site, now, None).await?;
    // One account still on its initial password, to show the forced change.
    let initial = crate::auth::password::hash_now("Init@2026")?;
    tx.exec(
        Query::new(
            "update accounts set password_hash = $1, must_change_password = true where username = 'zys30'",
        )
        .bind(initial),
    )
    .await?;
    let ev = Event::new("system.demo_seed", "system", "demo").summary(format!(
        "生成演示数据：单位{}个、人员{}名、账户{}个；演示环境关闭了管理员双因素强制",
        built.units, built.people, built.accounts
    ));
    audit::append(&mut tx, now, &Actor::system("demo"), &ev).await?;
    tx.commit().await?;
    state.forget_policy().await;
    let year = reform::seed(state, &mut rng).await?;
    let drafts = drafting::seed(state, &mut rng, reform::demo_year(state.clock.today())).await?;
    let research = research::seed(state, &mut rng, reform::demo_year(state.clock.today())).await?;
    let cases = liaison::seed(state, &mut rng, reform::demo_year(state.clock.today())).await?;
    crate::jobs::run_daily(state).await?;
    // Every text in the search index, however it was written.
    let seg = crate::text::segmenter(&state.db).await?;
    crate::search::index::reindex(&state.db, &seg, state.clock.now(), |_| {}).await?;
    Ok(Some(Seeded { built, reform: year, drafts, research, cases }))
}

/// Creates or reuses the demo data folder and serves it.
pub async fn run(config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    let db = Db::connect(config.database_url().expose(), config.db_max_connections).await?;
    db.migrate().await?;
    let clock = Clock::system(config.utc_offset());
    let state = AppState::new(config, db, clock).await?;
    println!("政研工作平台 · 演示环境");
    match seed(&state).await? {
        Some(Seeded { built: b, reform: r, drafts, research: y, cases }) => {
            println!(
                "已生成演示城市“云川市”：单位 {} 个，人员 {} 名，账户 {} 个；改革任务 {} 项，进展报送 {} 份；起草任务 {} 件",
                b.units, b.people, b.accounts, r.tasks, r.reports, drafts
            );
            println!(
                "调研课题 {} 个，调研成果 {} 篇，《决策参考》{} 期，领导批示 {} 件",
                y.topics, y.outputs, y.issues, y.instructions
            );
            println!("基层联系点报送问题 {cases} 件（含重复件和舆情风险件），已交办、答复和评价的按时间推进");
            println!();
            println!("演示账户（密码均为 {DEMO_PASSWORD}）：");
            for s in &b.sign_ins {
                println!("  {:<10} {}", s.username, s.what);
            }
            println!("  {:<10} 首次登录须修改密码（初始密码 Init@2026）", "zys30");
        }
        None => println!("沿用已有数据：{}（演示账户密码 {DEMO_PASSWORD}）", state.config.data_dir.display()),
    }
    println!();
    println!("数据目录：{}", state.config.data_dir.display());
    println!("请用浏览器打开：http://{}", state.config.listen);
    app::serve(state).await
}
