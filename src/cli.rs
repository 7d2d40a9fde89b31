//! The command line: `zhengyan demo | serve | migrate | admin create |
//! audit verify | backup | restore | copy-db | gen`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::app::{self, AppState};
use crate::clock::Clock;
use crate::config::{Config, redact_url};
use crate::db::Db;

/// 政研工作平台 — the work platform of a policy-research system.
#[derive(Debug, Parser)]
#[command(name = "zhengyan", version, about = "政研工作平台 Zhengyan")]
pub struct Cli {
    /// Configuration file (default: ./zhengyan.toml when present).
    #[arg(long, global = true, env = "ZHENGYAN_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create (or reuse) a demo city on embedded SQLite and serve it.
    Demo {
        /// Data folder.
        #[arg(long, default_value = "zhengyan-demo")]
        data: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
    /// Serve with the configured database.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administrator accounts.
    Admin {
        /// What to do.
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The audit trail.
    Audit {
        /// What to do.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent online backup (SQLite database and attachments) to FILE.
    Backup {
        /// Backup file to write (.zip).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into the data folder (the server must be stopped).
    Restore {
        /// Backup file.
        file: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Copy every table from one database to another (SQLite → PostgreSQL), then verify.
    CopyDb {
        /// Source URL.
        #[arg(long)]
        from: String,
        /// Target URL (freshly created, empty).
        #[arg(long)]
        to: String,
    },
    /// Reform tasks: the ledger in and out.
    Reform {
        /// What to do.
        #[command(subcommand)]
        command: ReformCommand,
    },
    /// The full-text index: `reindex` recuts every text with the current dictionary.
    Search {
        /// What to do.
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Grassroots issues: `evaluate` cross-validates the category suggestion on a labelled csv.
    Liaison {
        /// What to do.
        #[command(subcommand)]
        command: LiaisonCommand,
    },
    /// Run the daily supervision now (colours, reminders, lapsed cases, retraining) and mark today done.
    Daily,
    /// Generate bulk data for benchmarks into an empty database.
    Gen {
        /// 1 is one city over ten years.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Random seed (same seed, same data).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Audit records to generate (default 10,000,000 × scale).
        #[arg(long)]
        audit: Option<u64>,
    },
}

/// `reform` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReformCommand {
    /// Import a task ledger (xlsx): all rows or none; errors by row and column.
    Import {
        /// The ledger.
        file: PathBuf,
        /// Act as this account (default: the command line, with reform rights over every unit).
        #[arg(long = "as")]
        username: Option<String>,
    },
    /// Export the task ledger (xlsx).
    Export {
        /// File to write.
        #[arg(long)]
        out: PathBuf,
        /// Only this year (default: every year).
        #[arg(long)]
        year: Option<i64>,
        /// Act as this account (its export scope applies).
        #[arg(long = "as")]
        username: Option<String>,
    },
}

/// `search` subcommands.
#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the whole index (after a bulk load, a copy, or dictionary changes).
    Reindex,
    /// Search as an account and print the hits (for checking relevance).
    Query {
        /// The words.
        q: String,
        /// As this account.
        #[arg(long = "as")]
        username: String,
    },
}

/// `liaison` subcommands.
#[derive(Debug, Subcommand)]
pub enum LiaisonCommand {
    /// Cross-validated accuracy and macro-F1 of the category suggestion (and of the word-only
    /// TF-IDF + linear SVM baseline) on a csv with columns 标题, 内容, 类别. Needs no database.
    Evaluate {
        /// The labelled csv (UTF-8).
        #[arg(long)]
        labelled: std::path::PathBuf,
        /// Folds.
        #[arg(long, default_value_t = 5)]
        folds: usize,
    },
}

/// `admin` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account with one of the built-in roles (first installation, recovery).
    Create {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role code: sysadmin, secadmin, auditor, or a business role.
        #[arg(long)]
        role: String,
        /// Unit id (default: the root unit, created if the tree is empty).
        #[arg(long)]
        unit: Option<i64>,
        /// Name of the root unit when the tree is empty.
        #[arg(long, default_value = "中共XX市委")]
        org_name: String,
    },
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the SM3 chain; exit 1 and name the first broken record if it is broken.
    Verify,
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

async fn connect(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url();
    Db::connect(url.expose(), config.db_max_connections)
        .await
        .with_context(|| format!("cannot open database {}", redact_url(url.expose())))
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<i32> {
    let mut config = Config::load(cli.config.as_deref())?;
    init_logging(&config.log);
    match cli.command {
        Command::Demo { data, listen } => {
            config.data_dir = data;
            config.listen = listen;
            config.database_url = None;
            crate::demo::run(config).await?;
        }
        Command::Serve => {
            let db = connect(&config).await?;
            if config.auto_migrate {
                db.migrate().await?;
            }
            tracing::info!(db = %redact_url(config.database_url().expose()), listen = %config.listen, "serving");
            let clock = Clock::system(config.utc_offset());
            let state = AppState::new(config, db, clock).await?;
            app::serve(state).await?;
        }
        Command::Migrate => {
            let db = connect(&config).await?;
            db.migrate().await?;
            println!("数据库迁移完成：{}", redact_url(config.database_url().expose()));
        }
        Command::Admin { command: AdminCommand::Create { username, name, role, unit, org_name } } => {
            let db = connect(&config).await?;
            db.migrate().await?;
            let clock = Clock::system(config.utc_offset());
            let state = AppState::new(config, db, clock).await?;
            let password = std::env::var("ZHENGYAN_ADMIN_PASSWORD").ok();
            let created =
                crate::ops::admin::create(&state, &username, &name, &role, unit, &org_name, password).await?;
            println!("已创建账户 {username}（{role}），初始密码：{created}");
            println!("首次登录须修改密码；管理员角色还须绑定动态口令。");
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let db = connect(&config).await?;
            let bar = indicatif::ProgressBar::new_spinner();
            let started = std::time::Instant::now();
            let v = crate::audit::store::verify(&db, |n| bar.set_message(format!("已校验 {n} 条"))).await?;
            bar.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            return Ok(match v.broken {
                None => {
                    println!("审计链完整：共 {} 条记录，用时 {secs:.2} 秒", v.checked);
                    0
                }
                Some(b) => {
                    eprintln!("审计链被破坏：{}（第 {} 条）", b.describe(), b.seq());
                    1
                }
            });
        }
        Command::Backup { out } => {
            let db = connect(&config).await?;
            let now = Clock::system(config.utc_offset()).now();
            crate::ops::backup::backup(&config, &db, &out, now).await?;
        }
        Command::Restore { file, force } => {
            crate::ops::backup::restore(&config, &file, force).await?;
        }
        Command::CopyDb { from, to } => {
            if from == to {
                bail!("--from and --to are the same database");
            }
            crate::db::copy::run(&from, &to, config.db_max_connections).await?;
        }
        Command::Reform { command } => {
            let db = connect(&config).await?;
            db.migrate().await?;
            let clock = Clock::system(config.utc_offset());
            let state = AppState::new(config, db, clock).await?;
            match command {
                ReformCommand::Import { file, username } => {
                    return crate::reform::cli::import(&state, &file, username.as_deref()).await;
                }
                ReformCommand::Export { out, year, username } => {
                    crate::reform::cli::export(&state, &out, year, username.as_deref()).await?;
                }
            }
        }
        Command::Search { command } => {
            let db = connect(&config).await?;
            db.migrate().await?;
            match command {
                SearchCommand::Reindex => crate::search::cli::reindex(&db, config.utc_offset()).await?,
                SearchCommand::Query { q, username } => crate::search::cli::query(&db, &q, &username).await?,
            }
        }
        Command::Liaison { command } => match command {
            LiaisonCommand::Evaluate { labelled, folds } => crate::liaison::evaluate::run(&labelled, folds)?,
        },
        Command::Daily => {
            let db = connect(&config).await?;
            db.migrate().await?;
            let clock = Clock::system(config.utc_offset());
            let state = AppState::new(config, db, clock).await?;
            let run = crate::jobs::run_now(&state).await?;
            println!(
                "每日督办完成（{}）：{}项改革任务、{}项整改事项、{}个调研课题、{}项批示落实颜色变化，发送报送提醒{}条",
                run.day,
                run.tasks_recoloured,
                run.rectifications_recoloured,
                run.topics_recoloured,
                run.follow_ups_recoloured,
                run.reminders
            );
        }
        Command::Gen { scale, seed, audit } => {
            if !(scale > 0.0 && scale <= 20.0) {
                bail!("--scale must be in (0, 20]");
            }
            let db = connect(&config).await?;
            db.migrate().await?;
            crate::demo::bulk::run(&config, &db, scale, seed, audit).await?;
        }
    }
    Ok(0)
}
