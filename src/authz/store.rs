//! Role SQL: the built-in roles kept in step with the code, role reads and writes.

use serde::Serialize;

use super::model::Grant;
use super::roles::BUILTIN_ROLES;
use crate::audit::{self, Actor, Event};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Tx};

/// A role row.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Role {
    /// Id.
    pub id: i64,
    /// Stable code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Shipped with the product (grants not editable).
    pub builtin: bool,
    /// Set for the three administrator roles.
    pub admin_kind: Option<String>,
}

/// Reads a role's grants, sorted.
pub async fn grants_tx(tx: &mut Tx, role_id: i64) -> DbResult<Vec<Grant>> {
    let rows: Vec<(String, String, String)> = tx
        .all(
            Query::new("select module, action, scope from role_permissions where role_id = $1").bind(role_id),
        )
        .await?;
    Ok(parse_grants(rows))
}

/// Reads a role's grants outside a transaction.
pub async fn grants(db: &Db, role_id: i64) -> DbResult<Vec<Grant>> {
    let rows: Vec<(String, String, String)> = db
        .all(
            Query::new("select module, action, scope from role_permissions where role_id = $1").bind(role_id),
        )
        .await?;
    Ok(parse_grants(rows))
}

fn parse_grants(rows: Vec<(String, String, String)>) -> Vec<Grant> {
    use super::model::{Action, Module, ScopeKind};
    let mut v: Vec<Grant> = rows
        .iter()
        .filter_map(|(m, a, s)| {
            Some(Grant { module: Module::parse(m)?, action: Action::parse(a)?, scope: ScopeKind::parse(s)? })
        })
        .collect();
    v.sort();
    v
}

/// Replaces a role's grants.
pub async fn set_grants(tx: &mut Tx, role_id: i64, grants: &[Grant]) -> DbResult<()> {
    tx.exec(Query::new("delete from role_permissions where role_id = $1").bind(role_id)).await?;
    for g in grants {
        tx.exec(
            Query::new(
                "insert into role_permissions (role_id, module, action, scope) values ($1, $2, $3, $4)",
            )
            .bind(role_id)
            .bind(g.module.code())
            .bind(g.action.code())
            .bind(g.scope.code()),
        )
        .await?;
    }
    Ok(())
}

/// Brings the built-in roles in the database in line with the code, auditing any change.
/// Safe to run on every start and on several nodes at once.
pub async fn sync_builtin_roles(db: &Db, now: Ts) -> DbResult<usize> {
    let mut tx = db.begin().await?;
    let mut changed = 0;
    for role in BUILTIN_ROLES {
        tx.exec(
            Query::new(
                "insert into roles (code, name, description, builtin, admin_kind, created_at, updated_at) \
                 values ($1, $2, $3, true, $4, $5, $5) on conflict (code) do nothing",
            )
            .bind(role.code)
            .bind(role.name)
            .bind(role.description)
            .bind(role.admin_kind.map(|k| k.code()))
            .bind(now),
        )
        .await?;
        let id: i64 = tx.scalar(Query::new("select id from roles where code = $1").bind(role.code)).await?;
        let mut wanted = role.flat_grants();
        wanted.sort();
        let current = grants_tx(&mut tx, id).await?;
        if current != wanted {
            set_grants(&mut tx, id, &wanted).await?;
            tx.exec(
                Query::new(
                    "update roles set name = $1, description = $2, admin_kind = $3, builtin = true, \
                     updated_at = $4 where id = $5",
                )
                .bind(role.name)
                .bind(role.description)
                .bind(role.admin_kind.map(|k| k.code()))
                .bind(now)
                .bind(id),
            )
            .await?;
            let ev = Event::new("role.sync_builtin", "role", id)
                .summary(format!("内置角色“{}”的权限随版本更新", role.name))
                .before(&current)
                .after(&wanted);
            audit::append(&mut tx, now, &Actor::system("startup"), &ev).await?;
            changed += 1;
        }
    }
    tx.commit().await?;
    Ok(changed)
}

/// Every role, built-in first.
pub async fn list(db: &Db) -> DbResult<Vec<Role>> {
    db.all(Query::new(
        "select id, code, name, description, builtin, admin_kind from roles order by builtin desc, id",
    ))
    .await
}

/// One role.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Role>> {
    db.opt(
        Query::new("select id, code, name, description, builtin, admin_kind from roles where id = $1")
            .bind(id),
    )
    .await
}
