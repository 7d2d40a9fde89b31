//! Reading the audit trail: filters and keyset paging (newest first), so a
//! page is as fast at record 10,000,000 as at record 1.

use serde::{Deserialize, Serialize};

use super::model::Record;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Sql};
use crate::validate::optional_date;

/// Audit filters.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct AuditFilter {
    /// From date, inclusive (`2026-11-01`).
    pub from: String,
    /// To date, inclusive.
    pub to: String,
    /// Part of the actor's name.
    pub actor: String,
    /// Action code or its module prefix (`auth.` …).
    pub action: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// Part of the summary.
    pub q: String,
    /// Show records with a sequence number below this (next page).
    pub before: String,
}

/// Action groups for the filter.
pub const GROUPS: &[(&str, &str)] = &[
    ("auth.", "登录与认证"),
    ("account.", "账户"),
    ("role.", "角色"),
    ("security.", "安全策略"),
    ("unit.", "组织机构"),
    ("person.", "人员"),
    ("branch.", "党支部"),
    ("dict.", "数据字典"),
    ("setting.", "系统设置"),
    ("attachment.", "附件"),
    ("export.", "导出"),
    ("token.", "接口令牌"),
    ("audit.", "审计"),
    ("system.", "系统运维"),
];

/// The group label of an action code.
pub fn group_label(action: &str) -> &'static str {
    GROUPS.iter().find(|(p, _)| action.starts_with(p)).map_or("其他", |(_, l)| l)
}

fn day_start(raw: &str, offset: time::UtcOffset, next: bool) -> Option<Ts> {
    let d = optional_date(raw).ok().flatten()?;
    let d = if next { d.next_day()? } else { d };
    Some(Ts::from_datetime(d.midnight().assume_offset(offset)))
}

/// Days searched when a filter has no indexed column and no dates are given.
pub const DEFAULT_WINDOW_DAYS: i64 = 90;

impl AuditFilter {
    /// True when a filter needs a scan (actor, object, text) and no dates bound it.
    pub fn needs_window(&self) -> bool {
        let scanning = !(self.actor.trim().is_empty()
            && self.object_type.trim().is_empty()
            && self.object_id.trim().is_empty()
            && self.q.trim().is_empty());
        scanning && self.from.trim().is_empty() && self.to.trim().is_empty()
    }

    /// Fills in the default window (last 90 days up to `today`) when [`Self::needs_window`].
    pub fn bounded(mut self, today: time::Date) -> AuditFilter {
        if self.needs_window() {
            self.from = (today - time::Duration::days(DEFAULT_WINDOW_DAYS - 1)).to_string();
        }
        self
    }
}

fn filter_where(sql: &mut Sql, f: &AuditFilter, offset: time::UtcOffset) {
    sql.push(" where 1=1");
    if let Some(t) = day_start(&f.from, offset, false) {
        sql.push(" and at >= ").bind(t);
    }
    if let Some(t) = day_start(&f.to, offset, true) {
        sql.push(" and at < ").bind(t);
    }
    if !f.actor.trim().is_empty() {
        sql.push(" and actor_name like ").bind_contains(f.actor.trim());
    }
    let action = f.action.trim();
    if !action.is_empty() {
        if action.ends_with('.') {
            // A prefix range keeps the action index usable.
            let mut hi = action.trim_end_matches('.').to_string();
            hi.push('/');
            sql.push(" and action >= ").bind(action.to_string()).push(" and action < ").bind(hi);
        } else {
            sql.push(" and action = ").bind(action.to_string());
        }
    }
    if !f.object_type.trim().is_empty() {
        sql.push(" and object_type = ").bind(f.object_type.trim().to_string());
    }
    if !f.object_id.trim().is_empty() {
        sql.push(" and object_id = ").bind(f.object_id.trim().to_string());
    }
    if !f.q.trim().is_empty() {
        sql.push(" and summary like ").bind_contains(f.q.trim());
    }
}

const COLUMNS: &str = "select seq, at, actor_id, actor_name, ip, action, object_type, object_id, summary, before_data, \
     after_data, hash from audit_events";

/// One page of records, newest first, below `before`.
pub async fn page(db: &Db, f: &AuditFilter, offset: time::UtcOffset, per: i64) -> DbResult<Vec<Record>> {
    let mut sql = Sql::new(COLUMNS);
    filter_where(&mut sql, f, offset);
    if let Ok(before) = f.before.trim().parse::<i64>() {
        sql.push(" and seq < ").bind(before);
    }
    sql.push(" order by seq desc limit ").int(per);
    db.all(sql.build()).await
}

/// How many records match, counted up to `cap` (the page says "more than" beyond it).
pub async fn count_capped(db: &Db, f: &AuditFilter, offset: time::UtcOffset, cap: i64) -> DbResult<i64> {
    let mut sql = Sql::new("select count(*) from (select 1 from audit_events");
    filter_where(&mut sql, f, offset);
    sql.push(" limit ").int(cap).push(") x");
    db.scalar(sql.build()).await
}

/// Every matching record up to `limit`, newest first (exports).
pub async fn all(db: &Db, f: &AuditFilter, offset: time::UtcOffset, limit: i64) -> DbResult<Vec<Record>> {
    page(db, &AuditFilter { before: String::new(), ..f.clone() }, offset, limit).await
}
