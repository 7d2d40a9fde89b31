//! The side menu, built from what the person may do.

use serde::Serialize;

use crate::authz::{Action, Module, Principal};

/// One link in the menu.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// Chinese label.
    pub label: &'static str,
    /// Where it goes.
    pub href: &'static str,
    /// Highlighted when the current page is under it.
    pub active: bool,
}

/// A titled group of links.
#[derive(Clone, Debug, Serialize)]
pub struct Section {
    /// Chinese title.
    pub title: &'static str,
    /// Its links.
    pub items: Vec<Item>,
}

type Entry = (&'static str, &'static str, Option<(Module, Action)>);

const SECTIONS: &[(&str, &[Entry])] = &[
    (
        "工作台",
        &[
            ("工作台", "/home", None),
            ("消息提醒", "/inbox", None),
            ("全文检索", "/search", Some((Module::Search, Action::Read))),
        ],
    ),
    (
        "深化改革",
        &[
            ("改革任务", "/reform", Some((Module::Reform, Action::Read))),
            ("进展审核", "/reform/reports", Some((Module::Reform, Action::Read))),
            ("双过半", "/reform/halfway", Some((Module::Reform, Action::Read))),
            ("改革督察", "/reform/inspections", Some((Module::Reform, Action::Read))),
            ("整改事项", "/reform/rectifications", Some((Module::Reform, Action::Read))),
            ("通报", "/reform/notices", Some((Module::Reform, Action::Read))),
            ("典型案例", "/reform/cases", Some((Module::Reform, Action::Read))),
            ("改革试点", "/reform/pilots", Some((Module::Reform, Action::Read))),
            ("考核排名", "/reform/assessment", Some((Module::Reform, Action::Read))),
        ],
    ),
    (
        "调查研究",
        &[
            ("调研课题", "/research", Some((Module::Research, Action::Read))),
            ("调研成果", "/research/outputs", Some((Module::Research, Action::Read))),
            ("决策参考", "/research/journal", Some((Module::Research, Action::Read))),
            ("领导批示", "/research/instructions", Some((Module::Research, Action::Read))),
            ("成果汇编", "/research/compilations", Some((Module::Research, Action::Read))),
            ("优秀成果评选", "/research/selection", Some((Module::Research, Action::Read))),
        ],
    ),
    (
        "基层联系点",
        &[
            ("问题线索", "/liaison", Some((Module::Liaison, Action::Read))),
            ("报送问题", "/liaison/new", Some((Module::Liaison, Action::Write))),
            ("联系点名录", "/liaison/points", Some((Module::Liaison, Action::Read))),
            ("统计分析", "/liaison/figures", Some((Module::Liaison, Action::Read))),
            ("风险词库", "/liaison/lexicon", Some((Module::Liaison, Action::Approve))),
        ],
    ),
    (
        "以文辅政",
        &[
            ("起草任务", "/drafting", Some((Module::Drafting, Action::Read))),
            ("文稿统计", "/drafting/figures", Some((Module::Drafting, Action::Read))),
        ],
    ),
    (
        "组织与人员",
        &[
            ("组织机构", "/org/units", Some((Module::Org, Action::Read))),
            ("人员信息", "/org/people", Some((Module::People, Action::Read))),
            ("党支部", "/org/branches", Some((Module::People, Action::Read))),
        ],
    ),
    (
        "系统管理",
        &[
            ("账户管理", "/admin/accounts", Some((Module::Accounts, Action::Write))),
            ("数据字典", "/admin/dicts", Some((Module::Dicts, Action::Read))),
            ("领域词典", "/admin/words", Some((Module::Dicts, Action::Read))),
            ("系统设置", "/admin/settings", Some((Module::Settings, Action::Read))),
        ],
    ),
    (
        "安全管理",
        &[
            ("角色权限", "/admin/roles", Some((Module::Roles, Action::Read))),
            ("账户授权", "/admin/grants", Some((Module::Roles, Action::Write))),
            ("安全策略", "/admin/security", Some((Module::Security, Action::Read))),
            ("登录日志", "/admin/logins", Some((Module::Security, Action::Read))),
        ],
    ),
    ("安全审计", &[("审计记录", "/audit", Some((Module::Audit, Action::Read)))]),
    ("个人中心", &[("账户安全", "/account", None), ("接口令牌", "/account/tokens", None)]),
];

/// The menu for `who`, with the entry for `path` marked active.
pub fn build(who: &Principal, path: &str) -> Vec<Section> {
    let matches =
        |href: &str| path == href || (path.starts_with(href) && path[href.len()..].starts_with('/'));
    // Only the most specific entry is active (`/account/tokens`, not also `/account`).
    let best = SECTIONS
        .iter()
        .flat_map(|(_, entries)| entries.iter().map(|(_, href, _)| *href))
        .filter(|href| matches(href))
        .max_by_key(|href| href.len());
    SECTIONS
        .iter()
        .filter_map(|(title, entries)| {
            let items: Vec<Item> = entries
                .iter()
                .filter(|(_, _, need)| need.is_none_or(|(m, a)| who.can(m, a)))
                .map(|(label, href, _)| Item { label, href, active: Some(*href) == best })
                .collect();
            (!items.is_empty()).then_some(Section { title, items })
        })
        .collect()
}
