//! The signed-in person as the permission function sees them.

use std::sync::Arc;

use serde::Serialize;

use super::model::{Action, AdminKind, Grant, Me, Module, Scope, ScopeKind, Target};
use crate::db::{Db, DbResult, Query};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// A role held by the person.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct RoleRef {
    /// Role id.
    pub id: i64,
    /// Stable code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Set for the three administrator roles.
    pub admin_kind: Option<String>,
}

/// Everything the permission function needs about the person making a request.
#[derive(Clone, Debug)]
pub struct Principal {
    /// Account id.
    pub account_id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name shown on screen.
    pub display_name: String,
    /// The account's unit.
    pub unit_id: i64,
    /// That unit's path in the tree.
    pub unit_path: String,
    /// That unit's name.
    pub unit_name: String,
    /// Preferred language.
    pub lang: Lang,
    /// Roles held.
    pub roles: Vec<RoleRef>,
    grants: Vec<Grant>,
    chosen: Vec<(i64, String)>,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    unit_id: i64,
    path: String,
    unit_name: String,
    locale: String,
}

/// A role with one of its permissions (none when the role grants nothing).
#[derive(sqlx::FromRow)]
struct RoleGrantRow {
    #[sqlx(flatten)]
    role: RoleRef,
    module: Option<String>,
    action: Option<String>,
    scope: Option<String>,
}

impl Principal {
    /// Loads an active account's principal; `None` when it is missing or disabled.
    pub async fn load(db: &Db, account_id: i64) -> DbResult<Option<Principal>> {
        let Some(a) = db
            .opt::<AccountRow>(
                Query::new(
                    "select a.id, a.username, a.display_name, a.unit_id, u.path, u.name as unit_name, a.locale \
                     from accounts a join units u on u.id = a.unit_id where a.id = $1 and a.status = 'active'",
                )
                .bind(account_id),
            )
            .await?
        else {
            return Ok(None);
        };
        // Roles and their permissions in one statement: this runs on every request.
        let rows: Vec<RoleGrantRow> = db
            .all(
                Query::new(
                    "select r.id, r.code, r.name, r.admin_kind, rp.module, rp.action, rp.scope from account_roles ar \
                     join roles r on r.id = ar.role_id left join role_permissions rp on rp.role_id = r.id \
                     where ar.account_id = $1 order by r.id",
                )
                .bind(account_id),
            )
            .await?;
        let chosen: Vec<(i64, String)> = db
            .all(
                Query::new(
                    "select u.id, u.path from account_scope_units s join units u on u.id = s.unit_id \
                     where s.account_id = $1",
                )
                .bind(account_id),
            )
            .await?;
        let mut roles: Vec<RoleRef> = Vec::new();
        let mut grants = Vec::new();
        for row in rows {
            if let (Some(m), Some(a), Some(sc)) = (&row.module, &row.action, &row.scope)
                && let (Some(module), Some(action), Some(scope)) =
                    (Module::parse(m), Action::parse(a), ScopeKind::parse(sc))
            {
                grants.push(Grant { module, action, scope });
            }
            if roles.last().is_none_or(|r| r.id != row.role.id) {
                roles.push(row.role);
            }
        }
        Ok(Some(Principal {
            account_id: a.id,
            username: a.username,
            display_name: a.display_name,
            unit_id: a.unit_id,
            unit_path: a.path,
            unit_name: a.unit_name,
            lang: Lang::parse(&a.locale),
            roles,
            grants,
            chosen,
        }))
    }

    /// The command line acting for the office on `modules` (every action, all
    /// units), with no account of its own; audited as `system:…`.
    pub fn system(name: &str, modules: &[Module], root: (i64, String)) -> Principal {
        let grants = modules
            .iter()
            .flat_map(|m| {
                Action::ALL.iter().map(move |a| Grant { module: *m, action: *a, scope: ScopeKind::All })
            })
            .collect();
        Principal {
            account_id: 0,
            username: format!("system:{name}"),
            display_name: "命令行".to_string(),
            unit_id: root.0,
            unit_path: root.1,
            unit_name: String::new(),
            lang: Lang::Zh,
            roles: Vec::new(),
            grants,
            chosen: Vec::new(),
        }
    }

    fn me(&self) -> Me {
        Me {
            account_id: self.account_id,
            unit_id: self.unit_id,
            unit_path: self.unit_path.clone(),
            chosen: self.chosen.clone(),
        }
    }

    /// The person's reach for `module`/`action` (possibly empty).
    pub fn scope(&self, module: Module, action: Action) -> Scope {
        Scope::resolve(&self.grants, module, action, &self.me())
    }

    /// The scope, or 403 when the person has no grant at all. Every handler calls this first.
    pub fn require(&self, module: Module, action: Action) -> AppResult<Scope> {
        let s = self.scope(module, action);
        if s.is_empty() { Err(AppError::Forbidden) } else { Ok(s) }
    }

    /// Checks one record: 403 when it lies outside the scope.
    pub fn require_on(&self, module: Module, action: Action, target: Target<'_>) -> AppResult<()> {
        if self.require(module, action)?.allows(target) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// True when the person has any grant for `module`/`action`.
    pub fn can(&self, module: Module, action: Action) -> bool {
        !self.scope(module, action).is_empty()
    }

    /// The administrator kind, for the three separated roles.
    pub fn admin_kind(&self) -> Option<AdminKind> {
        self.roles.iter().find_map(|r| r.admin_kind.as_deref().and_then(AdminKind::parse))
    }

    /// Role names joined for display.
    pub fn role_names(&self) -> String {
        self.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join("、")
    }

    /// Shares the principal cheaply between extractors.
    pub fn shared(self) -> Arc<Principal> {
        Arc::new(self)
    }
}
