//! Permissions as data plus one function.
//!
//! A role grants (module, action, scope) triples. A person's effective [`Scope`]
//! for a module and action is the union over their roles. The same `Scope`
//! answers "may I?" for one record ([`Scope::allows`]) and writes the SQL
//! condition that every list, count, search and export query embeds
//! ([`Scope::filter`]), so a row outside the scope is never fetched at all.
//!
//! Units form a tree addressed by materialised paths (`/1/5/23/`); "unit and
//! below" is a range on that path, which both databases answer from an index.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::db::Sql;

/// Generates a code-string enum with Chinese labels.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal : $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and used in URLs.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a stored code.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

coded_enum!(
    /// A functional area whose records are protected together.
    Module {
        /// 组织机构
        Org = "org": "组织机构",
        /// 人员
        People = "people": "人员",
        /// 账户
        Accounts = "accounts": "账户",
        /// 角色与授权
        Roles = "roles": "角色与授权",
        /// 安全策略与登录日志
        Security = "security": "安全策略",
        /// 字典
        Dicts = "dicts": "数据字典",
        /// 系统设置
        Settings = "settings": "系统设置",
        /// 审计
        Audit = "audit": "审计",
        /// 附件
        Attachments = "attachments": "附件",
        /// 深化改革
        Reform = "reform": "深化改革",
        /// 调查研究
        Research = "research": "调查研究",
        /// 以文辅政
        Drafting = "drafting": "以文辅政",
        /// 基层联系点
        Liaison = "liaison": "基层联系点",
        /// 党建与队伍
        Party = "party": "党建与队伍",
        /// 全文检索
        Search = "search": "全文检索",
        /// 工作台与大屏
        Dashboard = "dashboard": "统计分析",
    }
);

coded_enum!(
    /// What a person does to records of a module.
    Action {
        /// View lists and details.
        Read = "read": "查看",
        /// Create and change.
        Write = "write": "编辑",
        /// Export to Excel or Word.
        Export = "export": "导出",
        /// Approve, accept, sign off.
        Approve = "approve": "审核",
    }
);

coded_enum!(
    /// Which records a grant reaches.
    ScopeKind {
        /// Only records the person created.
        Own = "own": "本人",
        /// Records of the person's own unit.
        Unit = "unit": "本单位",
        /// Records of the own unit and every unit below it.
        Subtree = "subtree": "本单位及下级",
        /// Records of units chosen for the account (with their subordinate units).
        Chosen = "chosen": "指定单位",
        /// Every record.
        All = "all": "全部",
    }
);

coded_enum!(
    /// The three separated administrator kinds (三员分立).
    AdminKind {
        /// 系统管理员: organisation, people, accounts, dictionaries, settings.
        Sysadmin = "sysadmin": "系统管理员",
        /// 安全管理员: roles, grants, security policy, sign-in records.
        Secadmin = "secadmin": "安全管理员",
        /// 审计管理员: the audit trail and nothing else.
        Auditor = "auditor": "审计管理员",
    }
);

/// One permission held by a role.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct Grant {
    /// The area.
    pub module: Module,
    /// The action.
    pub action: Action,
    /// How far it reaches.
    pub scope: ScopeKind,
}

/// Who is asking, as far as scopes care.
#[derive(Clone, Debug)]
pub struct Me {
    /// The account.
    pub account_id: i64,
    /// The account's unit.
    pub unit_id: i64,
    /// That unit's path.
    pub unit_path: String,
    /// Units chosen for the account (id, path), for the "chosen units" scope.
    pub chosen: Vec<(i64, String)>,
}

/// The record a permission is checked against.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// The unit the record belongs to.
    pub unit_id: i64,
    /// That unit's path.
    pub unit_path: &'a str,
    /// The account that created the record, when the record has one.
    pub owner_id: Option<i64>,
}

/// The effective reach of a person for one module and action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    all: bool,
    own: Option<i64>,
    units: BTreeSet<i64>,
    subtrees: BTreeSet<String>,
}

impl Scope {
    /// The union of every grant that matches `module` and `action`.
    pub fn resolve(grants: &[Grant], module: Module, action: Action, me: &Me) -> Scope {
        let mut s = Scope::default();
        for g in grants.iter().filter(|g| g.module == module && g.action == action) {
            match g.scope {
                ScopeKind::All => s.all = true,
                ScopeKind::Own => s.own = Some(me.account_id),
                ScopeKind::Unit => {
                    s.units.insert(me.unit_id);
                }
                ScopeKind::Subtree => {
                    s.subtrees.insert(me.unit_path.clone());
                }
                ScopeKind::Chosen => s.subtrees.extend(me.chosen.iter().map(|(_, p)| p.clone())),
            }
        }
        s.compact();
        s
    }

    /// A scope that reaches everything (for the command line and system jobs).
    pub fn everything() -> Scope {
        Scope { all: true, ..Scope::default() }
    }

    /// Drops subtrees inside other subtrees, so SQL stays short.
    fn compact(&mut self) {
        let paths: Vec<String> = self.subtrees.iter().cloned().collect();
        self.subtrees.retain(|p| !paths.iter().any(|q| q != p && p.starts_with(q.as_str())));
    }

    /// True when the scope reaches nothing at all.
    pub fn is_empty(&self) -> bool {
        !self.all && self.own.is_none() && self.units.is_empty() && self.subtrees.is_empty()
    }

    /// True when the scope reaches every record.
    pub fn is_all(&self) -> bool {
        self.all
    }

    /// May the person reach this record?
    pub fn allows(&self, t: Target<'_>) -> bool {
        self.all
            || self.units.contains(&t.unit_id)
            || self.subtrees.iter().any(|p| t.unit_path.starts_with(p.as_str()))
            || (self.own.is_some() && self.own == t.owner_id)
    }

    /// Appends a parenthesised condition limiting rows to this scope.
    /// `unit_col` holds the record's unit id; `owner_col` the creating account, if any.
    pub fn filter(&self, sql: &mut Sql, unit_col: &'static str, owner_col: Option<&'static str>) {
        if self.all {
            sql.push("(1=1)");
            return;
        }
        sql.push("(1=0");
        if !self.units.is_empty() {
            sql.push(" or ").push(unit_col).push(" in ").bind_list(self.units.iter().copied());
        }
        if !self.subtrees.is_empty() {
            sql.push(" or ").push(unit_col).push(" in (select id from units where 1=0");
            for path in &self.subtrees {
                let (lo, hi) = subtree_range(path);
                sql.push(" or (path >= ").bind(lo).push(" and path < ").bind(hi).push(")");
            }
            sql.push(")");
        }
        if let (Some(me), Some(col)) = (self.own, owner_col) {
            sql.push(" or ").push(col).push(" = ").bind(me);
        }
        sql.push(")");
    }
}

/// The half-open range `[lo, hi)` of paths at or below `path` (`/1/5/` → `/1/5/`..`/1/50`).
/// Paths hold only digits and `/`, and `/` sorts just before `0`.
pub fn subtree_range(path: &str) -> (String, String) {
    let hi = match path.strip_suffix('/') {
        Some(stem) => format!("{stem}0"),
        None => format!("{path}0"),
    };
    (path.to_string(), hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Me {
        Me { account_id: 7, unit_id: 5, unit_path: "/1/5/".into(), chosen: vec![(9, "/1/9/".into())] }
    }

    fn grant(scope: ScopeKind) -> Vec<Grant> {
        vec![Grant { module: Module::Org, action: Action::Read, scope }]
    }

    /// Relation of a target unit to the person's unit `/1/5/`.
    const SAME: (i64, &str) = (5, "/1/5/");
    const CHILD: (i64, &str) = (23, "/1/5/23/");
    const SIBLING: (i64, &str) = (6, "/1/6/");
    const PARENT: (i64, &str) = (1, "/1/");
    const LOOKALIKE: (i64, &str) = (50, "/1/50/");
    const CHOSEN: (i64, &str) = (9, "/1/9/");
    const BELOW_CHOSEN: (i64, &str) = (90, "/1/9/90/");

    /// (scope, units it reaches, units it does not).
    type Case<'a> = (ScopeKind, &'a [(i64, &'a str)], &'a [(i64, &'a str)]);

    #[test]
    fn each_scope_reaches_exactly_the_units_it_names() {
        let table: &[Case<'_>] = &[
            (ScopeKind::All, &[SAME, CHILD, SIBLING, PARENT, LOOKALIKE, CHOSEN], &[]),
            (ScopeKind::Subtree, &[SAME, CHILD], &[SIBLING, PARENT, LOOKALIKE, CHOSEN]),
            (ScopeKind::Unit, &[SAME], &[CHILD, SIBLING, PARENT, LOOKALIKE]),
            (ScopeKind::Chosen, &[CHOSEN, BELOW_CHOSEN], &[SAME, CHILD, SIBLING, PARENT]),
            (ScopeKind::Own, &[], &[SAME, CHILD, SIBLING, PARENT]),
        ];
        for (kind, yes, no) in table {
            let s = Scope::resolve(&grant(*kind), Module::Org, Action::Read, &me());
            for (id, path) in *yes {
                assert!(
                    s.allows(Target { unit_id: *id, unit_path: path, owner_id: None }),
                    "{kind:?} {path}"
                );
            }
            for (id, path) in *no {
                assert!(
                    !s.allows(Target { unit_id: *id, unit_path: path, owner_id: None }),
                    "{kind:?} {path}"
                );
            }
        }
    }

    #[test]
    fn own_scope_reaches_only_records_the_person_created() {
        let s = Scope::resolve(&grant(ScopeKind::Own), Module::Org, Action::Read, &me());
        assert!(s.allows(Target { unit_id: 6, unit_path: "/1/6/", owner_id: Some(7) }));
        assert!(!s.allows(Target { unit_id: 5, unit_path: "/1/5/", owner_id: Some(8) }));
    }

    #[test]
    fn grants_for_other_modules_or_actions_do_not_count() {
        let s = Scope::resolve(&grant(ScopeKind::All), Module::People, Action::Read, &me());
        assert!(s.is_empty());
        let s = Scope::resolve(&grant(ScopeKind::All), Module::Org, Action::Write, &me());
        assert!(s.is_empty());
    }

    #[test]
    fn the_sql_filter_binds_every_value() {
        let mut grants = grant(ScopeKind::Unit);
        grants.push(Grant { module: Module::Org, action: Action::Read, scope: ScopeKind::Chosen });
        grants.push(Grant { module: Module::Org, action: Action::Read, scope: ScopeKind::Own });
        let s = Scope::resolve(&grants, Module::Org, Action::Read, &me());
        let mut sql = Sql::new("select id from t where ");
        s.filter(&mut sql, "t.unit_id", Some("t.created_by"));
        assert_eq!(
            sql.text(),
            "select id from t where (1=0 or t.unit_id in ($1) or t.unit_id in (select id from units where 1=0 \
             or (path >= $2 and path < $3)) or t.created_by = $4)"
        );
    }

    #[test]
    fn subtree_ranges_exclude_lookalike_siblings() {
        assert_eq!(subtree_range("/1/5/"), ("/1/5/".to_string(), "/1/50".to_string()));
        let (lo, hi) = subtree_range("/1/5/");
        for inside in ["/1/5/", "/1/5/23/", "/1/5/99999/1/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/1/50/", "/1/6/", "/1/", "/1/49/"] {
            assert!(!(outside >= lo.as_str() && outside < hi.as_str()), "{outside}");
        }
    }

    #[test]
    fn nested_subtrees_collapse_to_the_outer_one() {
        let me = Me { chosen: vec![(1, "/1/".into())], ..me() };
        let grants = vec![
            Grant { module: Module::Org, action: Action::Read, scope: ScopeKind::Subtree },
            Grant { module: Module::Org, action: Action::Read, scope: ScopeKind::Chosen },
        ];
        let s = Scope::resolve(&grants, Module::Org, Action::Read, &me);
        assert_eq!(s.subtrees.len(), 1);
    }
}
