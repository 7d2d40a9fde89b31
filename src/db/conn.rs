//! Dispatch of one [`Query`] to the native driver of each database.

use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{AssertSqlSafe, Postgres, Sqlite, Transaction};

use super::{Arg, DbResult, Query};

/// A row type that decodes from both drivers (derive `sqlx::FromRow`).
pub trait DbRow:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin + 'static
{
}
impl<T> DbRow for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin + 'static
{
}

/// A single-column value that decodes from both drivers.
pub trait DbScalar:
    for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
    + Send
    + Unpin
    + 'static
{
}
impl<T> DbScalar for T where
    T: for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
        + Send
        + Unpin
        + 'static
{
}

/// Binds every [`Arg`] to a sqlx query of either driver.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for arg in $args {
            q = match arg {
                Arg::Int(v) => q.bind(v),
                Arg::Real(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Bytes(v) => q.bind(v),
                Arg::Date(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Generates one method body for both drivers; `$q` becomes the text for that driver.
macro_rules! both {
    ($conn:expr, $q:ident, |$c:ident, $text:ident| $body:expr) => {
        match $conn {
            Conn::Sqlite($c) => {
                let $text = match $q.sqlite {
                    Some(t) => std::borrow::Cow::Owned(t),
                    None => $q.sql,
                };
                $body
            }
            Conn::Postgres($c) => {
                let $text = $q.sql;
                $body
            }
        }
    };
}

/// A borrowed connection of either driver.
pub(super) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    pub(super) async fn all<T: super::DbRow>(self, q: Query) -> DbResult<Vec<T>> {
        both!(self, q, |c, text| bind_args!(sqlx::query_as(AssertSqlSafe(text)), q.args).fetch_all(c).await)
    }

    pub(super) async fn opt<T: super::DbRow>(self, q: Query) -> DbResult<Option<T>> {
        both!(self, q, |c, text| bind_args!(sqlx::query_as(AssertSqlSafe(text)), q.args)
            .fetch_optional(c)
            .await)
    }

    pub(super) async fn scalar<T: super::DbScalar>(self, q: Query) -> DbResult<T> {
        both!(self, q, |c, text| bind_args!(sqlx::query_scalar(AssertSqlSafe(text)), q.args)
            .fetch_one(c)
            .await)
    }

    pub(super) async fn exec(self, q: Query) -> DbResult<u64> {
        both!(self, q, |c, text| bind_args!(sqlx::query(AssertSqlSafe(text)), q.args)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
    }

    pub(super) async fn each<T: super::DbRow>(
        self,
        q: Query,
        mut f: impl FnMut(T) -> anyhow::Result<()> + Send,
    ) -> anyhow::Result<()> {
        both!(self, q, |c, text| {
            let mut rows = bind_args!(sqlx::query_as(AssertSqlSafe(text)), q.args).fetch(c);
            while let Some(row) = rows.try_next().await? {
                f(row)?;
            }
            Ok(())
        })
    }
}

/// Where a read runs: a reader of the pool, or inside a transaction (seeing its writes).
pub enum Source<'a> {
    /// A reader of the pool.
    Pool(&'a super::Db),
    /// The caller's transaction.
    Tx(&'a mut Tx),
}

impl Source<'_> {
    /// All rows.
    pub async fn all<T: super::DbRow>(&mut self, q: Query) -> DbResult<Vec<T>> {
        match self {
            Source::Pool(db) => db.all(q).await,
            Source::Tx(tx) => tx.all(q).await,
        }
    }

    /// Exactly one row.
    pub async fn one<T: super::DbRow>(&mut self, q: Query) -> DbResult<T> {
        match self {
            Source::Pool(db) => db.one(q).await,
            Source::Tx(tx) => tx.one(q).await,
        }
    }
}

/// A write transaction on either database. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub enum Tx {
    /// SQLite transaction on the single writer.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL transaction.
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    /// Which database this transaction runs on.
    pub fn dialect(&self) -> super::Dialect {
        match self {
            Tx::Sqlite(_) => super::Dialect::Sqlite,
            Tx::Postgres(_) => super::Dialect::Postgres,
        }
    }

    /// All rows, seeing this transaction's own writes.
    pub async fn all<T: super::DbRow>(&mut self, q: Query) -> DbResult<Vec<T>> {
        self.conn().all(q).await
    }

    /// At most one row.
    pub async fn opt<T: super::DbRow>(&mut self, q: Query) -> DbResult<Option<T>> {
        self.conn().opt(q).await
    }

    /// Exactly one row.
    pub async fn one<T: super::DbRow>(&mut self, q: Query) -> DbResult<T> {
        self.conn().opt(q).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// The first column of the one row.
    pub async fn scalar<T: super::DbScalar>(&mut self, q: Query) -> DbResult<T> {
        self.conn().scalar(q).await
    }

    /// Runs a statement; returns rows affected.
    pub async fn exec(&mut self, q: Query) -> DbResult<u64> {
        self.conn().exec(q).await
    }

    /// Makes every write of this transaction permanent.
    pub async fn commit(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}
