//! API tokens for machine clients. The token (`zyt_…`) is shown once; only its
//! SM3 hash is stored. A token acts with its account's current permissions.
//! Accounts holding an administrator role get none: their sign-in needs a
//! second factor, and a token would bypass it.

use serde::Serialize;

use crate::app::{AppState, Caller};
use crate::audit::{self, Event};
use crate::auth::session::{random_token, token_id};
use crate::authz::Principal;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::required;

/// Prefix that marks our tokens (helps secret scanners).
pub const PREFIX: &str = "zyt_";

/// A token as its owner sees it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TokenRow {
    /// Id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// First characters, to tell tokens apart.
    pub prefix: String,
    /// Created.
    pub created_at: Ts,
    /// Expires.
    pub expires_at: Option<Ts>,
    /// Last used.
    pub last_used_at: Option<Ts>,
    /// Revoked.
    pub revoked_at: Option<Ts>,
}

/// An account's tokens, newest first.
pub async fn list(db: &Db, account_id: i64) -> DbResult<Vec<TokenRow>> {
    db.all(
        Query::new(
            "select id, name, prefix, created_at, expires_at, last_used_at, revoked_at from api_tokens \
             where account_id = $1 order by id desc",
        )
        .bind(account_id),
    )
    .await
}

/// Makes a token for oneself; returns it (shown once).
pub async fn create(c: &Caller<'_>, name: &str, days: &str) -> AppResult<String> {
    if c.who.admin_kind().is_some() {
        return Err(AppError::Conflict(Msg::new("管理员账户需双因素登录，不能创建接口令牌")));
    }
    let name = required(name, 40).map_err(|m| FieldErrors::one("name", m))?;
    let days: i64 = days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .ok_or_else(|| FieldErrors::one("days", Msg::new("有效期应在1到365天之间")))?;
    let token = format!("{PREFIX}{}", random_token());
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into api_tokens (account_id, name, token_hash, prefix, created_at, expires_at) \
                 values ($1, $2, $3, $4, $5, $6) returning id",
            )
            .bind(c.who.account_id)
            .bind(&name)
            .bind(token_id(&token))
            .bind(token.chars().take(10).collect::<String>())
            .bind(c.now)
            .bind(c.now.plus_minutes(days * 24 * 60)),
        )
        .await?;
    let ev =
        Event::new("token.create", "api_token", id).summary(format!("创建接口令牌“{name}”，有效期{days}天"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes one of one's own tokens.
pub async fn revoke(c: &Caller<'_>, id: i64) -> AppResult<()> {
    let mut tx = c.state.db.begin().await?;
    let n = tx
        .exec(
            Query::new("update api_tokens set revoked_at = $1 where id = $2 and account_id = $3 and revoked_at is null")
                .bind(c.now)
                .bind(id)
                .bind(c.who.account_id),
        )
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let ev = Event::new("token.revoke", "api_token", id).summary("吊销接口令牌");
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// The principal behind a bearer token, if it is valid now.
pub async fn principal_for(state: &AppState, token: &str) -> anyhow::Result<Option<Principal>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let now = state.clock.now();
    let row: Option<(i64, i64, Option<Ts>)> = state
        .db
        .opt(
            Query::new(
                "select t.id, t.account_id, t.last_used_at from api_tokens t where t.token_hash = $1 \
                 and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2)",
            )
            .bind(token_id(token))
            .bind(now),
        )
        .await?;
    let Some((id, account_id, last_used)) = row else { return Ok(None) };
    let Some(p) = Principal::load(&state.db, account_id).await? else { return Ok(None) };
    if p.admin_kind().is_some() {
        return Ok(None);
    }
    if last_used.is_none_or(|t| now.0 - t.0 > 60_000) {
        state
            .db
            .exec(Query::new("update api_tokens set last_used_at = $1 where id = $2").bind(now).bind(id))
            .await?;
    }
    Ok(Some(p))
}
