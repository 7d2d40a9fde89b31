//! Cases (问题线索 / 社情民意, L2–L6): what a case is, who sees it, the
//! lists and the history. Submission is in [`super::submit`], the steps of
//! the loop and the colour in [`super::steps`].
//!
//! Who sees a case: the contact point it came from and the unit it is
//! dispatched to — the read scope is applied to both the point and the
//! handling unit inside every query; the research office holds a read scope
//! over all of them.

use serde::{Deserialize, Serialize};
use time::Date;

use super::flow::{Parts, State};
use crate::app::Caller;
use crate::authz::{Action, Module, Principal, Scope, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::deadline::Colour;
use crate::error::{AppError, AppResult};

/// The colour rules' feature code.
pub const FEATURE: &str = "liaison";

/// Urgency codes.
pub const URGENCY: &[(&str, &str)] = &[("normal", "一般"), ("urgent", "紧急")];

/// Channels a case arrives by.
pub const CHANNELS: &[(&str, &str)] = &[("form", "联系点报送"), ("api", "接口接入"), ("import", "历史导入")];

/// How a case closed.
pub const CLOSE_REASONS: &[(&str, &str)] =
    &[("accepted", "联系点认可"), ("lapsed", "逾期未评价自动办结"), ("merged", "合并办理")];

/// Photos and files one submission may carry.
pub const MAX_FILES: usize = 6;

/// A case as lists and the detail page show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Case {
    /// Id.
    pub id: i64,
    /// Tracking number (受理编号).
    pub no: String,
    /// The contact point.
    pub point_id: i64,
    /// Its name.
    pub point_name: String,
    /// Its path.
    #[serde(skip)]
    pub point_path: String,
    /// County or department above it.
    pub area_id: i64,
    /// How it arrived.
    pub channel: String,
    /// Title.
    pub title: String,
    /// What was reported.
    pub content: String,
    /// Where.
    pub place: String,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// Category code (given, or set by the office at dispatch).
    pub category: String,
    /// Suggested category code.
    pub suggested: String,
    /// Confidence of the suggestion.
    pub confidence: Option<f64>,
    /// `model` or `rules`.
    pub suggested_by: String,
    /// Keywords, space separated.
    pub keywords: String,
    /// 0 none, 1 关注, 2 预警, 3 高危.
    pub risk_level: i64,
    /// Risk words, space separated.
    pub risk_words: String,
    /// The earlier case it looks like.
    pub dup_of: Option<i64>,
    /// How alike (0–1).
    pub dup_score: Option<f64>,
    /// The case it was merged into.
    pub merged_into: Option<i64>,
    /// State code.
    pub state: String,
    /// The unit handling it.
    pub handler_id: Option<i64>,
    /// Its name.
    pub handler_name: Option<String>,
    /// Its path.
    #[serde(skip)]
    pub handler_path: Option<String>,
    /// First dispatched (the clock starts here).
    pub dispatched_at: Option<Ts>,
    /// Due.
    pub due_on: Option<Date>,
    /// Signed for by the unit.
    pub accepted_at: Option<Ts>,
    /// Latest reply.
    pub replied_at: Option<Ts>,
    /// Was the first reply on time?
    pub on_time: Option<bool>,
    /// The reply.
    pub reply: String,
    /// `solved`, `partly`, `explained`.
    pub solved: String,
    /// Latest rating code.
    pub rating: String,
    /// Why 不满意.
    pub rating_reason: String,
    /// Returns so far.
    pub returns: i64,
    /// Reopened after 不满意.
    pub reopens: i64,
    /// Closed.
    pub closed_at: Option<Ts>,
    /// How it closed.
    pub close_reason: String,
    /// Colour code.
    pub colour: String,
    /// Why.
    pub colour_reason: String,
    /// Submitted by.
    pub created_by: Option<i64>,
    /// Submitted at.
    pub created_at: Ts,
}

impl Case {
    /// The state.
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Submitted)
    }

    fn point(&self) -> Target<'_> {
        Target { unit_id: self.point_id, unit_path: &self.point_path, owner_id: self.created_by }
    }

    fn handler(&self) -> Option<Target<'_>> {
        Some(Target { unit_id: self.handler_id?, unit_path: self.handler_path.as_deref()?, owner_id: None })
    }
}

const SELECT: &str = "select c.id, c.no, c.point_id, p.name as point_name, p.path as point_path, c.area_id, c.channel, \
     c.title, c.content, c.place, c.urgency, c.category, c.suggested, c.confidence, c.suggested_by, c.keywords, \
     c.risk_level, c.risk_words, c.dup_of, c.dup_score, c.merged_into, c.state, c.handler_id, h.name as handler_name, \
     h.path as handler_path, c.dispatched_at, c.due_on, c.accepted_at, c.replied_at, \
     case when c.on_time is null then null when c.on_time = 1 then true else false end as on_time, \
     c.reply, c.solved, c.rating, c.rating_reason, c.returns, c.reopens, c.closed_at, c.close_reason, c.colour, \
     c.colour_reason, c.created_by, c.created_at \
     from liaison_cases c join units p on p.id = c.point_id left join units h on h.id = c.handler_id";

/// Appends `and (…)`: cases whose contact point or handling unit is in the read scope.
pub fn push_visible(sql: &mut Sql, scope: &Scope) {
    if scope.is_all() {
        return;
    }
    sql.push(" and (");
    scope.filter(sql, "c.point_id", Some("c.created_by"));
    sql.push(" or ");
    scope.filter(sql, "c.handler_id", None);
    sql.push(")");
}

/// What the person is to a case.
pub fn parts(c: &Caller<'_>, case: &Case) -> Parts {
    let approve = c.who.scope(Module::Liaison, Action::Approve);
    let office = approve.allows(case.point()) || case.handler().is_some_and(|t| approve.allows(t));
    let write = c.who.scope(Module::Liaison, Action::Write);
    let handler = case.handler().is_some_and(|t| write.allows(t)) && !office;
    let point = case.point_id == c.who.unit_id && write.allows(case.point());
    Parts { office, handler, point, system: false }
}

/// Loads a case the caller may see.
pub async fn visible(c: &Caller<'_>, id: i64) -> AppResult<Case> {
    let scope = c.who.require(Module::Liaison, Action::Read)?;
    let mut sql = Sql::new(SELECT);
    sql.push(" where c.id = ").bind(id);
    let case: Case = c.state.db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    if scope.allows(case.point()) || case.handler().is_some_and(|t| scope.allows(t)) {
        Ok(case)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The list's filter.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Filter {
    /// State code, or `open` for every open case, `office` for what waits for the office.
    pub state: String,
    /// Category code.
    pub category: String,
    /// Colour code.
    pub colour: String,
    /// Minimum risk level (1–3).
    pub risk: String,
    /// Only possible duplicates.
    pub dup: String,
    /// Area (county or department) id.
    pub area: String,
    /// Contact point id.
    pub point: String,
    /// Handling unit id.
    pub handler: String,
    /// Month `2026-11`.
    pub month: String,
    /// Words in the title.
    pub q: String,
    /// Page (50 rows each).
    pub page: String,
}

/// Rows per page of the case list.
pub const PER_PAGE: i64 = 50;

fn month_code(raw: &str) -> Option<i64> {
    let (y, m) = raw.trim().split_once('-')?;
    let (y, m): (i64, i64) = (y.parse().ok()?, m.parse().ok()?);
    ((2000..=2100).contains(&y) && (1..=12).contains(&m)).then_some(y * 100 + m)
}

fn push_filter(sql: &mut Sql, f: &Filter) {
    match f.state.as_str() {
        "open" => {
            sql.push(" and c.state in ('submitted', 'dispatched', 'returned', 'arbitration', 'replied')");
        }
        "office" => {
            sql.push(" and c.state in ('submitted', 'returned', 'arbitration')");
        }
        s if State::parse(s).is_some() => {
            sql.push(" and c.state = ").bind(s.to_string());
        }
        _ => {}
    }
    if !f.category.trim().is_empty() {
        sql.push(" and c.category = ").bind(f.category.trim().to_string());
    }
    if Colour::parse(&f.colour).is_some() {
        sql.push(" and c.colour = ").bind(f.colour.clone());
    }
    if let Ok(r) = f.risk.trim().parse::<i64>()
        && (1..=3).contains(&r)
    {
        sql.push(" and c.risk_level >= ").bind(r);
    }
    if f.dup == "1" {
        sql.push(" and c.dup_of is not null and c.state <> 'merged'");
    }
    for (raw, col) in [
        (&f.area, " and c.area_id = "),
        (&f.point, " and c.point_id = "),
        (&f.handler, " and c.handler_id = "),
    ] {
        if let Ok(id) = raw.trim().parse::<i64>() {
            sql.push(col).bind(id);
        }
    }
    if let Some(m) = month_code(&f.month) {
        sql.push(" and c.month = ").bind(m);
    }
    let q = f.q.trim();
    if !q.is_empty() {
        sql.push(" and c.title like ").bind_contains(q);
    }
}

/// One page of the cases the person may see, newest first, and whether more follow.
pub async fn list(db: &Db, who: &Principal, f: &Filter) -> DbResult<(Vec<Case>, bool)> {
    let page = f.page.trim().parse::<i64>().ok().filter(|p| (1..=10_000).contains(p)).unwrap_or(1);
    let mut sql = Sql::new(SELECT);
    sql.push(" where 1=1");
    push_filter(&mut sql, f);
    push_visible(&mut sql, &who.scope(Module::Liaison, Action::Read));
    sql.push(" order by c.id desc limit ").int(PER_PAGE + 1).push(" offset ").int((page - 1) * PER_PAGE);
    let mut rows: Vec<Case> = db.all(sql.build()).await?;
    let more = rows.len() as i64 > PER_PAGE;
    rows.truncate(PER_PAGE as usize);
    Ok((rows, more))
}

/// Every case matching the filter (for the ledger export), newest first, at most `limit`.
pub async fn all(db: &Db, who: &Principal, f: &Filter, limit: i64) -> DbResult<Vec<Case>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where 1=1");
    push_filter(&mut sql, f);
    push_visible(&mut sql, &who.scope(Module::Liaison, Action::Export));
    sql.push(" order by c.id desc limit ").int(limit);
    db.all(sql.build()).await
}

/// Open cases waiting for a person's unit (their 工作台), worst colour first.
pub async fn waiting_for(db: &Db, who: &Principal) -> DbResult<Vec<Case>> {
    if !who.can(Module::Liaison, Action::Read) {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(SELECT);
    if who.can(Module::Liaison, Action::Approve) {
        sql.push(" where c.state in ('submitted', 'returned', 'arbitration')");
        // The office's own reach, not everything: a role may approve for some units only.
        push_visible(&mut sql, &who.scope(Module::Liaison, Action::Approve));
    } else {
        sql.push(" where ((c.handler_id = ")
            .bind(who.unit_id)
            .push(" and c.state = 'dispatched') or (c.point_id = ");
        sql.bind(who.unit_id).push(" and c.state = 'replied'))");
    }
    sql.push(
        " order by case c.colour when 'red' then 0 when 'yellow' then 1 else 2 end, c.risk_level desc, c.id limit 20",
    );
    db.all(sql.build()).await
}

/// The label of a stored risk level.
pub fn risk_label(level: i64) -> &'static str {
    super::words::Risk::from_level(level).map_or("", |r| r.label())
}

/// Accounts of the research office (they dispatch, arbitrate and hear of risks).
pub(super) async fn office_accounts(tx: &mut Tx) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = tx
        .all(Query::new(
            "select distinct ar.account_id from account_roles ar join role_permissions p on p.role_id = ar.role_id \
             join accounts a on a.id = ar.account_id \
             where p.module = 'liaison' and p.action = 'approve' and a.status = 'active'",
        ))
        .await?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// Appends one step to a case's history.
#[expect(clippy::too_many_arguments, reason = "one row of the history: every column is its own argument")]
pub(super) async fn event(
    tx: &mut Tx,
    case_id: i64,
    action: &str,
    from: &str,
    to: State,
    unit: Option<i64>,
    reason: &str,
    comment: &str,
    by: Option<i64>,
    at: Ts,
) -> DbResult<()> {
    tx.exec(
        Query::new(
            "insert into liaison_events (case_id, action, from_state, to_state, unit_id, reason, comment, by_id, at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(case_id)
        .bind(action)
        .bind(from)
        .bind(to.code())
        .bind(unit)
        .bind(reason)
        .bind(comment)
        .bind(by)
        .bind(at),
    )
    .await?;
    Ok(())
}

/// One step of a case's history.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HistoryRow {
    /// Step code.
    pub action: String,
    /// Before.
    pub from_state: String,
    /// After.
    pub to_state: String,
    /// The unit it went to (dispatch, transfer) or came from (return).
    pub unit_name: Option<String>,
    /// Coded reason, or the rating.
    pub reason: String,
    /// Words.
    pub comment: String,
    /// By.
    pub by_name: String,
    /// At.
    pub at: Ts,
}

/// A case's history, oldest first.
pub async fn history(db: &Db, id: i64) -> DbResult<Vec<HistoryRow>> {
    db.all(
        Query::new(
            "select e.action, e.from_state, e.to_state, u.name as unit_name, e.reason, e.comment, \
             coalesce(a.display_name, '') as by_name, e.at from liaison_events e \
             left join units u on u.id = e.unit_id left join accounts a on a.id = e.by_id \
             where e.case_id = $1 order by e.id",
        )
        .bind(id),
    )
    .await
}

/// Other cases that look like this one (its match, and those matching it), visible ones only.
pub async fn duplicates(db: &Db, who: &Principal, case: &Case) -> DbResult<Vec<Case>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where c.id <> ").bind(case.id).push(" and (c.dup_of = ").bind(case.id);
    if let Some(d) = case.dup_of {
        sql.push(" or c.id = ").bind(d).push(" or c.dup_of = ").bind(d);
    }
    sql.push(" or c.merged_into = ").bind(case.id).push(")");
    push_visible(&mut sql, &who.scope(Module::Liaison, Action::Read));
    sql.push(" order by c.id limit 50");
    db.all(sql.build()).await
}
