//! Account SQL.

use serde::{Deserialize, Serialize};

use crate::authz::Scope;
use crate::authz::model::subtree_range;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::web::list::Paging;

/// An account as lists and pages show it (never the hash or the TOTP secret).
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Account {
    /// Id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Unit.
    pub unit_id: i64,
    /// Unit name.
    pub unit_name: String,
    /// Unit path.
    pub unit_path: String,
    /// Linked person.
    pub person_id: Option<i64>,
    /// `active` or `disabled`.
    pub status: String,
    /// Must change the password at next sign-in.
    pub must_change_password: bool,
    /// Locked until.
    pub locked_until: Option<Ts>,
    /// TOTP in force.
    pub totp_enabled: bool,
    /// Last sign-in.
    pub last_login_at: Option<Ts>,
    /// Role names, joined.
    pub role_names: String,
    /// Holds an administrator role.
    pub is_admin: bool,
    /// Creating account.
    pub created_by: Option<i64>,
    /// Created.
    pub created_at: Ts,
}

const SELECT: &str = "select a.id, a.username, a.display_name, a.unit_id, u.name as unit_name, u.path as unit_path, \
     a.person_id, a.status, a.must_change_password, a.locked_until, a.totp_enabled, a.last_login_at, \
     coalesce((select string_agg(r.name, '、' order by r.id) from account_roles ar join roles r on r.id = ar.role_id \
               where ar.account_id = a.id), '') as role_names, \
     exists (select 1 from account_roles ar join roles r on r.id = ar.role_id where ar.account_id = a.id \
             and r.admin_kind is not null) as is_admin, a.created_by, a.created_at \
     from accounts a join units u on u.id = a.unit_id";

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct AccountFilter {
    /// Part of the username or display name.
    pub q: String,
    /// Only this unit and below.
    pub under: String,
    /// Role id.
    pub role: String,
    /// `active` (default), `disabled`, `locked` or `all`.
    pub status: String,
    /// Paging and sorting.
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: Paging,
}

fn filter_where(sql: &mut Sql, scope: &Scope, f: &AccountFilter, under: Option<&str>, now: Ts) {
    sql.push(" where ");
    scope.filter(sql, "a.unit_id", Some("a.created_by"));
    let q = f.q.trim();
    if !q.is_empty() {
        sql.push(" and (a.username like ")
            .bind_contains(&q.to_lowercase())
            .push(" or a.display_name like ")
            .bind_contains(q)
            .push(")");
    }
    if let Some(path) = under {
        let (lo, hi) = subtree_range(path);
        sql.push(" and u.path >= ").bind(lo).push(" and u.path < ").bind(hi);
    }
    if let Ok(role) = f.role.trim().parse::<i64>() {
        sql.push(" and exists (select 1 from account_roles x where x.account_id = a.id and x.role_id = ")
            .bind(role)
            .push(")");
    }
    match f.status.as_str() {
        "all" => {}
        "disabled" => {
            sql.push(" and a.status = 'disabled'");
        }
        "locked" => {
            sql.push(" and a.locked_until > ").bind(now);
        }
        _ => {
            sql.push(" and a.status = 'active'");
        }
    }
}

/// Sort keys.
pub const SORTS: &[(&str, &str)] = &[
    ("username", "a.username"),
    ("unit", "u.path"),
    ("login", "a.last_login_at"),
    ("created", "a.created_at"),
];

/// A page of accounts in scope and the total.
pub async fn list(db: &Db, scope: &Scope, f: &AccountFilter, now: Ts) -> DbResult<(Vec<Account>, i64)> {
    let under = match f.under.trim().parse::<i64>() {
        Ok(id) => db
            .opt::<(String,)>(Query::new("select path from units where id = $1").bind(id))
            .await?
            .map(|(p,)| p),
        Err(_) => None,
    };
    let mut count = Sql::new("select count(*) from accounts a join units u on u.id = a.unit_id");
    filter_where(&mut count, scope, f, under.as_deref(), now);
    let total: i64 = db.scalar(count.build()).await?;
    let mut sql = Sql::new(SELECT);
    filter_where(&mut sql, scope, f, under.as_deref(), now);
    f.paging.order_and_limit(&mut sql, SORTS, "a.id");
    Ok((db.all(sql.build()).await?, total))
}

/// Every account in scope matching the filter (exports).
pub async fn all_in_scope(
    db: &Db,
    scope: &Scope,
    f: &AccountFilter,
    now: Ts,
    limit: i64,
) -> DbResult<Vec<Account>> {
    let mut sql = Sql::new(SELECT);
    filter_where(&mut sql, scope, f, None, now);
    sql.push(" order by u.path, a.username limit ").int(limit);
    db.all(sql.build()).await
}

/// One account.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Account>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where a.id = ").bind(id);
    db.opt(sql.build()).await
}

/// Inserts an account (no roles yet: granting is the security administrator's).
pub async fn insert(
    tx: &mut Tx,
    f: &super::model::AccountFields,
    hash: &str,
    by: i64,
    now: Ts,
) -> DbResult<i64> {
    tx.scalar(
        Query::new(
            "insert into accounts (username, display_name, unit_id, person_id, password_hash, must_change_password, \
             status, locale, created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, true, 'active', 'zh', $6, $7, $7) \
             returning id",
        )
        .bind(&f.username)
        .bind(&f.display_name)
        .bind(f.unit_id)
        .bind(f.person_id)
        .bind(hash)
        .bind(by)
        .bind(now),
    )
    .await
}

/// Role ids held by an account.
pub async fn role_ids(db: &Db, account_id: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = db
        .all(
            Query::new("select role_id from account_roles where account_id = $1 order by role_id")
                .bind(account_id),
        )
        .await?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}

/// Chosen units of an account: (id, name).
pub async fn chosen_units(db: &Db, account_id: i64) -> DbResult<Vec<(i64, String)>> {
    db.all(
        Query::new("select u.id, u.name from account_scope_units s join units u on u.id = s.unit_id where s.account_id = $1 order by u.path")
            .bind(account_id),
    )
    .await
}

/// Replaces an account's roles and chosen units.
pub async fn set_grants(tx: &mut Tx, account_id: i64, roles: &[i64], units: &[i64]) -> DbResult<()> {
    tx.exec(Query::new("delete from account_roles where account_id = $1").bind(account_id)).await?;
    for r in roles {
        tx.exec(
            Query::new("insert into account_roles (account_id, role_id) values ($1, $2)")
                .bind(account_id)
                .bind(*r),
        )
        .await?;
    }
    tx.exec(Query::new("delete from account_scope_units where account_id = $1").bind(account_id)).await?;
    for u in units {
        tx.exec(
            Query::new("insert into account_scope_units (account_id, unit_id) values ($1, $2)")
                .bind(account_id)
                .bind(*u),
        )
        .await?;
    }
    Ok(())
}
