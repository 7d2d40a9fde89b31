//! The security administrator's pages: the security policy and every
//! account's login history (with export).

use axum::Router;
use axum::extract::{Form, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::model::SecurityPolicy;
use super::store::{self, LoginRow};
use crate::app::{AppState, Caller};
use crate::audit::{self, Event};
use crate::authz::{Action, Module};
use crate::db::Sql;
use crate::dicts::settings;
use crate::error::{AppResult, FieldErrors};
use crate::export::{self, Cell};
use crate::i18n::Msg;
use crate::validate::optional_date;
use crate::web::Ui;
use crate::web::list::{Pager, Paging};

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/security", get(policy_page).post(save_policy))
        .route("/admin/logins", get(logins))
        .route("/admin/logins/export", get(export_logins))
}

/// The policy form: every field a string, parsed strictly.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PolicyForm {
    /// Minimum password length.
    pub password_min_length: String,
    /// Character classes required.
    pub password_min_classes: String,
    /// Failures before the lock.
    pub max_failures: String,
    /// Lock duration in minutes.
    pub lock_minutes: String,
    /// Idle timeout in minutes.
    pub idle_minutes: String,
    /// Longest session in hours.
    pub session_hours: String,
    /// `on` to require TOTP of administrators.
    pub totp_required_for_admins: Option<String>,
    /// Failures allowed from one address.
    pub max_failures_per_ip: String,
}

impl PolicyForm {
    fn from_policy(p: &SecurityPolicy) -> PolicyForm {
        PolicyForm {
            password_min_length: p.password_min_length.to_string(),
            password_min_classes: p.password_min_classes.to_string(),
            max_failures: p.max_failures.to_string(),
            lock_minutes: p.lock_minutes.to_string(),
            idle_minutes: p.idle_minutes.to_string(),
            session_hours: p.session_hours.to_string(),
            totp_required_for_admins: p.totp_required_for_admins.then(|| "on".to_string()),
            max_failures_per_ip: p.max_failures_per_ip.to_string(),
        }
    }

    fn parse(&self) -> Result<SecurityPolicy, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut num = |field: &str, raw: &str| -> u32 {
            raw.trim().parse::<u32>().unwrap_or_else(|_| {
                errors.add(field, Msg::new("请输入整数"));
                0
            })
        };
        let p = SecurityPolicy {
            password_min_length: num("password_min_length", &self.password_min_length),
            password_min_classes: num("password_min_classes", &self.password_min_classes),
            max_failures: num("max_failures", &self.max_failures),
            lock_minutes: num("lock_minutes", &self.lock_minutes),
            idle_minutes: num("idle_minutes", &self.idle_minutes),
            session_hours: num("session_hours", &self.session_hours),
            totp_required_for_admins: crate::validate::checkbox(self.totp_required_for_admins.as_deref()),
            max_failures_per_ip: num("max_failures_per_ip", &self.max_failures_per_ip),
        };
        if errors.is_empty()
            && let Err((field, m)) = p.validate()
        {
            errors.add(field, m);
        }
        if errors.is_empty() { Ok(p) } else { Err(errors) }
    }
}

/// Saves the security policy.
pub async fn save(c: &Caller<'_>, form: &PolicyForm) -> AppResult<SecurityPolicy> {
    c.who.require(Module::Security, Action::Write)?;
    let new = form.parse()?;
    let before = settings::security_policy(&c.state.db).await?;
    let mut tx = c.state.db.begin().await?;
    settings::write(&mut tx, settings::SECURITY, &new, c.now, Some(c.who.account_id)).await?;
    let ev = Event::new("security.policy_update", "setting", settings::SECURITY)
        .summary("修改安全策略")
        .before(&before)
        .after(&new);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    c.state.forget_policy().await;
    Ok(new)
}

#[derive(Serialize)]
struct PolicyPage {
    form: PolicyForm,
    errors: std::collections::BTreeMap<String, String>,
    can_write: bool,
}

async fn policy_page(ui: Ui) -> AppResult<Response> {
    ui.require(Module::Security, Action::Read)?;
    let p = ui.state.policy().await?;
    let page = PolicyPage {
        form: PolicyForm::from_policy(&p),
        errors: Default::default(),
        can_write: ui.user.can(Module::Security, Action::Write),
    };
    ui.render("auth/security.html", page)
}

async fn save_policy(ui: Ui, Form(form): Form<PolicyForm>) -> AppResult<Response> {
    match save(&ui.caller(), &form).await {
        Ok(_) => Ok(ui.done("/admin/security", Msg::new("安全策略已保存"))),
        Err(crate::error::AppError::Invalid(errors)) => {
            let page = PolicyPage { form, errors: ui.field_errors(&errors), can_write: true };
            ui.render_status(StatusCode::UNPROCESSABLE_ENTITY, "auth/security.html", page)
        }
        Err(e) => Err(e),
    }
}

/// Filters of the login history.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct LoginFilter {
    /// Part of the username.
    pub q: String,
    /// Outcome code.
    pub outcome: String,
    /// From date (inclusive).
    pub from: String,
    /// To date (inclusive).
    pub to: String,
    /// Paging and sorting.
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: Paging,
}

fn login_where(state: &AppState, f: &LoginFilter, sql: &mut Sql) {
    sql.push(" where 1=1");
    if !f.q.trim().is_empty() {
        sql.push(" and username like ").bind_contains(&f.q.trim().to_lowercase());
    }
    if store::outcome_label(&f.outcome) != "其他" {
        sql.push(" and outcome = ").bind(f.outcome.clone());
    }
    let offset = state.clock.offset();
    if let Ok(Some(d)) = optional_date(&f.from) {
        sql.push(" and at >= ").bind(crate::clock::Ts::from_datetime(d.midnight().assume_offset(offset)));
    }
    if let Ok(Some(d)) = optional_date(&f.to) {
        let next = d.next_day().unwrap_or(d).midnight().assume_offset(offset);
        sql.push(" and at < ").bind(crate::clock::Ts::from_datetime(next));
    }
}

#[derive(Serialize)]
struct LoginsPage<L: Serialize> {
    rows: Vec<L>,
    pager: Pager,
    filter: LoginFilter,
    outcomes: Vec<(&'static str, &'static str)>,
    can_export: bool,
}

#[derive(Serialize)]
struct LoginListRow {
    at: String,
    username: String,
    ip: String,
    outcome: &'static str,
    ok: bool,
    user_agent: String,
}

fn outcomes() -> Vec<(&'static str, &'static str)> {
    use store::outcome::*;
    [SUCCESS, BAD_PASSWORD, UNKNOWN_USER, LOCKED, DISABLED, BAD_TOTP, THROTTLED, LOGOUT]
        .iter()
        .map(|c| (*c, store::outcome_label(c)))
        .collect()
}

/// A page of the login history (newest first) and the total, for the security administrator.
pub async fn list_logins(c: &Caller<'_>, f: &LoginFilter) -> AppResult<(Vec<LoginRow>, i64)> {
    c.who.require(Module::Security, Action::Read)?;
    let mut count = Sql::new("select count(*) from login_history");
    login_where(c.state, f, &mut count);
    let total: i64 = c.state.db.scalar(count.build()).await?;
    let mut sql = Sql::new("select id, account_id, username, at, ip, user_agent, outcome from login_history");
    login_where(c.state, f, &mut sql);
    let mut paging = f.paging.clone();
    if paging.sort.is_empty() {
        paging.dir = "desc".into();
    }
    paging.order_and_limit(&mut sql, &[("at", "at")], "id desc");
    Ok((c.state.db.all(sql.build()).await?, total))
}

async fn logins(ui: Ui, Query(f): Query<LoginFilter>) -> AppResult<Response> {
    let (rows, total) = list_logins(&ui.caller(), &f).await?;
    let offset = ui.state.clock.offset();
    let shown = rows.len();
    let rows = rows
        .into_iter()
        .map(|r| LoginListRow {
            at: r.at.display_seconds(offset),
            ok: r.outcome == store::outcome::SUCCESS || r.outcome == store::outcome::LOGOUT,
            outcome: store::outcome_label(&r.outcome),
            username: r.username,
            ip: r.ip,
            user_agent: r.user_agent,
        })
        .collect();
    let mut paging = f.paging.clone();
    if paging.sort.is_empty() {
        paging.dir = "desc".into();
    }
    let page = LoginsPage {
        rows,
        pager: Pager::new(&paging, total, shown),
        filter: f,
        outcomes: outcomes(),
        can_export: ui.user.can(Module::Security, Action::Export),
    };
    ui.render("auth/logins.html", page)
}

/// Most rows in one export.
const EXPORT_LIMIT: i64 = 100_000;

async fn export_logins(ui: Ui, Query(f): Query<LoginFilter>) -> AppResult<Response> {
    ui.require(Module::Security, Action::Export)?;
    let mut sql = Sql::new("select id, account_id, username, at, ip, user_agent, outcome from login_history");
    login_where(&ui.state, &f, &mut sql);
    sql.push(" order by id desc limit ").int(EXPORT_LIMIT);
    let rows: Vec<LoginRow> = ui.state.db.all(sql.build()).await?;
    let offset = ui.state.clock.offset();
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                Cell::from(i as i64 + 1),
                r.at.display_seconds(offset).into(),
                r.username.as_str().into(),
                r.ip.as_str().into(),
                store::outcome_label(&r.outcome).into(),
                r.user_agent.as_str().into(),
            ]
        })
        .collect();
    let bytes =
        export::workbook("登录日志", &["序号", "时间", "用户名", "IP地址", "结果", "浏览器"], &cells)?;
    let c = ui.caller();
    let mut tx = ui.state.db.begin().await?;
    let ev = Event::new("export.login_history", "login_history", "")
        .summary(format!("导出登录日志{}条", rows.len()));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(export::download("登录日志", bytes))
}
