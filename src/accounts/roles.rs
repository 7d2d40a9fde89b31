//! Custom roles (security administrator). Built-in roles are defined in code
//! and shown read-only; a custom role is a business role, so three-role
//! separation forbids it any administration module.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::roles::check_role_grants;
use crate::authz::store::{self as role_store, Role};
use crate::authz::{Action, Grant, Module, ScopeKind};
use crate::db::{Query, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::{Check, optional, required};

/// A role as typed: grants keyed `module.action` → scope code (empty for none).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoleInput {
    /// Stable code (lower-case letters, digits, `_`).
    pub code: String,
    /// Name.
    pub name: String,
    /// Purpose.
    pub description: String,
    /// `{"org.read": "subtree", …}`.
    pub grants: BTreeMap<String, String>,
}

/// A validated role.
#[derive(Clone, Debug, Serialize)]
pub struct RoleFields {
    code: String,
    name: String,
    description: String,
    grants: Vec<Grant>,
}

impl RoleInput {
    /// Builds the input from a flat form (`g.org.read=subtree`).
    pub fn from_form(pairs: Vec<(String, String)>) -> RoleInput {
        let mut input = RoleInput::default();
        for (k, v) in pairs {
            match k.as_str() {
                "code" => input.code = v,
                "name" => input.name = v,
                "description" => input.description = v,
                _ => {
                    if let Some(key) = k.strip_prefix("g.") {
                        input.grants.insert(key.to_string(), v);
                    }
                }
            }
        }
        input
    }

    /// Parses the role; `creating` also checks the code.
    pub fn parse(&self, creating: bool) -> Result<RoleFields, FieldErrors> {
        let mut c = Check::default();
        let code = if creating {
            c.take(
                "code",
                required(&self.code, 32).and_then(|v| {
                    if v.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_') {
                        Ok(v)
                    } else {
                        Err(Msg::new("编码只能包含小写字母、数字和下划线"))
                    }
                }),
            )
        } else {
            Some(String::new())
        };
        let name = c.take("name", required(&self.name, 30));
        let description = c.take("description", optional(&self.description, 200));
        let mut grants = Vec::new();
        for (key, scope) in &self.grants {
            if scope.is_empty() {
                continue;
            }
            let parsed = key.split_once('.').and_then(|(m, a)| {
                Some(Grant {
                    module: Module::parse(m)?,
                    action: Action::parse(a)?,
                    scope: ScopeKind::parse(scope)?,
                })
            });
            match parsed {
                Some(g) => grants.push(g),
                None => c.fail("grants", Msg::new("权限设置有误：{key}").arg("key", key)),
            }
        }
        grants.sort();
        if let Err(m) = check_role_grants(None, &grants) {
            c.fail("grants", m);
        }
        c.finish(|| Some(RoleFields { code: code?, name: name?, description: description?, grants }))
    }
}

/// Creates a custom role.
pub async fn create(c: &Caller<'_>, input: &RoleInput) -> AppResult<i64> {
    c.who.require(Module::Roles, Action::Write)?;
    let f = input.parse(true)?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = match tx
        .scalar(
            Query::new(
                "insert into roles (code, name, description, builtin, admin_kind, created_at, updated_at) \
                 values ($1, $2, $3, false, null, $4, $4) returning id",
            )
            .bind(&f.code)
            .bind(&f.name)
            .bind(&f.description)
            .bind(c.now),
        )
        .await
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(FieldErrors::one("code", Msg::new("该角色编码已被使用")).into());
        }
        Err(e) => return Err(e.into()),
    };
    role_store::set_grants(&mut tx, id, &f.grants).await?;
    let ev = Event::new("role.create", "role", id).summary(format!("新建角色“{}”", f.name)).after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a custom role; built-in roles are refused.
pub async fn update(c: &Caller<'_>, id: i64, input: &RoleInput) -> AppResult<()> {
    c.who.require(Module::Roles, Action::Write)?;
    let role: Role = role_store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    if role.builtin {
        return Err(AppError::Conflict(Msg::new("内置角色的权限由系统定义，不能修改；可新建自定义角色")));
    }
    let f = input.parse(false)?;
    let before = role_store::grants(&c.state.db, id).await?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update roles set name = $1, description = $2, updated_at = $3 where id = $4")
            .bind(&f.name)
            .bind(&f.description)
            .bind(c.now)
            .bind(id),
    )
    .await?;
    role_store::set_grants(&mut tx, id, &f.grants).await?;
    let ev = Event::new("role.update", "role", id)
        .summary(format!("修改角色“{}”的权限", role.name))
        .before(&before)
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a custom role nobody holds.
pub async fn delete(c: &Caller<'_>, id: i64) -> AppResult<()> {
    c.who.require(Module::Roles, Action::Write)?;
    let role: Role = role_store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    if role.builtin {
        return Err(AppError::Conflict(Msg::new("内置角色不能删除")));
    }
    let holders: i64 = c
        .state
        .db
        .scalar(Query::new("select count(*) from account_roles where role_id = $1").bind(id))
        .await?;
    if holders > 0 {
        return Err(AppError::Conflict(Msg::new("仍有{n}个账户持有该角色，请先取消授权").arg("n", holders)));
    }
    let mut tx = c.state.db.begin().await?;
    tx.exec(Query::new("delete from roles where id = $1").bind(id)).await?;
    let ev = Event::new("role.delete", "role", id).summary(format!("删除角色“{}”", role.name));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_role_cannot_take_administration() {
        let mut input = RoleInput { code: "x".into(), name: "县区审计".into(), ..RoleInput::default() };
        input.grants.insert("audit.read".into(), "all".into());
        assert!(input.parse(true).unwrap_err().0.contains_key("grants"));
    }

    #[test]
    fn form_keys_become_grants() {
        let input = RoleInput::from_form(vec![
            ("code".into(), "county_reform".into()),
            ("name".into(), "县区改革联络员".into()),
            ("g.reform.read".into(), "subtree".into()),
            ("g.reform.write".into(), "unit".into()),
            ("g.org.read".into(), String::new()),
        ]);
        let f = input.parse(true).unwrap();
        assert_eq!(f.grants.len(), 2);
    }
}
