//! Sign-in SQL: the account fields sign-in needs, failures and locks, login history.

use serde::Serialize;

use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};

/// What sign-in needs to know about an account.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Credentials {
    /// Account id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// argon2id hash.
    pub password_hash: String,
    /// Initial or reset password still in use.
    pub must_change_password: bool,
    /// Consecutive failures.
    pub failed_count: i64,
    /// Locked until this moment.
    pub locked_until: Option<Ts>,
    /// TOTP secret (base32), once set up or being set up.
    pub totp_secret: Option<String>,
    /// TOTP is required at sign-in.
    pub totp_enabled: bool,
    /// Last TOTP step accepted (replay protection).
    pub totp_last_step: Option<i64>,
    /// `active` or `disabled`.
    pub status: String,
    /// Holds one of the three administrator roles.
    pub is_admin: bool,
}

const CREDENTIALS: &str = "select a.id, a.username, a.password_hash, a.must_change_password, a.failed_count, \
     a.locked_until, a.totp_secret, a.totp_enabled, a.totp_last_step, a.status, \
     exists (select 1 from account_roles ar join roles r on r.id = ar.role_id \
             where ar.account_id = a.id and r.admin_kind is not null) as is_admin \
     from accounts a";

/// Finds an account by sign-in name.
pub async fn by_username(db: &Db, username: &str) -> DbResult<Option<Credentials>> {
    let mut sql = Sql::new(CREDENTIALS);
    sql.push(" where a.username = ").bind(username);
    db.opt(sql.build()).await
}

/// Finds an account by id.
pub async fn by_id(db: &Db, id: i64) -> DbResult<Option<Credentials>> {
    let mut sql = Sql::new(CREDENTIALS);
    sql.push(" where a.id = ").bind(id);
    db.opt(sql.build()).await
}

/// Counts one more failure atomically; returns the new count.
pub async fn add_failure(tx: &mut Tx, id: i64) -> DbResult<i64> {
    tx.scalar(
        Query::new(
            "update accounts set failed_count = failed_count + 1 where id = $1 returning failed_count",
        )
        .bind(id),
    )
    .await
}

/// Stores the failure counter and lock (after [`add_failure`] decided on a lock).
pub async fn set_failures(
    tx: &mut Tx,
    id: i64,
    count: i64,
    locked_until: Option<Ts>,
    now: Ts,
) -> DbResult<u64> {
    tx.exec(
        Query::new("update accounts set failed_count = $1, locked_until = $2, updated_at = $3 where id = $4")
            .bind(count)
            .bind(locked_until)
            .bind(now)
            .bind(id),
    )
    .await
}

/// Clears failures and records the sign-in time.
pub async fn signed_in(tx: &mut Tx, id: i64, now: Ts) -> DbResult<u64> {
    tx.exec(
        Query::new(
            "update accounts set failed_count = 0, locked_until = null, last_login_at = $1 where id = $2",
        )
        .bind(now)
        .bind(id),
    )
    .await
}

/// Remembers the last TOTP step used.
pub async fn set_totp_step(tx: &mut Tx, id: i64, step: i64) -> DbResult<u64> {
    tx.exec(Query::new("update accounts set totp_last_step = $1 where id = $2").bind(step).bind(id)).await
}

/// Stores a new password hash.
pub async fn set_password(tx: &mut Tx, id: i64, hash: &str, must_change: bool, now: Ts) -> DbResult<u64> {
    tx.exec(
        Query::new(
            "update accounts set password_hash = $1, must_change_password = $2, password_changed_at = $3, \
             failed_count = 0, locked_until = null, updated_at = $3 where id = $4",
        )
        .bind(hash)
        .bind(must_change)
        .bind(now)
        .bind(id),
    )
    .await
}

/// Sets (or clears) the TOTP secret and whether it is in force.
pub async fn set_totp(tx: &mut Tx, id: i64, secret: Option<&str>, enabled: bool, now: Ts) -> DbResult<u64> {
    tx.exec(
        Query::new(
            "update accounts set totp_secret = $1, totp_enabled = $2, totp_last_step = null, updated_at = $3 \
             where id = $4",
        )
        .bind(secret)
        .bind(enabled)
        .bind(now)
        .bind(id),
    )
    .await
}

/// Outcome codes of a sign-in attempt.
pub mod outcome {
    /// Signed in.
    pub const SUCCESS: &str = "success";
    /// Wrong password.
    pub const BAD_PASSWORD: &str = "bad_password";
    /// No such account.
    pub const UNKNOWN_USER: &str = "unknown_user";
    /// The account is locked.
    pub const LOCKED: &str = "locked";
    /// The account is disabled.
    pub const DISABLED: &str = "disabled";
    /// Wrong TOTP code.
    pub const BAD_TOTP: &str = "bad_totp";
    /// Too many failures from the address.
    pub const THROTTLED: &str = "throttled";
    /// Signed out.
    pub const LOGOUT: &str = "logout";
}

/// Appends to the login history.
pub async fn record(
    tx: &mut Tx,
    account_id: Option<i64>,
    username: &str,
    at: Ts,
    ip: &str,
    user_agent: &str,
    outcome: &str,
) -> DbResult<u64> {
    tx.exec(
        Query::new(
            "insert into login_history (account_id, username, at, ip, user_agent, outcome) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(account_id)
        .bind(username.chars().take(64).collect::<String>())
        .bind(at)
        .bind(ip)
        .bind(user_agent.chars().take(300).collect::<String>())
        .bind(outcome),
    )
    .await
}

/// Failed attempts from one address since `since`.
pub async fn failures_from(db: &Db, ip: &str, since: Ts) -> DbResult<i64> {
    db.scalar(
        Query::new(
            "select count(*) from login_history where ip = $1 and at >= $2 and outcome <> 'success' \
             and outcome <> 'logout'",
        )
        .bind(ip)
        .bind(since),
    )
    .await
}

/// One line of the login history.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct LoginRow {
    /// Id.
    pub id: i64,
    /// The account, when known.
    pub account_id: Option<i64>,
    /// Name typed or used.
    pub username: String,
    /// When.
    pub at: Ts,
    /// From where.
    pub ip: String,
    /// Browser.
    pub user_agent: String,
    /// What happened.
    pub outcome: String,
}

/// The Chinese label of an outcome code.
pub fn outcome_label(code: &str) -> &'static str {
    match code {
        outcome::SUCCESS => "登录成功",
        outcome::BAD_PASSWORD => "密码错误",
        outcome::UNKNOWN_USER => "用户名不存在",
        outcome::LOCKED => "账户已锁定",
        outcome::DISABLED => "账户已停用",
        outcome::BAD_TOTP => "动态口令错误",
        outcome::THROTTLED => "尝试过于频繁",
        outcome::LOGOUT => "退出登录",
        _ => "其他",
    }
}
