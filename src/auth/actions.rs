//! Sign-in steps and self-service security, each one transaction with its
//! audit record and login-history line.

use super::model::{self, AfterFailure, Owed, SecurityPolicy, Stage};
use super::store::{self, Credentials, outcome};
use super::{password, session, totp};
use crate::app::{AppState, Caller};
use crate::audit::{self, Actor, Event};
use crate::clock::Ts;
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;

/// Where a sign-in attempt came from.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    /// Client address.
    pub ip: &'a str,
    /// Browser.
    pub user_agent: &'a str,
}

/// The result of a step that may refuse with a message.
#[derive(Debug)]
pub enum Step {
    /// A new session (cookie token) at the given stage.
    Session {
        /// For the cookie.
        token: String,
        /// Where the person goes next.
        stage: Stage,
    },
    /// The session moved on to this stage.
    Next(Stage),
    /// Refused, with the reason to show.
    Refused(Msg),
}

fn owed(c: &Credentials, policy: &SecurityPolicy) -> Owed {
    Owed {
        totp_enabled: c.totp_enabled,
        must_change_password: c.must_change_password,
        must_enrol: policy.totp_required_for_admins && c.is_admin,
    }
}

/// Writes the login-history line and the audit record of a sign-in event.
async fn log(tx: &mut Tx, now: Ts, actor: &Actor, o: Origin<'_>, code: &str, ev: Event) -> AppResult<()> {
    store::record(tx, actor.id, &actor.name, now, o.ip, o.user_agent, code).await?;
    audit::append(tx, now, actor, &ev).await?;
    Ok(())
}

fn actor_for(account: Option<i64>, username: &str, o: Origin<'_>) -> Actor {
    Actor { id: account, name: username.chars().take(64).collect(), ip: o.ip.to_string() }
}

/// Counts a failure and locks the account when it reaches the limit.
async fn register_failure(
    tx: &mut Tx,
    c: &Credentials,
    policy: &SecurityPolicy,
    now: Ts,
) -> AppResult<AfterFailure> {
    let count = store::add_failure(tx, c.id).await?;
    let after = model::after_failure(policy, count - 1, now);
    if after.locked_until.is_some() {
        store::set_failures(tx, c.id, after.failed_count, after.locked_until, now).await?;
    }
    Ok(after)
}

/// A password sign-in.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password_text: &str,
    o: Origin<'_>,
) -> AppResult<Step> {
    let policy = state.policy().await?;
    let now = state.clock.now();
    let typed: String = username.trim().to_lowercase().chars().take(64).collect();
    let window_start = now.plus_minutes(-i64::from(policy.lock_minutes));
    if store::failures_from(&state.db, o.ip, window_start).await? >= i64::from(policy.max_failures_per_ip) {
        let mut tx = state.db.begin().await?;
        let ev = Event::new("auth.login_throttled", "ip", o.ip).summary("同一地址登录失败次数过多，暂停受理");
        log(&mut tx, now, &actor_for(None, &typed, o), o, outcome::THROTTLED, ev).await?;
        tx.commit().await?;
        return Ok(Step::Refused(
            Msg::new("登录尝试过于频繁，请{m}分钟后再试").arg("m", policy.lock_minutes),
        ));
    }
    let generic = Msg::new("用户名或密码错误");
    let creds = if typed.is_empty() { None } else { store::by_username(&state.db, &typed).await? };
    let Some(c) = creds else {
        // Spend the same time as a real check, so timing does not reveal which names exist.
        password::verify(password_text.to_string(), password::decoy_hash().to_string()).await;
        let mut tx = state.db.begin().await?;
        let ev = Event::new("auth.login_failed", "account", "").summary("登录失败：用户名不存在");
        log(&mut tx, now, &actor_for(None, &typed, o), o, outcome::UNKNOWN_USER, ev).await?;
        tx.commit().await?;
        return Ok(Step::Refused(generic));
    };
    let actor = actor_for(Some(c.id), &c.username, o);
    if model::is_locked(c.locked_until, now) {
        let mut tx = state.db.begin().await?;
        let ev = Event::new("auth.login_failed", "account", c.id).summary("登录失败：账户处于锁定期");
        log(&mut tx, now, &actor, o, outcome::LOCKED, ev).await?;
        tx.commit().await?;
        let until = c.locked_until.unwrap_or(now).display(state.clock.offset());
        return Ok(Step::Refused(
            Msg::new("账户已锁定，请于{until}后重试，或联系安全管理员解锁").arg("until", until),
        ));
    }
    if !password::verify(password_text.to_string(), c.password_hash.clone()).await {
        let mut tx = state.db.begin().await?;
        let after = register_failure(&mut tx, &c, &policy, now).await?;
        let ev = Event::new("auth.login_failed", "account", c.id).summary("登录失败：密码错误");
        log(&mut tx, now, &actor, o, outcome::BAD_PASSWORD, ev).await?;
        if after.locked_until.is_some() {
            let ev = Event::new("auth.account_locked", "account", c.id).summary(format!(
                "连续{}次登录失败，账户锁定{}分钟",
                policy.max_failures, policy.lock_minutes
            ));
            audit::append(&mut tx, now, &actor, &ev).await?;
        }
        tx.commit().await?;
        return Ok(Step::Refused(match after.locked_until {
            Some(_) => Msg::new("密码错误次数过多，账户已锁定{m}分钟").arg("m", policy.lock_minutes),
            None => Msg::new("用户名或密码错误，再错{left}次账户将被锁定")
                .arg("left", i64::from(policy.max_failures) - after.failed_count),
        }));
    }
    if c.status != "active" {
        let mut tx = state.db.begin().await?;
        let ev = Event::new("auth.login_failed", "account", c.id).summary("登录失败：账户已停用");
        log(&mut tx, now, &actor, o, outcome::DISABLED, ev).await?;
        tx.commit().await?;
        return Ok(Step::Refused(Msg::new("账户已停用，请联系系统管理员")));
    }
    let stage = model::next_stage(Stage::Active, owed(&c, &policy));
    let expires = now.plus_minutes(i64::from(policy.session_hours) * 60);
    let mut tx = state.db.begin().await?;
    let new = session::create(&mut tx, c.id, stage, now, expires, o.ip, o.user_agent).await?;
    if stage == Stage::Totp {
        let ev = Event::new("auth.login_password_ok", "account", c.id).summary("密码验证通过，等待动态口令");
        audit::append(&mut tx, now, &actor, &ev).await?;
    } else {
        store::signed_in(&mut tx, c.id, now).await?;
        let ev = Event::new("auth.login", "account", c.id).summary("登录成功");
        log(&mut tx, now, &actor, o, outcome::SUCCESS, ev).await?;
    }
    tx.commit().await?;
    Ok(Step::Session { token: new.token, stage })
}

/// The TOTP code after a password.
pub async fn verify_totp(
    state: &AppState,
    session_id: &str,
    account_id: i64,
    code: &str,
    o: Origin<'_>,
) -> AppResult<Step> {
    let policy = state.policy().await?;
    let now = state.clock.now();
    let c = store::by_id(&state.db, account_id).await?.ok_or(AppError::Unauthorized)?;
    let actor = actor_for(Some(c.id), &c.username, o);
    let matched = c.totp_secret.as_deref().and_then(|s| totp::check(s, code, now, c.totp_last_step));
    let mut tx = state.db.begin().await?;
    let Some(step) = matched else {
        let after = register_failure(&mut tx, &c, &policy, now).await?;
        let ev = Event::new("auth.login_failed", "account", c.id).summary("登录失败：动态口令错误");
        log(&mut tx, now, &actor, o, outcome::BAD_TOTP, ev).await?;
        if after.locked_until.is_some() {
            session::delete(&mut tx, session_id).await?;
            let ev = Event::new("auth.account_locked", "account", c.id).summary("动态口令连续错误，账户锁定");
            audit::append(&mut tx, now, &actor, &ev).await?;
        }
        tx.commit().await?;
        return Ok(Step::Refused(Msg::new("动态口令不正确或已使用，请输入验证器中最新的6位数字")));
    };
    store::set_totp_step(&mut tx, c.id, step).await?;
    store::signed_in(&mut tx, c.id, now).await?;
    let next = model::next_stage(Stage::Totp, owed(&c, &policy));
    session::set_stage(&mut tx, session_id, next).await?;
    let ev = Event::new("auth.login", "account", c.id).summary("登录成功（密码+动态口令）");
    log(&mut tx, now, &actor, o, outcome::SUCCESS, ev).await?;
    tx.commit().await?;
    Ok(Step::Next(next))
}

/// Ends the session.
pub async fn sign_out(c: &Caller<'_>, session_id: &str, user_agent: &str) -> AppResult<()> {
    let mut tx = c.state.db.begin().await?;
    session::delete(&mut tx, session_id).await?;
    let o = Origin { ip: &c.actor.ip, user_agent };
    let ev = Event::new("auth.logout", "account", c.who.account_id).summary("退出登录");
    log(&mut tx, c.now, &c.actor, o, outcome::LOGOUT, ev).await?;
    tx.commit().await?;
    Ok(())
}

/// The password-change form.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    /// Current password.
    pub current: String,
    /// New password.
    pub new: String,
    /// New password again.
    pub confirm: String,
}

/// Changes one's own password; ends one's other sessions.
pub async fn change_password(
    c: &Caller<'_>,
    session_id: &str,
    stage: Stage,
    f: &PasswordForm,
) -> AppResult<Stage> {
    let policy = c.state.policy().await?;
    let mut errors = FieldErrors::default();
    if let Err(m) = model::check_password(&policy, &f.new, &c.who.username) {
        errors.add("new", m);
    }
    if f.new != f.confirm {
        errors.add("confirm", Msg::new("两次输入的新密码不一致"));
    }
    if !f.new.is_empty() && f.new == f.current {
        errors.add("new", Msg::new("新密码不能与当前密码相同"));
    }
    let creds = store::by_id(&c.state.db, c.who.account_id).await?.ok_or(AppError::Unauthorized)?;
    if !password::verify(f.current.clone(), creds.password_hash.clone()).await {
        errors.add("current", Msg::new("当前密码不正确"));
        let mut tx = c.state.db.begin().await?;
        let after = register_failure(&mut tx, &creds, &policy, c.now).await?;
        let ev = Event::new("auth.password_change_failed", "account", creds.id)
            .summary("修改密码失败：当前密码不正确");
        audit::append(&mut tx, c.now, &c.actor, &ev).await?;
        if after.locked_until.is_some() {
            session::delete_for_account(&mut tx, creds.id, None).await?;
        }
        tx.commit().await?;
        if after.locked_until.is_some() {
            return Err(AppError::Unauthorized);
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let hash = password::hash(f.new.clone()).await?;
    let mut tx = c.state.db.begin().await?;
    store::set_password(&mut tx, creds.id, &hash, false, c.now).await?;
    session::delete_for_account(&mut tx, creds.id, Some(session_id)).await?;
    let next = if stage == Stage::Password {
        let owed = Owed { must_change_password: false, ..owed(&creds, &policy) };
        model::next_stage(Stage::Password, owed)
    } else {
        stage
    };
    session::set_stage(&mut tx, session_id, next).await?;
    let ev = Event::new("auth.password_changed", "account", creds.id).summary("修改本人密码");
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(next)
}

/// The secret being set up, creating one when none is pending.
pub async fn pending_totp_secret(c: &Caller<'_>) -> AppResult<Option<String>> {
    let creds = store::by_id(&c.state.db, c.who.account_id).await?.ok_or(AppError::Unauthorized)?;
    if creds.totp_enabled {
        return Ok(None);
    }
    if let Some(s) = creds.totp_secret {
        return Ok(Some(s));
    }
    let secret = totp::new_secret();
    let mut tx = c.state.db.begin().await?;
    store::set_totp(&mut tx, creds.id, Some(&secret), false, c.now).await?;
    tx.commit().await?;
    Ok(Some(secret))
}

/// Confirms TOTP set-up with a first code.
pub async fn enable_totp(c: &Caller<'_>, session_id: &str, stage: Stage, code: &str) -> AppResult<Stage> {
    let creds = store::by_id(&c.state.db, c.who.account_id).await?.ok_or(AppError::Unauthorized)?;
    if creds.totp_enabled {
        return Err(AppError::Conflict(Msg::new("已启用动态口令")));
    }
    let secret =
        creds.totp_secret.as_deref().ok_or(AppError::Conflict(Msg::new("请先刷新页面获取新的二维码")))?;
    let step = totp::check(secret, code, c.now, None).ok_or_else(|| {
        FieldErrors::one("code", Msg::new("动态口令不正确，请核对手机时间后输入最新的6位数字"))
    })?;
    let mut tx = c.state.db.begin().await?;
    store::set_totp(&mut tx, creds.id, Some(secret), true, c.now).await?;
    store::set_totp_step(&mut tx, creds.id, step).await?;
    let next = if stage == Stage::Enrol { Stage::Active } else { stage };
    session::set_stage(&mut tx, session_id, next).await?;
    let ev = Event::new("auth.totp_enabled", "account", creds.id).summary("启用动态口令（双因素认证）");
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(next)
}

/// Turns TOTP off for oneself (refused where policy requires it).
pub async fn disable_totp(c: &Caller<'_>, code: &str) -> AppResult<()> {
    let policy = c.state.policy().await?;
    let creds = store::by_id(&c.state.db, c.who.account_id).await?.ok_or(AppError::Unauthorized)?;
    if policy.totp_required_for_admins && creds.is_admin {
        return Err(AppError::Conflict(Msg::new("安全策略要求管理员必须启用动态口令，不能关闭")));
    }
    let secret = creds
        .totp_secret
        .as_deref()
        .filter(|_| creds.totp_enabled)
        .ok_or(AppError::Conflict(Msg::new("尚未启用动态口令")))?;
    totp::check(secret, code, c.now, creds.totp_last_step)
        .ok_or_else(|| FieldErrors::one("code", Msg::new("动态口令不正确")))?;
    let mut tx = c.state.db.begin().await?;
    store::set_totp(&mut tx, creds.id, None, false, c.now).await?;
    let ev = Event::new("auth.totp_disabled", "account", creds.id).summary("关闭动态口令");
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}
