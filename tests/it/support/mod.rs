//! The test application: the real router in process, on a fresh database per
//! test — SQLite in a temporary folder, or a new PostgreSQL database cloned from
//! a migrated template. [`both!`] writes each test twice, once per database.

pub mod client;
pub mod fixtures;

use std::net::SocketAddr;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::connect_info::MockConnectInfo;
use sqlx::Connection;
use zhengyan::app::AppState;
use zhengyan::clock::{Clock, Ts};
use zhengyan::config::Config;
use zhengyan::db::Db;

pub use client::{Client, Resp};

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL at `TEST_DATABASE_URL` (default 127.0.0.1:5432).
    Postgres,
}

/// Writes `name_sqlite` and `name_postgres` test functions from one async body
/// taking a [`Kind`]. The PostgreSQL variant fails (never skips) when the
/// server is unreachable.
#[macro_export]
macro_rules! both {
    ($(#[$meta:meta])* async fn $name:ident($kind:ident: Kind) $body:block) => {
        mod $name {
            use super::*;
            async fn run($kind: $crate::support::Kind) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { run($crate::support::Kind::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { run($crate::support::Kind::Postgres).await }
        }
    };
}

/// The fixed "now" of every test: Monday 2026-11-23 09:00 in China.
pub fn t0() -> Ts {
    Ts::from_datetime(time::macros::datetime!(2026-11-23 09:00 +8))
}

/// The PostgreSQL server tests use.
pub fn pg_base_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

fn pg_url_for(db: &str) -> String {
    let base = pg_base_url();
    match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{db}"),
        None => format!("{base}/{db}"),
    }
}

/// A name for the migrated template, changing whenever a migration changes.
fn template_name() -> String {
    static NAME: LazyLock<String> = LazyLock::new(|| {
        let mut all = String::new();
        for dir in ["migrations/postgres"] {
            let mut files: Vec<_> =
                std::fs::read_dir(dir).expect("migrations folder").flatten().map(|e| e.path()).collect();
            files.sort();
            for f in files {
                all.push_str(&std::fs::read_to_string(f).expect("migration"));
            }
        }
        use sm3::Digest;
        format!("zy_tpl_{}", &hex::encode(sm3::Sm3::digest(all.as_bytes()))[..16])
    });
    NAME.clone()
}

async fn admin_conn() -> sqlx::PgConnection {
    sqlx::PgConnection::connect(&pg_base_url())
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is expected at {} but unreachable: {e}", pg_base_url()))
}

/// Creates a fresh PostgreSQL database cloned from the migrated template.
pub async fn fresh_pg_database() -> String {
    let mut admin = admin_conn().await;
    let tpl = template_name();
    sqlx::query("select pg_advisory_lock(742001)").execute(&mut admin).await.expect("lock");
    let exists: bool = sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
        .bind(&tpl)
        .fetch_one(&mut admin)
        .await
        .expect("query");
    if !exists {
        let building = format!("{tpl}_building");
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("drop database if exists {building} with (force)")))
            .execute(&mut admin)
            .await;
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {building}")))
            .execute(&mut admin)
            .await
            .expect("create template");
        let db = Db::connect(&pg_url_for(&building), 2).await.expect("connect template");
        db.migrate().await.expect("migrate template");
        db.close().await;
        sqlx::query(sqlx::AssertSqlSafe(format!("alter database {building} rename to {tpl}")))
            .execute(&mut admin)
            .await
            .expect("rename");
    }
    let name = format!("zy_t_{}", hex::encode(rand::random::<[u8; 8]>()));
    sqlx::query(sqlx::AssertSqlSafe(format!("create database {name} template {tpl}")))
        .execute(&mut admin)
        .await
        .expect("clone");
    sqlx::query("select pg_advisory_unlock(742001)").execute(&mut admin).await.expect("unlock");
    name
}

/// Drops a test database (in its own thread, as drops cannot be async).
pub fn drop_pg_database(name: String) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let mut admin = admin_conn().await;
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("drop database if exists {name} with (force)")))
                .execute(&mut admin)
                .await;
        });
    })
    .join();
}

/// One application on one fresh database.
pub struct TestApp {
    /// The state handlers see.
    pub state: AppState,
    /// The router with a fake client address.
    pub router: Router,
    /// Which database.
    pub kind: Kind,
    /// The data folder (SQLite file, attachments).
    pub dir: tempfile::TempDir,
    /// The PostgreSQL database this app created (dropped with it).
    pub pg_db: Option<String>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.pg_db.take() {
            drop_pg_database(name);
        }
    }
}

impl TestApp {
    /// A new app with a fixed clock at [`t0`].
    pub async fn new(kind: Kind) -> TestApp {
        let _ = tracing_subscriber::fmt().with_env_filter("warn,zhengyan=info").with_test_writer().try_init();
        let dir = tempfile::tempdir().expect("tempdir");
        let (url, pg_db) = match kind {
            Kind::Sqlite => (format!("sqlite://{}", dir.path().join("t.db").display()), None),
            Kind::Postgres => {
                let name = fresh_pg_database().await;
                (pg_url_for(&name), Some(name))
            }
        };
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            database_url: Some(zhengyan::config::Secret::new(url.clone())),
            ..Config::default()
        };
        let db = Db::connect(&url, 4).await.expect("connect");
        db.migrate().await.expect("migrate");
        let clock = Clock::fixed(t0(), time::macros::offset!(+8));
        let state = AppState::new(config, db, clock).await.expect("state");
        let router = zhengyan::app::router(state.clone())
            .layer(MockConnectInfo(SocketAddr::from(([10, 1, 2, 3], 50000))));
        TestApp { state, router, kind, dir, pg_db }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// A client with no session.
    pub fn anon(&self) -> Client<'_> {
        Client::new(self)
    }

    /// Moves the clock on.
    pub fn advance_minutes(&self, m: i64) {
        self.state.clock.advance_ms(m * 60_000);
    }
}
