//! The storage seam: one SQL text for SQLite and PostgreSQL.
//!
//! [`Db`] holds either an SQLite pair of pools (many readers, one writer, WAL)
//! or a PostgreSQL pool. Every query is a [`Query`]: `&'static str` SQL with `$n`
//! placeholders and typed [`Arg`]s, bound to the native driver of each arm, so
//! rows decode with each driver's own types (no `sqlx::Any`). Dynamic SQL
//! (filters, data scopes, sort orders) is assembled by [`Sql`], which only
//! accepts `'static` text and binds every value.
//!
//! Portable rules: times are bound from Rust as [`crate::clock::Ts`]
//! (milliseconds); `sum()` is wrapped in `cast(… as bigint)`; no `ilike`, `::`,
//! arrays or jsonb. The rare dialect-specific query matches on [`Dialect`] and
//! marks each arm `// dialect:`.

mod conn;
pub mod copy;
pub mod memo;
mod sql;

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use time::Date;

use crate::clock::Ts;
use conn::Conn;
pub use conn::{DbRow, DbScalar, Source, Tx};
pub use sql::Sql;

/// Which database a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Embedded SQLite, the default.
    Sqlite,
    /// PostgreSQL, for several app nodes.
    Postgres,
}

/// A connection pool to one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite: `read` serves queries, `write` (one connection) serialises writers.
    Sqlite {
        /// Pool for reads; WAL lets them run beside the writer.
        read: SqlitePool,
        /// Single-connection pool for write transactions.
        write: SqlitePool,
        /// The connection that copies the log back into the file (opened when first used).
        checkpoint: SqlitePool,
    },
    /// PostgreSQL.
    Postgres(PgPool),
}

/// A value bound to a placeholder. `None` binds a typed NULL.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// 64-bit integer (ids, counts, timestamps).
    Int(Option<i64>),
    /// Double-precision number.
    Real(Option<f64>),
    /// Text.
    Text(Option<String>),
    /// Boolean.
    Bool(Option<bool>),
    /// Raw bytes.
    Bytes(Option<Vec<u8>>),
    /// Calendar date.
    Date(Option<Date>),
}

macro_rules! arg_from {
    ($variant:ident, $($t:ty => $conv:expr),+ $(,)?) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Self { Arg::$variant(Some($conv(v))) }
        }
        impl From<Option<$t>> for Arg {
            fn from(v: Option<$t>) -> Self { Arg::$variant(v.map($conv)) }
        }
    )+};
}
arg_from!(Int, i64 => |v| v, i32 => i64::from, u32 => i64::from, Ts => |v: Ts| v.0);
arg_from!(Real, f64 => |v| v);
arg_from!(Text, String => no_nul, &str => |v: &str| no_nul(v.to_string()), &String => |v: &String| no_nul(v.clone()));

/// Neither database can hold a NUL character in text (PostgreSQL refuses it);
/// validation rejects control characters in stored fields, and a NUL left in a
/// search term is dropped here so both databases answer alike, never with a 500.
fn no_nul(v: String) -> String {
    if v.contains('\0') { v.replace('\0', "") } else { v }
}
arg_from!(Bool, bool => |v| v);
arg_from!(Bytes, Vec<u8> => |v| v);
arg_from!(Date, Date => |v| v);

/// One SQL statement and its arguments.
#[derive(Clone, Debug)]
pub struct Query {
    sql: Cow<'static, str>,
    /// The same statement with anonymous `?` placeholders, when built by [`Sql`].
    sqlite: Option<String>,
    args: Vec<Arg>,
}

impl Query {
    /// A statement written in the source, with `$1, $2 …` placeholders.
    pub fn new(sql: &'static str) -> Self {
        Self { sql: Cow::Borrowed(sql), sqlite: None, args: Vec::new() }
    }

    /// Binds the next placeholder.
    pub fn bind(mut self, arg: impl Into<Arg>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// The SQL text (for logs and tests).
    pub fn sql(&self) -> &str {
        &self.sql
    }
}

/// Errors from the storage layer.
pub type DbResult<T> = Result<T, sqlx::Error>;

/// True when `err` is a unique-constraint violation (a duplicate name, code …).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error().is_some_and(|e| e.is_unique_violation())
}

/// True when `err` is a foreign-key violation (a row still referenced).
pub fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    err.as_database_error().is_some_and(|e| e.is_foreign_key_violation())
}

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating an SQLite file if missing.
    pub async fn connect(url: &str, max_connections: u32) -> DbResult<Db> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                .pragma("temp_store", "memory");
            if let Some(parent) = options.get_filename().parent() {
                std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
            }
            // The one writer keeps a large page cache for index upkeep; readers a modest one each.
            // No ping before a connection is handed out: a file has no other end to hang up, and
            // each ping is a round trip to the connection's thread (sqlx pings on return anyway).
            let write = SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(1)
                .min_connections(1)
                // A served node copies the log back into the file from beside the
                // writer (`spawn_checkpointer`); the writer itself only once the
                // log holds 40 MB (readers keep it from starting over), and in
                // commands that run without a checkpointer.
                .connect_with(
                    options.clone().pragma("cache_size", "-262144").pragma("wal_autocheckpoint", "10000"),
                )
                .await?;
            let checkpoint = SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(1)
                .connect_lazy_with(options.clone());
            let read = SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(max_connections.max(2))
                // Readers read pages into their own caches, not through a map of the file: in
                // WAL mode every commit makes each reader drop what it holds, and with a map
                // that meant unmapping the whole file on every thread (page-table teardown,
                // TLB shootdowns, faults to map it back). Measured both ways on the scale-1
                // search and ingest (docs/PERFORMANCE.md): no map is as fast or faster.
                .connect_with(options.read_only(true).pragma("cache_size", "-32768").pragma("mmap_size", "0"))
                .await?;
            Ok(Db::Sqlite { read, write, checkpoint })
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await?;
            Ok(Db::Postgres(pool))
        }
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite { .. } => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Applies pending migrations from the folder of this dialect.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("migrations/sqlite").run(write).await,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
    }

    /// Copies SQLite's write-ahead log back into the database file from a
    /// connection of its own, four times a second, so the one writer seldom
    /// stops to do it (and a page is copied once however often it changed in
    /// between). Passive: it never waits for, nor holds up, a reader or the
    /// writer. Nothing to do on PostgreSQL.
    pub fn spawn_checkpointer(&self) {
        let Db::Sqlite { checkpoint, .. } = self else { return };
        let pool = checkpoint.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            loop {
                tick.tick().await;
                if let Err(e) = sqlx::query("pragma wal_checkpoint(PASSIVE)").execute(&pool).await {
                    tracing::warn!(error = %e, "checkpoint failed");
                }
            }
        });
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE` on the
    /// single writer, so a transaction that reads then writes never fails to
    /// upgrade its lock.
    pub async fn begin(&self) -> DbResult<Tx> {
        match self {
            Db::Sqlite { write, .. } => Ok(Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?)),
            Db::Postgres(pool) => Ok(Tx::Postgres(pool.begin().await?)),
        }
    }

    /// All rows of a read query.
    pub async fn all<T: DbRow>(&self, q: Query) -> DbResult<Vec<T>> {
        match self {
            Db::Sqlite { read, .. } => Conn::Sqlite(&mut *read.acquire().await?).all(q).await,
            Db::Postgres(pool) => Conn::Postgres(&mut *pool.acquire().await?).all(q).await,
        }
    }

    /// At most one row.
    pub async fn opt<T: DbRow>(&self, q: Query) -> DbResult<Option<T>> {
        match self {
            Db::Sqlite { read, .. } => Conn::Sqlite(&mut *read.acquire().await?).opt(q).await,
            Db::Postgres(pool) => Conn::Postgres(&mut *pool.acquire().await?).opt(q).await,
        }
    }

    /// Exactly one row.
    pub async fn one<T: DbRow>(&self, q: Query) -> DbResult<T> {
        self.opt(q).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// The first column of the one row (counts, sums, ids).
    pub async fn scalar<T: DbScalar>(&self, q: Query) -> DbResult<T> {
        match self {
            Db::Sqlite { read, .. } => Conn::Sqlite(&mut *read.acquire().await?).scalar(q).await,
            Db::Postgres(pool) => Conn::Postgres(&mut *pool.acquire().await?).scalar(q).await,
        }
    }

    /// Runs a single write statement in its own transaction; returns rows affected.
    pub async fn exec(&self, q: Query) -> DbResult<u64> {
        let mut tx = self.begin().await?;
        let n = tx.exec(q).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Streams rows to `f` one at a time without holding them all in memory.
    pub async fn each<T: DbRow>(
        &self,
        q: Query,
        f: impl FnMut(T) -> anyhow::Result<()> + Send,
    ) -> anyhow::Result<()> {
        match self {
            Db::Sqlite { read, .. } => Conn::Sqlite(&mut *read.acquire().await?).each(q, f).await,
            Db::Postgres(pool) => Conn::Postgres(&mut *pool.acquire().await?).each(q, f).await,
        }
    }

    /// Writes a consistent snapshot of a live SQLite database to `path`
    /// (`VACUUM INTO`, which cannot run inside a transaction). PostgreSQL has
    /// `pg_dump` for this, so it answers `None`.
    pub async fn sqlite_snapshot(&self, path: &std::path::Path) -> DbResult<Option<()>> {
        match self {
            Db::Sqlite { write, .. } => {
                // dialect: SQLite only.
                sqlx::query("vacuum into $1").bind(path.display().to_string()).execute(write).await?;
                Ok(Some(()))
            }
            Db::Postgres(_) => Ok(None),
        }
    }

    /// Closes every connection (before a backup or at shutdown).
    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
