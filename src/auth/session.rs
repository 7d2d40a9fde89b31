//! Sessions in the database, so any app node serves any signed-in person.
//!
//! The cookie holds a random token; the table holds only its SM3 hash, so a
//! copy of the database does not let anyone sign in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sm3::{Digest, Sm3};

use super::model::Stage;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Tx};

/// A stored session.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    /// SM3 of the cookie token.
    pub id: String,
    /// The account.
    pub account_id: i64,
    /// Token every form must echo.
    pub csrf_token: String,
    /// Sign-in stage.
    pub stage: String,
    /// When it began.
    pub created_at: Ts,
    /// Last request seen.
    pub last_seen_at: Ts,
    /// The permission counter (`authz::cache`), read with the session.
    pub authz_version: i64,
}

/// A fresh random token (256 bits, URL-safe).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored id of a token.
pub fn token_id(token: &str) -> String {
    hex::encode(Sm3::digest(token.as_bytes()))
}

/// A session just created: the cookie token and the CSRF token.
#[derive(Debug)]
pub struct NewSession {
    /// Goes in the cookie, never stored.
    pub token: String,
    /// Goes in every form.
    pub csrf: String,
}

/// Starts a session for an account at `stage`.
pub async fn create(
    tx: &mut Tx,
    account_id: i64,
    stage: Stage,
    now: Ts,
    expires_at: Ts,
    ip: &str,
    user_agent: &str,
) -> DbResult<NewSession> {
    let token = random_token();
    let csrf = random_token();
    tx.exec(
        Query::new(
            "insert into sessions (id, account_id, csrf_token, stage, created_at, last_seen_at, expires_at, ip, \
             user_agent) values ($1, $2, $3, $4, $5, $5, $6, $7, $8)",
        )
        .bind(token_id(&token))
        .bind(account_id)
        .bind(&csrf)
        .bind(stage.code())
        .bind(now)
        .bind(expires_at)
        .bind(ip)
        .bind(user_agent.chars().take(300).collect::<String>()),
    )
    .await?;
    Ok(NewSession { token, csrf })
}

/// Finds the session of a cookie token.
pub async fn find(db: &Db, token: &str) -> DbResult<Option<SessionRow>> {
    db.opt(
        Query::new(
            "select id, account_id, csrf_token, stage, created_at, last_seen_at, \
             coalesce((select cast(value as bigint) from settings where key = 'authz.version'), 0) as authz_version \
             from sessions where id = $1",
        )
        .bind(token_id(token)),
    )
    .await
}

/// Notes activity (called at most once a minute per session to spare the writer).
pub async fn touch(db: &Db, id: &str, now: Ts) -> DbResult<u64> {
    db.exec(Query::new("update sessions set last_seen_at = $1 where id = $2").bind(now).bind(id)).await
}

/// Moves a session to the next sign-in stage.
pub async fn set_stage(tx: &mut Tx, id: &str, stage: Stage) -> DbResult<u64> {
    tx.exec(Query::new("update sessions set stage = $1 where id = $2").bind(stage.code()).bind(id)).await
}

/// Ends one session.
pub async fn delete(tx: &mut Tx, id: &str) -> DbResult<u64> {
    tx.exec(Query::new("delete from sessions where id = $1").bind(id)).await
}

/// Ends an expired session outside any other work.
pub async fn expire(db: &Db, id: &str) -> DbResult<u64> {
    db.exec(Query::new("delete from sessions where id = $1").bind(id)).await
}

/// Ends every session of an account except `keep` (after a password change, reset or disable).
pub async fn delete_for_account(tx: &mut Tx, account_id: i64, keep: Option<&str>) -> DbResult<u64> {
    tx.exec(
        Query::new("delete from sessions where account_id = $1 and id <> $2")
            .bind(account_id)
            .bind(keep.unwrap_or("")),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_id(&a).len(), 64);
        assert_ne!(token_id(&a), a);
    }
}
