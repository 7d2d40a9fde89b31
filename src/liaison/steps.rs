//! The steps of the loop (L4–L6) as the store applies them: the office
//! dispatches, transfers and merges; the unit signs for, acts, returns and
//! replies; the contact point rates; the daily run closes unrated replies.
//! [`super::flow`] decides whether a step may be taken; this file checks what
//! the step carries (the unit, the category, the outcome), writes it in one
//! transaction with the history row, the colour, the notices and the audit
//! record, and sets the clock: the deadline at the first dispatch, a new one
//! only when 不满意 reopens the case.

use serde::{Deserialize, Serialize};
use time::Date;

use super::cases::{Case, FEATURE, event, office_accounts, parts, visible};
use super::flow::{self, Given, Parts, Rating, Refusal, State, Step};
use super::settings::Limits;
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::deadline::{Rules, Subject, assess};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::notify::{self, Outgoing};

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
    // The daily run may close a replied case; the loop's rules say so once for all of them.
    let system = Parts { system: true, ..Parts::default() };
    if flow::next(State::Replied, Step::Lapse, system, Given::default()).is_err() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    for (id,) in &due {
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
