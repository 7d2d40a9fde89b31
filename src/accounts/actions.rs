//! Account changes. Three-role separation is enforced here, for pages and API:
//! the system administrator creates and maintains ordinary accounts; accounts
//! that hold an administrator role are maintained only by the security
//! administrator; only the security administrator grants roles; nobody
//! changes their own roles or disables themselves.

use serde::Serialize;

use super::model::{AccountInput, generate_password};
use super::store::{self, Account};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::auth::model::check_password;
use crate::auth::{password, session};
use crate::authz::roles::check_account_roles;
use crate::authz::{Action, AdminKind, Module, Target};
use crate::db::{Query, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;

fn target(a: &Account) -> Target<'_> {
    Target { unit_id: a.unit_id, unit_path: &a.unit_path, owner_id: a.created_by }
}

/// Loads an account the caller may read.
pub async fn readable(c: &Caller<'_>, id: i64) -> AppResult<Account> {
    let a = store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    c.who.require_on(Module::Accounts, Action::Read, target(&a))?;
    Ok(a)
}

/// Loads an account the caller may maintain: ordinary accounts by whoever may
/// write accounts (the system administrator), administrator accounts only by
/// the security administrator.
pub async fn maintainable(c: &Caller<'_>, id: i64) -> AppResult<Account> {
    let a = store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    if a.is_admin {
        if c.who.admin_kind() != Some(AdminKind::Secadmin) {
            return Err(AppError::Forbidden);
        }
    } else {
        c.who.require_on(Module::Accounts, Action::Write, target(&a))?;
    }
    if a.id == c.who.account_id {
        return Err(AppError::Conflict(Msg::new("不能对本人账户执行此操作，请在“账户安全”中维护")));
    }
    Ok(a)
}

async fn check_unit_and_person(c: &Caller<'_>, unit_id: i64, person_id: Option<i64>) -> AppResult<()> {
    crate::org::units::actions::check_placement(c, Module::Accounts, unit_id, "unit_id").await?;
    if let Some(p) = person_id {
        let n: i64 =
            c.state.db.scalar(Query::new("select count(*) from persons where id = $1").bind(p)).await?;
        if n == 0 {
            return Err(FieldErrors::one("person_id", Msg::new("人员不存在")).into());
        }
    }
    Ok(())
}

/// A created account and its one-time initial password.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedAccount {
    /// New id.
    pub id: i64,
    /// Shown once; must be changed at first sign-in.
    pub initial_password: String,
}

/// Creates an account with an initial password (typed or generated).
pub async fn create(c: &Caller<'_>, input: &AccountInput) -> AppResult<CreatedAccount> {
    c.who.require(Module::Accounts, Action::Write)?;
    let f = input.parse(true)?;
    let policy = c.state.policy().await?;
    let initial = if input.password.is_empty() { generate_password() } else { input.password.clone() };
    check_password(&policy, &initial, &f.username).map_err(|m| FieldErrors::one("password", m))?;
    check_unit_and_person(c, f.unit_id, f.person_id).await?;
    let hash = password::hash(initial.clone()).await?;
    let mut tx = c.state.db.begin().await?;
    let id = match store::insert(&mut tx, &f, &hash, c.who.account_id, c.now).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(FieldErrors::one("username", Msg::new("该用户名已被使用")).into());
        }
        Err(e) => return Err(e.into()),
    };
    let ev = Event::new("account.create", "account", id)
        .summary(format!("新增账户“{}”（{}）", f.username, f.display_name))
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(CreatedAccount { id, initial_password: initial })
}

/// Changes an account's name, unit or linked person.
pub async fn update(c: &Caller<'_>, id: i64, input: &AccountInput) -> AppResult<()> {
    let before = maintainable(c, id).await?;
    let f = input.parse(false)?;
    check_unit_and_person(c, f.unit_id, f.person_id).await?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update accounts set display_name = $1, unit_id = $2, person_id = $3, updated_at = $4 where id = $5")
            .bind(&f.display_name)
            .bind(f.unit_id)
            .bind(f.person_id)
            .bind(c.now)
            .bind(id),
    )
    .await?;
    let ev = Event::new("account.update", "account", id)
        .summary(format!("修改账户“{}”", before.username))
        .before(&before)
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables or re-enables an account; disabling ends its sessions.
pub async fn set_active(c: &Caller<'_>, id: i64, active: bool) -> AppResult<()> {
    let a = maintainable(c, id).await?;
    let status = if active { "active" } else { "disabled" };
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update accounts set status = $1, updated_at = $2 where id = $3")
            .bind(status)
            .bind(c.now)
            .bind(id),
    )
    .await?;
    if !active {
        session::delete_for_account(&mut tx, id, None).await?;
    }
    let (action, verb) = if active { ("account.enable", "启用") } else { ("account.disable", "停用") };
    let ev = Event::new(action, "account", id)
        .summary(format!("{verb}账户“{}”", a.username))
        .before(&serde_json::json!({ "status": a.status }))
        .after(&serde_json::json!({ "status": status }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Resets a password to a new random one that must be changed; ends sessions.
pub async fn reset_password(c: &Caller<'_>, id: i64) -> AppResult<String> {
    let a = maintainable(c, id).await?;
    let fresh = generate_password();
    let hash = password::hash(fresh.clone()).await?;
    let mut tx = c.state.db.begin().await?;
    crate::auth::store::set_password(&mut tx, id, &hash, true, c.now).await?;
    session::delete_for_account(&mut tx, id, None).await?;
    let ev = Event::new("account.password_reset", "account", id)
        .summary(format!("重置账户“{}”的密码", a.username));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(fresh)
}

/// Lifts a lock (security administrator).
pub async fn unlock(c: &Caller<'_>, id: i64) -> AppResult<()> {
    c.who.require(Module::Security, Action::Write)?;
    let a = store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = c.state.db.begin().await?;
    crate::auth::store::set_failures(&mut tx, id, 0, None, c.now).await?;
    let ev = Event::new("account.unlock", "account", id).summary(format!("解锁账户“{}”", a.username));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Clears TOTP so the owner sets it up again (a lost phone); ends sessions.
pub async fn reset_totp(c: &Caller<'_>, id: i64) -> AppResult<()> {
    c.who.require(Module::Security, Action::Write)?;
    let a = store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    if a.id == c.who.account_id {
        return Err(AppError::Conflict(Msg::new("不能重置本人的动态口令")));
    }
    let mut tx = c.state.db.begin().await?;
    crate::auth::store::set_totp(&mut tx, id, None, false, c.now).await?;
    session::delete_for_account(&mut tx, id, None).await?;
    let ev = Event::new("account.totp_reset", "account", id)
        .summary(format!("重置账户“{}”的动态口令", a.username));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Roles and chosen units as granted.
#[derive(Clone, Debug, Default, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct GrantsInput {
    /// Role ids.
    pub roles: Vec<i64>,
    /// Chosen unit ids (for roles whose scope is "chosen units").
    pub units: Vec<i64>,
}

/// Grants roles and chosen units (security administrator only).
pub async fn set_grants(c: &Caller<'_>, id: i64, input: &GrantsInput) -> AppResult<()> {
    c.who.require(Module::Roles, Action::Write)?;
    let a = readable(c, id).await?;
    if a.id == c.who.account_id {
        return Err(AppError::Conflict(Msg::new("三员分立：不能给本人账户授权")));
    }
    let mut roles = input.roles.clone();
    roles.sort_unstable();
    roles.dedup();
    let mut units = input.units.clone();
    units.sort_unstable();
    units.dedup();
    let all = crate::authz::store::list(&c.state.db).await?;
    let mut kinds = Vec::new();
    for r in &roles {
        let role = all
            .iter()
            .find(|x| x.id == *r)
            .ok_or_else(|| FieldErrors::one("roles", Msg::new("角色不存在")))?;
        kinds.push(role.admin_kind.as_deref().and_then(AdminKind::parse));
    }
    check_account_roles(&kinds).map_err(|m| FieldErrors::one("roles", m))?;
    for u in &units {
        let n: i64 = c
            .state
            .db
            .scalar(Query::new("select count(*) from units where id = $1 and status = 'active'").bind(*u))
            .await?;
        if n == 0 {
            return Err(FieldErrors::one("units", Msg::new("指定的单位不存在或已停用")).into());
        }
    }
    let before = serde_json::json!({
        "roles": store::role_ids(&c.state.db, id).await?,
        "units": store::chosen_units(&c.state.db, id).await?.into_iter().map(|(u, _)| u).collect::<Vec<_>>(),
    });
    let mut tx = c.state.db.begin().await?;
    store::set_grants(&mut tx, id, &roles, &units).await?;
    let names: Vec<&str> = all.iter().filter(|r| roles.contains(&r.id)).map(|r| r.name.as_str()).collect();
    let ev = Event::new("account.grants", "account", id)
        .summary(format!(
            "为账户“{}”授权：{}",
            a.username,
            if names.is_empty() { "无".to_string() } else { names.join("、") }
        ))
        .before(&before)
        .after(&serde_json::json!({ "roles": roles, "units": units }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// The account ledger as xlsx (audited).
pub async fn export(c: &Caller<'_>, f: &store::AccountFilter) -> AppResult<(String, Vec<u8>)> {
    use crate::export::{Cell, workbook};
    let scope = c.who.require(Module::Accounts, Action::Export)?;
    let rows = store::all_in_scope(&c.state.db, &scope, f, c.now, 100_000).await?;
    let offset = c.state.clock.offset();
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .enumerate()
        .map(|(i, a)| {
            vec![
                Cell::from(i as i64 + 1),
                a.username.as_str().into(),
                a.display_name.as_str().into(),
                a.unit_name.as_str().into(),
                a.role_names.as_str().into(),
                if a.status == "active" { "启用" } else { "停用" }.into(),
                if a.totp_enabled { "已启用" } else { "未启用" }.into(),
                a.last_login_at.map(|t| t.display(offset)).into(),
            ]
        })
        .collect();
    let bytes = workbook(
        "账户",
        &["序号", "用户名", "姓名", "所在单位", "角色", "状态", "动态口令", "最近登录"],
        &cells,
    )?;
    let mut tx = c.state.db.begin().await?;
    let ev = Event::new("export.accounts", "account", "").summary(format!("导出账户{}条", rows.len()));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(("账户".to_string(), bytes))
}
