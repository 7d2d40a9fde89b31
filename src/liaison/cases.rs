//! Cases (问题线索 / 社情民意, L2–L6): submission with its analysis and
//! near-duplicate check, the office's dispatch, the unit's handling and reply,
//! the contact point's rating, the clock and the colour.
//!
//! Who sees a case: the office (`Liaison`/Approve), the contact point it came
//! from and the unit it is dispatched to — the read scope is applied to both
//! the point and the handling unit inside every query. The rules of the loop
//! are in [`super::flow`]; this file loads, checks and writes.
//!
//! Submissions from several nodes at once: each takes the year's counter row
//! first (a row lock on PostgreSQL, the write lock on SQLite), which numbers
//! it and orders the near-duplicate checks, so two copies of one complaint
//! sent at the same moment still find each other.

use serde::{Deserialize, Serialize};
use time::Date;

use super::analysis::{self, Analysis, Analyzer};
use super::flow::{self, Given, Parts, Rating, Refusal, State, Step};
use super::neardup;
use super::settings::Limits;
use crate::app::Caller;
use crate::attachments::actions::{self as files, Checked, Owner};
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Principal, Scope, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::deadline::{Colour, Rules, Subject, assess};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::notify::{self, Outgoing};
use crate::search::Kind as DocKind;
use crate::validate::{Check, optional, required};

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
    let office = c.who.can(Module::Liaison, Action::Approve);
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
    let mut sql = Sql::new(SELECT);
    if who.can(Module::Liaison, Action::Approve) {
        sql.push(" where c.state in ('submitted', 'returned', 'arbitration')");
    } else {
        sql.push(" where ((c.handler_id = ")
            .bind(who.unit_id)
            .push(" and c.state = 'dispatched') or (c.point_id = ");
        sql.bind(who.unit_id).push(" and c.state = 'replied'))");
    }
    sql.push(
        " order by case c.colour when 'red' then 0 when 'yellow' then 1 else 2 end, c.risk_level desc, c.id limit 20",
    );
    if !who.can(Module::Liaison, Action::Read) {
        return Ok(Vec::new());
    }
    db.all(sql.build()).await
}

/// A submission as typed (page form, API, import row).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SubmitInput {
    /// Title.
    pub title: String,
    /// What happened, where, since when, what is asked.
    pub content: String,
    /// Place.
    pub place: String,
    /// Category code (optional; the office sets it at dispatch otherwise).
    pub category: String,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// The contact point, when the office or a channel submits for one (default: the person's own unit).
    pub point_id: String,
}

/// A submission that passed its checks, before the store.
pub struct Submission {
    title: String,
    content: String,
    place: String,
    category: String,
    urgency: String,
    point: (i64, String),
}

/// Checks a submission: fields, the contact point and the person's right to submit for it.
pub async fn check_submission(c: &Caller<'_>, input: &SubmitInput) -> AppResult<Submission> {
    let db = &c.state.db;
    let write = c.who.require(Module::Liaison, Action::Write)?;
    let mut check = Check::default();
    let title = check.take("title", required(&input.title, 100));
    let content = check.take("content", required(&input.content, 5000));
    if content.as_ref().is_some_and(|t| t.chars().count() < 5) {
        check.fail("content", Msg::new("请把问题写具体一些（至少5个字）"));
    }
    let place = check.take("place", optional(&input.place, 200));
    let urgency =
        if input.urgency.trim().is_empty() { "normal".to_string() } else { input.urgency.trim().to_string() };
    if !URGENCY.iter().any(|(k, _)| *k == urgency) {
        check.fail("urgency", Msg::new("请选择紧急程度"));
    }
    let category = input.category.trim().to_string();
    if !category.is_empty() && !crate::dicts::store::is_enabled(db, "submission_category", &category).await? {
        check.fail("category", Msg::new("类别不存在或已停用"));
    }
    let point_id = match input.point_id.trim() {
        "" => Some(c.who.unit_id),
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                check.fail("point_id", Msg::new("请选择联系点"));
                None
            }
        },
    };
    let mut point = None;
    if let Some(id) = point_id {
        let row: Option<(String, String)> = db
            .opt(
                Query::new(
                    "select u.path, p.status from units u join liaison_points p on p.unit_id = u.id \
                     where u.id = $1 and u.status = 'active'",
                )
                .bind(id),
            )
            .await?;
        match row {
            None => check.fail("point_id", Msg::new("只有登记在册的联系点才能报送问题")),
            Some((_, status)) if status != "active" => check.fail("point_id", Msg::new("该联系点已暂停报送")),
            Some((path, _)) => {
                if !write.allows(Target { unit_id: id, unit_path: &path, owner_id: None }) {
                    return Err(AppError::Forbidden);
                }
                point = Some((id, path));
            }
        }
    }
    let (title, content, place, point) = check.finish(|| Some((title?, content?, place?, point?)))?;
    Ok(Submission { title, content, place, category, urgency, point })
}

/// A case's area: the county or department it sits under (the second level of the tree).
pub fn area_of(point_id: i64, path: &str) -> i64 {
    path.split('/').filter(|s| !s.is_empty()).nth(1).and_then(|s| s.parse().ok()).unwrap_or(point_id)
}

/// ISO week code (2026 * 100 + week) and month code of a day.
pub fn week_and_month(d: Date) -> (i64, i64) {
    let (y, w, _) = d.to_iso_week_date();
    (i64::from(y) * 100 + i64::from(w), i64::from(d.year()) * 100 + i64::from(u8::from(d.month())))
}

/// The best earlier match of a signature among the cases sharing a band with it.
pub async fn find_duplicate(tx: &mut Tx, sig: &neardup::Signature) -> DbResult<Option<(i64, f32)>> {
    let bands = neardup::bands(sig);
    let mut sql = Sql::new(
        "select c.id, c.signature, c.merged_into from liaison_cases c where c.id in \
         (select b.case_id from liaison_bands b where b.band in ",
    );
    sql.bind_list(bands.iter().copied()).push(" order by b.case_id desc limit 200)");
    let rows: Vec<(i64, Option<Vec<u8>>, Option<i64>)> = tx.all(sql.build()).await?;
    let best = rows
        .into_iter()
        .filter_map(|(id, bytes, merged)| {
            let s = neardup::similarity(sig, &analysis::signature_of(bytes.as_deref()?)?);
            // A match that was merged points at the case that carries on.
            (s >= neardup::THRESHOLD).then_some((merged.unwrap_or(id), s))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    Ok(best)
}

/// Takes the next tracking number of a year; holds the counter row until commit.
async fn next_number(tx: &mut Tx, year: i64) -> DbResult<String> {
    tx.exec(
        Query::new("insert into liaison_counters (year, n) values ($1, 0) on conflict (year) do nothing")
            .bind(year),
    )
    .await?;
    let n: i64 = tx
        .scalar(Query::new("update liaison_counters set n = n + 1 where year = $1 returning n").bind(year))
        .await?;
    Ok(format!("JC{year}{n:06}"))
}

/// What a submission produced.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    /// Id.
    pub id: i64,
    /// Tracking number.
    pub no: String,
    /// The earlier case it looks like, if any.
    pub dup_of: Option<i64>,
    /// Suggested category.
    pub suggested: Option<String>,
    /// Risk level found (0 none).
    pub risk_level: i64,
}

/// Records a checked submission with its analysis, in one transaction.
pub async fn submit(
    c: &Caller<'_>,
    input: Submission,
    files_in: &[Checked],
    channel: &str,
    submitted_at: Option<Ts>,
) -> AppResult<Submitted> {
    let analyzer = Analyzer::current(c.state).await?;
    let a = analyzer.analyse(&input.title, &input.content);
    let at = submitted_at.unwrap_or(c.now);
    let mut tx = c.state.db.begin().await?;
    let s = insert(&mut tx, c, &input, &a, channel, at).await?;
    for f in files_in {
        files::save(c, &mut tx, f, &Owner { kind: "liaison_case".into(), id: s.id.to_string() }).await?;
    }
    if s.risk_level >= 2 {
        let office = office_accounts(&mut tx).await?;
        let title = format!("舆情风险提示：{}", input.title);
        let body = format!("{}（{}）", a.risk_words.join("、"), risk_label(s.risk_level));
        let link = format!("/liaison/cases/{}", s.id);
        let out: Vec<(i64, Outgoing<'_>)> = office
            .into_iter()
            .map(|a| (a, Outgoing { kind: "liaison_risk", title: &title, body: &body, link: &link }))
            .collect();
        notify::send_many(&mut tx, &out, c.now).await?;
    }
    tx.commit().await?;
    Ok(s)
}

/// The label of a stored risk level.
pub fn risk_label(level: i64) -> &'static str {
    super::words::Risk::from_level(level).map_or("", |r| r.label())
}

/// Accounts of the research office (they dispatch, arbitrate and hear of risks).
async fn office_accounts(tx: &mut Tx) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = tx
        .all(Query::new(
            "select distinct ar.account_id from account_roles ar join role_permissions p on p.role_id = ar.role_id \
             join accounts a on a.id = ar.account_id \
             where p.module = 'liaison' and p.action = 'approve' and a.status = 'active'",
        ))
        .await?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// Inserts a case with its analysis, bands, first step, search entry and audit record.
async fn insert(
    tx: &mut Tx,
    c: &Caller<'_>,
    input: &Submission,
    a: &Analysis,
    channel: &str,
    at: Ts,
) -> AppResult<Submitted> {
    let day = at.to_offset(c.state.clock.offset()).date();
    let year = i64::from(day.year());
    let no = next_number(tx, year).await?;
    let dup = find_duplicate(tx, &a.signature).await?;
    let (week, month) = week_and_month(day);
    let risk_level = a.risk.map_or(0, |r| r as i64);
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into liaison_cases (no, year, month, week, point_id, area_id, channel, title, content, place, \
                 urgency, category, suggested, confidence, suggested_by, keywords, risk_level, risk_words, signature, \
                 dup_of, dup_score, state, submitted_on, created_by, created_at, updated_at) values \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
                 'submitted', $22, $23, $24, $24) returning id",
            )
            .bind(no.as_str())
            .bind(year)
            .bind(month)
            .bind(week)
            .bind(input.point.0)
            .bind(area_of(input.point.0, &input.point.1))
            .bind(channel)
            .bind(input.title.as_str())
            .bind(input.content.as_str())
            .bind(input.place.as_str())
            .bind(input.urgency.as_str())
            .bind(input.category.as_str())
            .bind(a.suggested.clone().unwrap_or_default())
            .bind(a.confidence.map(f64::from))
            .bind(a.suggested_by)
            .bind(a.keywords.join(" "))
            .bind(risk_level)
            .bind(a.risk_words.join(" "))
            .bind(analysis::signature_bytes(&a.signature))
            .bind(dup.map(|d| d.0))
            .bind(dup.map(|d| f64::from(d.1)))
            .bind(day)
            .bind(c.account())
            .bind(at),
        )
        .await?;
    let mut bands = Sql::new("insert into liaison_bands (band, case_id) values ");
    for (i, b) in neardup::bands(&a.signature).iter().enumerate() {
        bands.push(if i == 0 { "(" } else { ", (" }).bind(*b).push(", ").bind(id).push(")");
    }
    bands.push(" on conflict do nothing");
    tx.exec(bands.build()).await?;
    event(tx, id, "submit", "", State::Submitted, None, "", channel, c.account(), at).await?;
    let seg = crate::text::segmenter(&c.state.db).await?;
    crate::search::index::refresh(tx, &seg, DocKind::Submission, &[id], c.now).await?;
    let ev = Event::new("liaison.submit", "liaison_case", id)
        .summary(format!("联系点报送“{}”（{no}）", input.title))
        .after(&serde_json::json!({ "point": input.point.0, "channel": channel, "dup_of": dup.map(|d| d.0), "risk": risk_level }));
    audit::append(tx, c.now, &c.actor, &ev).await?;
    Ok(Submitted { id, no, dup_of: dup.map(|d| d.0), suggested: a.suggested.clone(), risk_level })
}

#[expect(clippy::too_many_arguments, reason = "one row of the history: every column is its own argument")]
async fn event(
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

/// A step as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    /// `dispatch`, `transfer`, `accept`, `act`, `return`, `reply`, `rate`, `merge`.
    pub step: String,
    /// The unit (dispatch, transfer).
    pub unit_id: String,
    /// Category code (dispatch: required unless the case has one).
    pub category: String,
    /// Coded reason (return, transfer).
    pub reason: String,
    /// Words: the reply, the action, the reason for 不满意, a comment.
    pub text: String,
    /// The outcome (reply): `solved`, `partly`, `explained`.
    pub solved: String,
    /// The rating (rate): `satisfied`, `basically`, `unsatisfied`.
    pub rating: String,
    /// The case to merge into (merge).
    pub into: String,
}

fn parse_step(input: &StepInput) -> AppResult<Step> {
    Ok(match input.step.as_str() {
        "dispatch" => Step::Dispatch,
        "transfer" => Step::Transfer,
        "accept" => Step::Accept,
        "act" => Step::Act,
        "return" => Step::Return,
        "reply" => Step::Reply,
        "rate" => Step::Rate(Rating::parse(&input.rating).ok_or_else(|| {
            AppError::Invalid(FieldErrors::one("rating", Msg::new("请选择满意、基本满意或不满意")))
        })?),
        "merge" => Step::Merge,
        _ => return Err(AppError::BadRequest(Msg::new("未知的操作"))),
    })
}

/// Where a refusal belongs: beside a field, or as a conflict.
fn refusal(r: Refusal, state: State, step: Step) -> AppError {
    let m = r.message(state, step);
    match r {
        Refusal::Reason => AppError::Invalid(FieldErrors::one("reason", m)),
        Refusal::Text => AppError::Invalid(FieldErrors::one("text", m)),
        Refusal::Party => AppError::Forbidden,
        Refusal::State => AppError::Conflict(m),
    }
}

/// The unit a case is dispatched or transferred to: active, and not a contact point.
async fn target_unit(db: &Db, raw: &str) -> AppResult<i64> {
    let bad = |m| AppError::Invalid(FieldErrors::one("unit_id", Msg::new(m)));
    let id: i64 = raw.trim().parse().map_err(|_| bad("请选择承办单位"))?;
    let kind: Option<(String,)> =
        db.opt(Query::new("select kind from units where id = $1 and status = 'active'").bind(id)).await?;
    match kind {
        None => Err(bad("承办单位不存在或已停用")),
        Some((k,)) if k == "contact_point" => Err(bad("不能交办给联系点")),
        Some(_) => Ok(id),
    }
}

/// Takes a step on a case.
pub async fn step(c: &Caller<'_>, id: i64, input: &StepInput) -> AppResult<State> {
    let case = visible(c, id).await?;
    let step = parse_step(input)?;
    let text = input.text.trim();
    if text.chars().count() > 2000 {
        return Err(FieldErrors::one("text", Msg::new("不能超过{max}个字").arg("max", 2000)).into());
    }
    let who = parts(c, &case);
    let from = case.state();
    let to = flow::next(from, step, who, Given { reason: input.reason.trim(), text, returns: case.returns })
        .map_err(|r| refusal(r, from, step))?;
    let db = &c.state.db;
    let limits = Limits::load(db).await?;
    let today = c.today();
    let mut unit = None;
    let mut merge_target = None;
    let mut set = Sql::new("update liaison_cases set state = ");
    set.bind(to.code()).push(", updated_at = ").bind(c.now);
    match step {
        Step::Dispatch | Step::Transfer => {
            let u = target_unit(db, &input.unit_id).await?;
            if step == Step::Transfer && Some(u) == case.handler_id {
                return Err(FieldErrors::one("unit_id", Msg::new("请选择另一个承办单位")).into());
            }
            let category = match input.category.trim() {
                "" => case.category.clone(),
                given => given.to_string(),
            };
            if category.is_empty() {
                return Err(FieldErrors::one("category", Msg::new("交办前请确定问题类别")).into());
            }
            if !crate::dicts::store::is_enabled(db, "submission_category", &category).await? {
                return Err(FieldErrors::one("category", Msg::new("类别不存在或已停用")).into());
            }
            unit = Some(u);
            set.push(", handler_id = ").bind(u).push(", category = ").bind(category.clone());
            if case.dispatched_at.is_none() {
                // The clock starts now and no later step moves it (see `flow`).
                let due = limits.due(today, limits.days_for(&category, case.urgency == "urgent"));
                set.push(", dispatched_at = ").bind(c.now).push(", dispatched_on = ").bind(today);
                set.push(", due_on = ").bind(due);
            }
        }
        Step::Accept => {
            if case.accepted_at.is_some() {
                return Err(AppError::Conflict(Msg::new("已签收")));
            }
            set.push(", accepted_at = ").bind(c.now);
        }
        Step::Act => {}
        Step::Return => {
            unit = case.handler_id;
            set.push(", returns = returns + 1, handler_id = null, accepted_at = null");
        }
        Step::Reply => {
            if !flow::SOLVED.iter().any(|(k, _)| *k == input.solved) {
                return Err(FieldErrors::one("solved", Msg::new("请选择办理结果")).into());
            }
            set.push(", reply = ").bind(text.to_string()).push(", solved = ").bind(input.solved.clone());
            set.push(", replied_at = ").bind(c.now).push(", replied_on = ").bind(today);
            if case.on_time.is_none() {
                let on_time = case.due_on.is_none_or(|d| today <= d);
                set.push(", first_replied_on = ").bind(today).push(", on_time = ").bind(i64::from(on_time));
            }
        }
        Step::Rate(r) => {
            set.push(", rating = ").bind(r.code()).push(", rating_reason = ").bind(text.to_string());
            set.push(", rated_at = ").bind(c.now);
            if r == Rating::Unsatisfied {
                // A new round: the unit gets a fresh limit from today.
                let due = limits.due(today, limits.days_for(&case.category, case.urgency == "urgent"));
                set.push(", reopens = reopens + 1, due_on = ").bind(due);
                set.push(", dispatched_on = ").bind(today);
            } else {
                set.push(", closed_at = ").bind(c.now).push(", closed_on = ").bind(today);
                set.push(", close_reason = 'accepted'");
            }
        }
        Step::Merge => {
            let into: i64 =
                input.into.trim().trim_start_matches('#').parse().map_err(|_| {
                    AppError::Invalid(FieldErrors::one("into", Msg::new("请选择要并入的案件")))
                })?;
            let target = visible(c, into).await?;
            if target.id == case.id || !target.state().open() {
                return Err(FieldErrors::one("into", Msg::new("只能并入另一件未办结的案件")).into());
            }
            set.push(", merged_into = ").bind(target.id).push(", closed_at = ").bind(c.now);
            set.push(", closed_on = ").bind(today).push(", close_reason = 'merged'");
            merge_target = Some(target);
        }
        Step::Lapse => return Err(AppError::Forbidden),
    }
    // The state in the row must still be the one read: two people acting at once get one winner.
    set.push(" where id = ").bind(id).push(" and state = ").bind(from.code());
    let mut tx = db.begin().await?;
    if tx.exec(set.build()).await? == 0 {
        return Err(AppError::Conflict(Msg::new("案件已被他人处理，请刷新后重试")));
    }
    let reason = match step {
        Step::Rate(r) => r.code().to_string(),
        Step::Reply => input.solved.clone(),
        _ => input.reason.trim().to_string(),
    };
    event(&mut tx, id, step.code(), from.code(), to, unit, &reason, text, c.account(), c.now).await?;
    if let Some(t) = &merge_target {
        let note = format!("并入重复件{}", case.no);
        event(&mut tx, t.id, "merged_in", t.state().code(), t.state(), None, "", &note, c.account(), c.now)
            .await?;
    }
    let rules = crate::deadline::settings::rules(db, FEATURE).await?;
    refresh(&mut tx, Some(&[id]), &rules, today).await?;
    tell(&mut tx, c, &case, step, to, unit).await?;
    let ev = Event::new(audit_action(step), "liaison_case", id)
        .summary(format!("{}“{}”：{} → {}", flow::step_label(step), case.no, from.label(), to.label()))
        .after(&serde_json::json!({ "unit": unit, "reason": reason, "text": text }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(to)
}

fn audit_action(step: Step) -> &'static str {
    match step {
        Step::Dispatch => "liaison.dispatch",
        Step::Transfer => "liaison.transfer",
        Step::Accept => "liaison.accept",
        Step::Act => "liaison.act",
        Step::Return => "liaison.return",
        Step::Reply => "liaison.reply",
        Step::Rate(_) => "liaison.rate",
        Step::Lapse => "liaison.lapse",
        Step::Merge => "liaison.merge",
    }
}

/// Tells the people the next move belongs to.
async fn tell(
    tx: &mut Tx,
    c: &Caller<'_>,
    case: &Case,
    step: Step,
    to: State,
    unit: Option<i64>,
) -> DbResult<()> {
    let link = format!("/liaison/cases/{}", case.id);
    let (accounts, title): (Vec<i64>, String) = match (step, to) {
        (Step::Dispatch | Step::Transfer, _) | (Step::Rate(Rating::Unsatisfied), _) => {
            let u = unit.or(case.handler_id).unwrap_or_default();
            (unit_accounts(tx, u).await?, format!("请办理基层问题：{}", case.title))
        }
        (Step::Reply, _) => {
            (unit_accounts(tx, case.point_id).await?, format!("您报送的问题已答复，请评价：{}", case.title))
        }
        (Step::Return, State::Arbitration) => {
            (office_accounts(tx).await?, format!("问题两次被退回，请仲裁：{}", case.title))
        }
        (Step::Return, _) => (office_accounts(tx).await?, format!("问题被退回，请重新交办：{}", case.title)),
        _ => return Ok(()),
    };
    let out: Vec<(i64, Outgoing<'_>)> = accounts
        .into_iter()
        .filter(|a| Some(*a) != c.account())
        .map(|a| (a, Outgoing { kind: "liaison", title: &title, body: &case.no, link: &link }))
        .collect();
    notify::send_many(tx, &out, c.now).await
}

/// Active accounts of a unit that may write in the liaison module.
async fn unit_accounts(tx: &mut Tx, unit: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = tx
        .all(
            Query::new(
                "select distinct a.id from accounts a join account_roles ar on ar.account_id = a.id \
                 join role_permissions p on p.role_id = ar.role_id \
                 where a.unit_id = $1 and a.status = 'active' and p.module = 'liaison' and p.action = 'write'",
            )
            .bind(unit),
        )
        .await?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// What the colour of a case is computed from.
#[derive(sqlx::FromRow)]
struct ColourRow {
    id: i64,
    state: String,
    submitted_on: Date,
    dispatched_on: Option<Date>,
    due_on: Option<Date>,
    replied_on: Option<Date>,
    closed_on: Option<Date>,
    colour: String,
    colour_reason: String,
}

/// Recomputes case colours (every running case when `ids` is none) with the
/// shared deadline engine, inside the caller's transaction; returns how many changed.
pub async fn refresh(tx: &mut Tx, ids: Option<&[i64]>, rules: &Rules, today: Date) -> DbResult<usize> {
    let mut sql = Sql::new(
        "select id, state, submitted_on, dispatched_on, due_on, replied_on, closed_on, colour, colour_reason \
         from liaison_cases",
    );
    match ids {
        Some(ids) => {
            sql.push(" where id in ").bind_list(ids.iter().copied());
        }
        None => {
            sql.push(" where state in ('dispatched', 'returned', 'arbitration')");
        }
    }
    let rows: Vec<ColourRow> = tx.all(sql.build()).await?;
    let mut changed = 0;
    for r in rows {
        let state = State::parse(&r.state).unwrap_or(State::Submitted);
        let finished_on = match state {
            State::Replied => r.replied_on,
            State::Closed | State::Merged => r.closed_on.or(Some(today)),
            _ => None,
        };
        let a = assess(
            &Subject {
                finished_on,
                start: r.dispatched_on.unwrap_or(r.submitted_on),
                deadline: r.due_on,
                progress: None,
                milestones: &[],
            },
            rules,
            today,
        );
        let reason = if r.due_on.is_none() && finished_on.is_none() {
            "待交办".to_string()
        } else {
            a.reason_text()
        };
        if a.colour.code() != r.colour || reason != r.colour_reason {
            tx.exec(
                Query::new("update liaison_cases set colour = $1, colour_reason = $2 where id = $3")
                    .bind(a.colour.code())
                    .bind(reason)
                    .bind(r.id),
            )
            .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Closes replied cases nobody rated within the rating period (the daily run).
pub async fn lapse(db: &Db, now: Ts, today: Date) -> DbResult<usize> {
    let limits = Limits::load(db).await?;
    let cutoff = today - time::Duration::days(limits.rating_days);
    let due: Vec<(i64,)> = db
        .all(
            Query::new("select id from liaison_cases where state = 'replied' and replied_on <= $1")
                .bind(cutoff),
        )
        .await?;
    let mut tx = db.begin().await?;
    for (id,) in &due {
        let who = Parts { system: true, ..Parts::default() };
        if flow::next(State::Replied, Step::Lapse, who, Given::default()).is_err() {
            continue;
        }
        tx.exec(
            Query::new(
                "update liaison_cases set state = 'closed', closed_at = $1, closed_on = $2, close_reason = 'lapsed', \
                 colour = 'blue', updated_at = $1 where id = $3 and state = 'replied'",
            )
            .bind(now)
            .bind(today)
            .bind(*id),
        )
        .await?;
        let note = format!("{}天内未评价，自动办结", limits.rating_days);
        event(&mut tx, *id, "lapse", "replied", State::Closed, None, "", &note, None, now).await?;
    }
    if !due.is_empty() {
        let ev = Event::new("liaison.lapse", "liaison_case", 0)
            .summary(format!("{}件已答复案件超过评价期限，自动办结", due.len()));
        audit::append(&mut tx, now, &crate::audit::Actor::system("daily"), &ev).await?;
    }
    tx.commit().await?;
    Ok(due.len())
}
