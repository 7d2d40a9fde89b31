//! The figures on each role's 工作台, all counted inside the person's scope.

use serde::Serialize;

use crate::authz::{Action, AdminKind, Module};
use crate::clock::Ts;
use crate::db::{Query, Sql};
use crate::error::AppResult;
use crate::web::Ui;

/// One figure with its label, link and status colour.
#[derive(Debug, Serialize)]
pub struct Card {
    /// What it counts.
    pub label: &'static str,
    /// The number.
    pub value: i64,
    /// Where to see the rows.
    pub href: &'static str,
    /// `blue`, `green`, `yellow` or `red` (the four status colours), or empty.
    pub tone: &'static str,
}

/// The previous successful sign-in.
#[derive(Debug, Serialize)]
pub struct LastLogin {
    /// When.
    pub at: String,
    /// From where.
    pub ip: String,
}

/// The sign-in before this session's.
pub async fn last_login(ui: &Ui) -> AppResult<Option<LastLogin>> {
    let rows: Vec<(Ts, String)> = ui
        .state
        .db
        .all(
            Query::new(
                "select at, ip from login_history where account_id = $1 and outcome = 'success' order by id desc limit 2",
            )
            .bind(ui.user.account_id),
        )
        .await?;
    Ok(rows.get(1).map(|(at, ip)| LastLogin { at: at.display(ui.state.clock.offset()), ip: ip.clone() }))
}

async fn count_units(ui: &Ui) -> AppResult<i64> {
    let scope = ui.user.scope(Module::Org, Action::Read);
    let mut sql = Sql::new("select count(*) from units u where u.status = 'active' and ");
    scope.filter(&mut sql, "u.id", Some("u.created_by"));
    Ok(ui.state.db.scalar(sql.build()).await?)
}

async fn count_people(ui: &Ui) -> AppResult<i64> {
    let scope = ui.user.scope(Module::People, Action::Read);
    let mut sql = Sql::new("select count(*) from persons p where p.status = 'active' and ");
    scope.filter(&mut sql, "p.unit_id", Some("p.created_by"));
    Ok(ui.state.db.scalar(sql.build()).await?)
}

async fn scalar(ui: &Ui, q: Query) -> AppResult<i64> {
    Ok(ui.state.db.scalar(q).await?)
}

/// The cards for the person's roles.
pub async fn for_user(ui: &Ui) -> AppResult<Vec<Card>> {
    let now = ui.now();
    let day_ago = now.plus_minutes(-24 * 60);
    let mut cards = Vec::new();
    match ui.user.admin_kind() {
        Some(AdminKind::Auditor) => {
            let head = crate::audit::store::head_seq(&ui.state.db).await?;
            cards.push(Card { label: "审计记录总数", value: head, href: "/audit", tone: "blue" });
            let today =
                scalar(ui, Query::new("select count(*) from audit_events where at >= $1").bind(day_ago))
                    .await?;
            cards.push(Card { label: "近24小时审计记录", value: today, href: "/audit", tone: "" });
            let failed = scalar(
                ui,
                Query::new(
                    "select count(*) from audit_events where action = 'auth.login_failed' and at >= $1",
                )
                .bind(day_ago),
            )
            .await?;
            cards.push(Card {
                label: "近24小时登录失败",
                value: failed,
                href: "/audit?action=auth.login_failed",
                tone: if failed > 0 { "yellow" } else { "green" },
            });
            return Ok(cards);
        }
        Some(AdminKind::Secadmin) => {
            let locked =
                scalar(ui, Query::new("select count(*) from accounts where locked_until > $1").bind(now))
                    .await?;
            cards.push(Card {
                label: "锁定中的账户",
                value: locked,
                href: "/admin/grants?status=locked",
                tone: if locked > 0 { "red" } else { "green" },
            });
            let failed = scalar(
                ui,
                Query::new("select count(*) from login_history where outcome <> 'success' and outcome <> 'logout' and at >= $1").bind(day_ago),
            )
            .await?;
            cards.push(Card {
                label: "近24小时登录失败",
                value: failed,
                href: "/admin/logins",
                tone: if failed > 20 { "yellow" } else { "" },
            });
            let no_totp = scalar(
                ui,
                Query::new(
                    "select count(*) from accounts a where a.status = 'active' and a.totp_enabled = false and exists \
                     (select 1 from account_roles ar join roles r on r.id = ar.role_id where ar.account_id = a.id and r.admin_kind is not null)",
                ),
            )
            .await?;
            cards.push(Card {
                label: "未启用动态口令的管理员",
                value: no_totp,
                href: "/admin/grants",
                tone: if no_totp > 0 { "yellow" } else { "green" },
            });
            let ungranted = scalar(
                ui,
                Query::new("select count(*) from accounts a where a.status = 'active' and not exists (select 1 from account_roles ar where ar.account_id = a.id)"),
            )
            .await?;
            cards.push(Card {
                label: "待授权账户",
                value: ungranted,
                href: "/admin/grants",
                tone: if ungranted > 0 { "yellow" } else { "" },
            });
            return Ok(cards);
        }
        Some(AdminKind::Sysadmin) => {
            cards.push(Card {
                label: "在用单位",
                value: count_units(ui).await?,
                href: "/org/units",
                tone: "blue",
            });
            cards.push(Card {
                label: "在职人员",
                value: count_people(ui).await?,
                href: "/org/people",
                tone: "",
            });
            let accounts =
                scalar(ui, Query::new("select count(*) from accounts where status = 'active'")).await?;
            cards.push(Card { label: "启用账户", value: accounts, href: "/admin/accounts", tone: "" });
            let initial = scalar(
                ui,
                Query::new(
                    "select count(*) from accounts where status = 'active' and must_change_password = true",
                ),
            )
            .await?;
            cards.push(Card {
                label: "尚未修改初始密码",
                value: initial,
                href: "/admin/accounts",
                tone: if initial > 0 { "yellow" } else { "green" },
            });
            return Ok(cards);
        }
        None => {}
    }
    if ui.user.can(Module::Org, Action::Read) {
        cards.push(Card {
            label: "可查看的单位",
            value: count_units(ui).await?,
            href: "/org/units",
            tone: "blue",
        });
    }
    if ui.user.can(Module::People, Action::Read) {
        cards.push(Card {
            label: "可查看的人员",
            value: count_people(ui).await?,
            href: "/org/people",
            tone: "",
        });
    }
    let unread = crate::notify::unread_count(&ui.state.db, ui.user.account_id).await?;
    cards.push(Card {
        label: "未读消息",
        value: unread,
        href: "/inbox",
        tone: if unread > 0 { "yellow" } else { "green" },
    });
    Ok(cards)
}
