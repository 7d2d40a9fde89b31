//! The built-in roles and the rules of three-role separation (三员分立), pure.
//!
//! Accounts, dictionaries and settings belong to the system administrator;
//! roles, grants and security to the security administrator; the audit trail
//! to the auditor alone. Administrator roles hold only their own modules and
//! are held alone; business roles hold none of the reserved modules.

use super::model::{Action, AdminKind, Grant, Module, ScopeKind};
use crate::i18n::Msg;

/// Which admin kinds may hold a permission on `module`/`action`; `None` means
/// business roles only.
fn reserved_for(module: Module, action: Action) -> Option<&'static [AdminKind]> {
    use AdminKind::*;
    match (module, action) {
        (Module::Accounts, Action::Read) => Some(&[Sysadmin, Secadmin]),
        (Module::Accounts | Module::Dicts | Module::Settings, _) => Some(&[Sysadmin]),
        (Module::Roles | Module::Security, _) => Some(&[Secadmin]),
        (Module::Audit, _) => Some(&[Auditor]),
        _ => None,
    }
}

/// Modules an administrator role may hold beyond its reserved ones.
fn admin_extra(kind: AdminKind, module: Module) -> bool {
    matches!((kind, module), (AdminKind::Sysadmin, Module::Org | Module::People | Module::Attachments))
}

/// Three-role separation for one role: admin roles hold only their own
/// modules, business roles hold none of the reserved ones, and only the auditor
/// touches the audit trail.
pub fn check_role_grants(kind: Option<AdminKind>, grants: &[Grant]) -> Result<(), Msg> {
    for g in grants {
        let allowed = match (reserved_for(g.module, g.action), kind) {
            (Some(kinds), Some(k)) => kinds.contains(&k),
            (Some(_), None) => false,
            (None, Some(k)) => admin_extra(k, g.module),
            (None, None) => true,
        };
        if !allowed {
            return Err(Msg::new("三员分立：该角色不能拥有“{module}”的“{action}”权限")
                .arg("module", g.module.label())
                .arg("action", g.action.label()));
        }
    }
    Ok(())
}

/// Three-role separation for one account: an administrator role is held alone.
pub fn check_account_roles(kinds: &[Option<AdminKind>]) -> Result<(), Msg> {
    if kinds.len() > 1 && kinds.iter().any(Option::is_some) {
        return Err(Msg::new(
            "三员分立：系统管理员、安全管理员、审计管理员角色不能与其他角色同时授予同一账户",
        ));
    }
    Ok(())
}

/// A role that ships with the product.
#[derive(Debug)]
pub struct BuiltinRole {
    /// Stable code.
    pub code: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// What the role is for.
    pub description: &'static str,
    /// Set for the three administrator roles.
    pub admin_kind: Option<AdminKind>,
    /// What it grants.
    pub grants: &'static [(Module, &'static [Action], ScopeKind)],
}

use Action::{Approve as A, Export as E, Read as R, Write as W};
use ScopeKind::{All, Own, Subtree, Unit};

/// The built-in roles: every kind of user in the research system plus the three administrators.
pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        code: "leader",
        name: "领导",
        description: "市委及分管领导：查阅全部工作情况，作出批示，审核把关",
        admin_kind: None,
        grants: &[
            (Module::Org, &[R], All),
            (Module::People, &[R], All),
            (Module::Reform, &[R, E, A], All),
            (Module::Research, &[R, E, A], All),
            (Module::Drafting, &[R, A], All),
            (Module::Liaison, &[R, E], All),
            (Module::Party, &[R], All),
            (Module::Search, &[R], All),
            (Module::Dashboard, &[R], All),
            (Module::Attachments, &[R], All),
        ],
    },
    BuiltinRole {
        code: "research_staff",
        name: "政研室工作人员",
        description: "谋划调研课题、起草文稿、编辑《决策参考》、登记领导批示、办理基层问题",
        admin_kind: None,
        grants: &[
            (Module::Org, &[R], All),
            (Module::People, &[R], Unit),
            (Module::Reform, &[R], All),
            (Module::Research, &[R, W, E], All),
            (Module::Drafting, &[R, W, E], All),
            (Module::Liaison, &[R, W, E, A], All),
            (Module::Search, &[R], All),
            (Module::Dashboard, &[R], All),
            (Module::Attachments, &[R], All),
            (Module::Attachments, &[W], Own),
        ],
    },
    BuiltinRole {
        code: "reform_staff",
        name: "改革办工作人员",
        description: "管理改革任务清单，督察督办、考核评价、排名通报、培育典型案例",
        admin_kind: None,
        grants: &[
            (Module::Org, &[R], All),
            (Module::People, &[R], Unit),
            (Module::Reform, &[R, W, E, A], All),
            (Module::Research, &[R], All),
            (Module::Search, &[R], All),
            (Module::Dashboard, &[R], All),
            (Module::Attachments, &[R], All),
            (Module::Attachments, &[W], Own),
        ],
    },
    BuiltinRole {
        code: "unit_liaison",
        name: "部门/县区联络员",
        description: "报送本单位改革任务和课题进展，办理交办的基层问题",
        admin_kind: None,
        grants: &[
            (Module::Org, &[R], Subtree),
            (Module::People, &[R], Unit),
            (Module::Reform, &[R, W], Unit),
            (Module::Research, &[R, W], Unit),
            (Module::Liaison, &[R, W], Subtree),
            (Module::Search, &[R], Subtree),
            (Module::Dashboard, &[R], Subtree),
            (Module::Attachments, &[R], Subtree),
            (Module::Attachments, &[W], Own),
        ],
    },
    BuiltinRole {
        code: "contact_liaison",
        name: "联系点联络员",
        description: "用手机报送问题线索和社情民意，查看办理结果并评价",
        admin_kind: None,
        grants: &[
            (Module::Org, &[R], Unit),
            (Module::Liaison, &[R, W], Unit),
            (Module::Attachments, &[R], Unit),
            (Module::Attachments, &[W], Own),
        ],
    },
    BuiltinRole {
        code: "party_branch",
        name: "党支部管理员",
        description: "记录学习活动、党员积分、考核评议和整改台账",
        admin_kind: None,
        grants: &[
            (Module::Org, &[R], Subtree),
            (Module::People, &[R, W], Subtree),
            (Module::Party, &[R, W, E], Subtree),
            (Module::Dashboard, &[R], Subtree),
            (Module::Attachments, &[R], Subtree),
            (Module::Attachments, &[W], Own),
        ],
    },
    BuiltinRole {
        code: "sysadmin",
        name: "系统管理员",
        description: "维护组织机构、人员、账户、数据字典和系统设置；不能授权，不能查看审计记录",
        admin_kind: Some(AdminKind::Sysadmin),
        grants: &[
            (Module::Org, &[R, W, E], All),
            (Module::People, &[R, W, E], All),
            (Module::Accounts, &[R, W, E], All),
            (Module::Dicts, &[R, W], All),
            (Module::Settings, &[R, W], All),
            (Module::Attachments, &[R, W], All),
        ],
    },
    BuiltinRole {
        code: "secadmin",
        name: "安全管理员",
        description: "配置角色与数据权限、安全策略，解锁账户，查看登录日志；不能查看审计记录",
        admin_kind: Some(AdminKind::Secadmin),
        grants: &[
            (Module::Accounts, &[R], All),
            (Module::Roles, &[R, W], All),
            (Module::Security, &[R, W, E], All),
        ],
    },
    BuiltinRole {
        code: "auditor",
        name: "审计管理员",
        description: "查看、筛选、导出和校验审计记录；不能查看其他任何数据",
        admin_kind: Some(AdminKind::Auditor),
        grants: &[(Module::Audit, &[R, E], All)],
    },
];

impl BuiltinRole {
    /// The grants as a flat list.
    pub fn flat_grants(&self) -> Vec<Grant> {
        self.grants
            .iter()
            .flat_map(|(module, actions, scope)| {
                actions.iter().map(move |action| Grant { module: *module, action: *action, scope: *scope })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_role_obeys_three_role_separation() {
        for role in BUILTIN_ROLES {
            assert_eq!(check_role_grants(role.admin_kind, &role.flat_grants()), Ok(()), "{}", role.code);
        }
    }

    #[test]
    fn only_the_auditor_may_read_the_audit_trail() {
        let audit = [Grant { module: Module::Audit, action: Action::Read, scope: ScopeKind::All }];
        assert!(check_role_grants(Some(AdminKind::Auditor), &audit).is_ok());
        assert!(check_role_grants(Some(AdminKind::Sysadmin), &audit).is_err());
        assert!(check_role_grants(Some(AdminKind::Secadmin), &audit).is_err());
        assert!(check_role_grants(None, &audit).is_err());
    }

    #[test]
    fn the_auditor_can_read_nothing_else() {
        for module in Module::ALL.iter().filter(|m| **m != Module::Audit) {
            let g = [Grant { module: *module, action: Action::Read, scope: ScopeKind::All }];
            assert!(check_role_grants(Some(AdminKind::Auditor), &g).is_err(), "{module:?}");
        }
    }

    #[test]
    fn business_roles_cannot_hold_administration() {
        for module in [Module::Accounts, Module::Roles, Module::Security, Module::Dicts, Module::Settings] {
            let g = [Grant { module, action: Action::Read, scope: ScopeKind::All }];
            assert!(check_role_grants(None, &g).is_err(), "{module:?}");
        }
    }

    #[test]
    fn an_administrator_role_is_held_alone() {
        assert!(check_account_roles(&[Some(AdminKind::Sysadmin)]).is_ok());
        assert!(check_account_roles(&[None, None]).is_ok());
        assert!(check_account_roles(&[Some(AdminKind::Sysadmin), None]).is_err());
        assert!(check_account_roles(&[Some(AdminKind::Sysadmin), Some(AdminKind::Auditor)]).is_err());
    }
}
