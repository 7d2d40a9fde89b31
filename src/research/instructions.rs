//! Leader instructions (领导批示, Y5): who instructed (and at what level),
//! when, what, and the follow-up it requires, linked to the output, draft or
//! reform task it answers. A follow-up has an owner, a deadline and a colour
//! from the shared deadline engine, appears on the owner's 工作台, and moves
//! through [`super::followup`]. Counts by level and year give the figure the
//! offices report (「获市委主要领导批示15篇」).
//!
//! One file because every action starts from the same `Instruction` row and
//! its `visible` / `parts` reads; the pure rules are in `followup`.

use serde::{Deserialize, Serialize};
use time::Date;

use super::followup::{self, Parts, State, Step};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Principal, Scope, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::deadline::{Colour, Rules, Subject, assess};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::notify::{self, Outgoing};
use crate::search::Kind as DocKind;
use crate::validate::{Check, date, id, optional, optional_date, optional_id, required};

/// Instruction levels, from the highest.
pub const LEVELS: &[(&str, &str)] = &[
    ("province_principal", "省委主要领导"),
    ("province_leader", "省领导"),
    ("city_principal", "市委主要领导"),
    ("city_gov_principal", "市政府主要领导"),
    ("city_leader", "市领导（分管）"),
];

/// What an instruction can answer.
pub const TARGETS: &[(&str, &str)] =
    &[("output", "调研成果"), ("draft", "文稿"), ("reform_task", "改革任务")];

/// The colour rules' feature code.
pub const FEATURE: &str = "instruction";

/// An instruction as lists and the detail page show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Instruction {
    /// Id.
    pub id: i64,
    /// Year (of the instruction date).
    pub year: i64,
    /// The leader's name and post (“张某某书记”).
    pub leader: String,
    /// Level code.
    pub level: String,
    /// Date.
    pub instructed_on: Date,
    /// What the leader wrote.
    pub content: String,
    /// What must be done, empty when nothing is required.
    pub follow_up: String,
    /// `output`, `draft` or `reform_task`.
    pub target_kind: String,
    /// Its id.
    pub target_id: i64,
    /// Its title (as it is now).
    pub target_title: String,
    /// The responsible unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path.
    #[serde(skip)]
    pub unit_path: String,
    /// The follow-up owner.
    pub owner_id: Option<i64>,
    /// Their name.
    pub owner_name: Option<String>,
    /// Due.
    pub due_on: Option<Date>,
    /// Follow-up state code.
    pub state: String,
    /// What was done.
    pub result: String,
    /// When it was confirmed.
    pub done_on: Option<Date>,
    /// Colour code.
    pub colour: String,
    /// Why.
    pub colour_reason: String,
    /// Recorded by.
    pub created_by: Option<i64>,
    /// Recorded at.
    pub created_at: Ts,
}

impl Instruction {
    /// The follow-up state.
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::None)
    }

    fn target(&self) -> Target<'_> {
        Target { unit_id: self.unit_id, unit_path: &self.unit_path, owner_id: self.created_by }
    }
}

const SELECT: &str = "select i.id, i.year, i.leader, i.level, i.instructed_on, i.content, i.follow_up, i.target_kind, \
     i.target_id, coalesce(case i.target_kind \
       when 'output' then (select o.title from research_outputs o where o.id = i.target_id) \
       when 'draft' then (select d.title from drafting_tasks d where d.id = i.target_id) \
       else (select r.title from reform_tasks r where r.id = i.target_id) end, '') as target_title, \
     i.unit_id, u.name as unit_name, u.path as unit_path, i.owner_id, a.display_name as owner_name, i.due_on, \
     i.state, i.result, i.done_on, i.colour, i.colour_reason, i.created_by, i.created_at \
     from research_instructions i join units u on u.id = i.unit_id left join accounts a on a.id = i.owner_id";

fn push_visible(sql: &mut Sql, scope: &Scope, me: i64) {
    sql.push(" and (");
    scope.filter(sql, "i.unit_id", Some("i.created_by"));
    sql.push(" or i.owner_id = ").bind(me).push(")");
}

/// The list's filter.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Filter {
    /// Year (default this year).
    pub year: String,
    /// Level code.
    pub level: String,
    /// Follow-up state code.
    pub state: String,
    /// Colour code.
    pub colour: String,
}

/// Instructions of a year the person may see, newest first.
pub async fn list(db: &Db, who: &Principal, year: i64, f: &Filter) -> DbResult<Vec<Instruction>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where i.year = ").bind(year);
    if LEVELS.iter().any(|(k, _)| *k == f.level) {
        sql.push(" and i.level = ").bind(f.level.clone());
    }
    if State::parse(&f.state).is_some() {
        sql.push(" and i.state = ").bind(f.state.clone());
    }
    if Colour::parse(&f.colour).is_some() {
        sql.push(" and i.colour = ").bind(f.colour.clone());
    }
    push_visible(&mut sql, &who.scope(Module::Research, Action::Read), who.account_id);
    sql.push(" order by i.instructed_on desc, i.id desc limit 1000");
    db.all(sql.build()).await
}

/// Instructions on one record (visible ones only).
pub async fn on_target(db: &Db, who: &Principal, kind: &str, target_id: i64) -> DbResult<Vec<Instruction>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where i.target_kind = ").bind(kind.to_string()).push(" and i.target_id = ").bind(target_id);
    push_visible(&mut sql, &who.scope(Module::Research, Action::Read), who.account_id);
    sql.push(" order by i.instructed_on desc, i.id desc");
    db.all(sql.build()).await
}

/// Follow-ups waiting for a person (their 工作台), worst colour first.
pub async fn waiting_for(db: &Db, account_id: i64) -> DbResult<Vec<Instruction>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where i.owner_id = ").bind(account_id).push(
        " and i.state = 'open' order by case i.colour when 'red' then 0 when 'yellow' then 1 else 2 end, i.due_on, i.id limit 20",
    );
    db.all(sql.build()).await
}

/// What the person is to an instruction's follow-up.
pub fn parts(c: &Caller<'_>, i: &Instruction) -> Parts {
    let owner = i.owner_id == Some(c.who.account_id);
    let office = !owner && c.who.scope(Module::Research, Action::Write).allows(i.target());
    Parts { owner, office }
}

/// Loads an instruction the caller may see.
pub async fn visible(c: &Caller<'_>, id: i64) -> AppResult<Instruction> {
    let scope = c.who.require(Module::Research, Action::Read)?;
    let mut sql = Sql::new(SELECT);
    sql.push(" where i.id = ").bind(id);
    let i: Instruction = c.state.db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    if scope.allows(i.target()) || i.owner_id == Some(c.who.account_id) {
        Ok(i)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A new instruction as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InstructionInput {
    /// The leader (name and post).
    pub leader: String,
    /// Level code.
    pub level: String,
    /// Date.
    pub instructed_on: String,
    /// What was written.
    pub content: String,
    /// What must be done; empty when nothing is required.
    pub follow_up: String,
    /// `output`, `draft` or `reform_task`.
    pub target_kind: String,
    /// Its id.
    pub target_id: String,
    /// Responsible unit (default: the target's unit).
    pub unit_id: String,
    /// Follow-up owner (account id), required with a follow-up.
    pub owner_id: String,
    /// Follow-up deadline, required with a follow-up.
    pub due_on: String,
}

/// The target's title and unit, when the caller may see it.
async fn target_of(c: &Caller<'_>, kind: &str, id: i64) -> AppResult<(String, i64)> {
    match kind {
        "output" => {
            let o = super::outputs::visible(c, id).await?;
            Ok((o.title, o.unit_id))
        }
        "draft" => {
            let d = crate::drafting::desk::visible(c, id).await?;
            Ok((d.title, d.unit_id))
        }
        "reform_task" => {
            let t = crate::reform::actions::visible_task(c, id).await?;
            Ok((t.title, t.lead_unit_id))
        }
        _ => Err(AppError::BadRequest(Msg::new("批示对应的事项类型无效"))),
    }
}

/// Records an instruction and opens its follow-up.
pub async fn create(c: &Caller<'_>, input: &InstructionInput) -> AppResult<i64> {
    c.who.require(Module::Research, Action::Write)?;
    let db = &c.state.db;
    let mut check = Check::default();
    let leader = check.take("leader", required(&input.leader, 50));
    let level = check.take("level", crate::validate::choice(LEVELS, &input.level, "请选择批示领导的层级"));
    let on = check.take("instructed_on", date(&input.instructed_on));
    if on.is_some_and(|d| d > c.today()) {
        check.fail("instructed_on", Msg::new("批示日期不能晚于今天"));
    }
    let content = check.take("content", required(&input.content, 2000));
    let follow_up = check.take("follow_up", optional(&input.follow_up, 1000));
    let target_kind = input.target_kind.trim().to_string();
    if !TARGETS.iter().any(|(k, _)| *k == target_kind) {
        check.fail("target_kind", Msg::new("批示对应的事项类型无效"));
    }
    let target_id = check.take("target_id", id(&input.target_id));
    let unit = check.take("unit_id", optional_id(&input.unit_id));
    let owner = check.take("owner_id", optional_id(&input.owner_id));
    let due = check.take("due_on", optional_date(&input.due_on));
    let needs = follow_up.as_deref().is_some_and(|f| !f.is_empty());
    if needs {
        if owner == Some(None) {
            check.fail("owner_id", Msg::new("需要落实的批示应指定落实责任人"));
        }
        if due == Some(None) {
            check.fail("due_on", Msg::new("需要落实的批示应明确落实时限"));
        }
        if let (Some(Some(d)), Some(i)) = (due, on)
            && d < i
        {
            check.fail("due_on", Msg::new("落实时限不能早于批示日期"));
        }
    }
    if let Some(Some(o)) = owner {
        let n: i64 = db
            .scalar(Query::new("select count(*) from accounts where id = $1 and status = 'active'").bind(o))
            .await?;
        if n == 0 {
            check.fail("owner_id", Msg::new("账户不存在或已停用"));
        }
    }
    let (leader, level, on, content, follow_up, target_id, unit, owner, due) = check
        .finish(|| Some((leader?, level?, on?, content?, follow_up?, target_id?, unit?, owner?, due?)))?;
    let (target_title, target_unit) = target_of(c, &target_kind, target_id).await?;
    let unit = unit.unwrap_or(target_unit);
    let unit_exists: i64 = db
        .scalar(Query::new("select count(*) from units where id = $1 and status = 'active'").bind(unit))
        .await?;
    if unit_exists == 0 {
        return Err(crate::error::FieldErrors::one("unit_id", Msg::new("责任单位不存在或已停用")).into());
    }
    let state = if needs { State::Open } else { State::None };
    let (owner, due) = if needs { (owner, due) } else { (None, None) };
    let mut tx = db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into research_instructions (year, leader, level, instructed_on, content, follow_up, target_kind, \
                 target_id, unit_id, owner_id, due_on, state, created_by, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) returning id",
            )
            .bind(i64::from(on.year()))
            .bind(leader.as_str())
            .bind(level.as_str())
            .bind(on)
            .bind(content.as_str())
            .bind(follow_up.as_str())
            .bind(target_kind.as_str())
            .bind(target_id)
            .bind(unit)
            .bind(owner)
            .bind(due)
            .bind(state.code())
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    let rules = crate::deadline::settings::rules(db, FEATURE).await?;
    refresh(&mut tx, Some(&[id]), &rules, c.today()).await?;
    super::index(c, &mut tx, DocKind::Instruction, &[id]).await?;
    if let (Some(o), Some(d)) = (owner, due) {
        let title = format!("{leader}批示需要落实");
        let body = format!("“{target_title}”：{follow_up}（{d}前）");
        let link = format!("/research/instructions/{id}");
        notify::send(
            &mut tx,
            o,
            &Outgoing { kind: "instruction", title: &title, body: &body, link: &link },
            c.now,
        )
        .await?;
    }
    let ev = Event::new("research.instruction.create", "research_instruction", id)
        .summary(format!("登记{leader}对“{target_title}”的批示"))
        .after(&serde_json::json!({ "level": level, "on": on.to_string(), "target": [target_kind, target_id], "owner": owner, "due_on": due.map(|d| d.to_string()) }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// One step of a follow-up's history.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HistoryRow {
    /// `report`, `confirm`, `return`.
    pub action: String,
    /// Before.
    pub from_state: String,
    /// After.
    pub to_state: String,
    /// Result or reason.
    pub comment: String,
    /// By.
    pub by_name: String,
    /// At.
    pub at: Ts,
}

/// A follow-up's history, oldest first.
pub async fn history(db: &Db, id: i64) -> DbResult<Vec<HistoryRow>> {
    db.all(
        Query::new(
            "select e.action, e.from_state, e.to_state, e.comment, coalesce(a.display_name, '') as by_name, e.at \
             from research_followup_events e left join accounts a on a.id = e.by_id where e.instruction_id = $1 order by e.id",
        )
        .bind(id),
    )
    .await
}

/// Takes a follow-up step (report, confirm, return).
pub async fn step(c: &Caller<'_>, id: i64, step: &str, text: &str) -> AppResult<State> {
    let i = visible(c, id).await?;
    let step = Step::parse(step).ok_or_else(|| AppError::BadRequest(Msg::new("未知的操作")))?;
    let text = text.trim();
    if text.chars().count() > 2000 {
        return Err(
            crate::error::FieldErrors::one("text", Msg::new("不能超过{max}个字").arg("max", 2000)).into()
        );
    }
    let who = parts(c, &i);
    if !who.owner && !who.office {
        return Err(AppError::Forbidden);
    }
    let to = followup::next(i.state(), step, who, text).map_err(|m| {
        // A missing result or reason is the person's to fix beside the field; anything else is a conflict.
        let missing_text = text.is_empty()
            && (matches!((i.state(), step), (State::Open, Step::Report) if who.owner)
                || matches!((i.state(), step), (State::Reported, Step::Return) if who.office));
        if missing_text {
            AppError::Invalid(crate::error::FieldErrors::one("text", m))
        } else {
            AppError::Conflict(m)
        }
    })?;
    let today = c.today();
    let mut tx = c.state.db.begin().await?;
    // The state in the row must still be the one read: two offices acting at once get one winner.
    let updated = tx
        .exec(
            Query::new(
                "update research_instructions set state = $1, result = case when $2 = 'report' then $3 else result end, \
                 done_on = $4, updated_at = $5 where id = $6 and state = $7",
            )
            .bind(to.code())
            .bind(step.code())
            .bind(text)
            .bind((to == State::Done).then_some(today))
            .bind(c.now)
            .bind(id)
            .bind(i.state().code()),
        )
        .await?;
    if updated == 0 {
        return Err(AppError::Conflict(Msg::new("批示落实情况已被他人更新，请刷新后重试")));
    }
    tx.exec(
        Query::new(
            "insert into research_followup_events (instruction_id, action, from_state, to_state, comment, by_id, at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(step.code())
        .bind(i.state().code())
        .bind(to.code())
        .bind(text)
        .bind(c.account())
        .bind(c.now),
    )
    .await?;
    let rules = crate::deadline::settings::rules(&c.state.db, FEATURE).await?;
    refresh(&mut tx, Some(&[id]), &rules, today).await?;
    super::index(c, &mut tx, DocKind::Instruction, &[id]).await?;
    let link = format!("/research/instructions/{id}");
    let tell = match step {
        Step::Report => i.created_by.map(|by| (by, format!("{}批示的落实结果已报送，请确认", i.leader))),
        Step::Return => i.owner_id.map(|o| (o, format!("{}批示的落实结果被退回：{text}", i.leader))),
        Step::Confirm => i.owner_id.map(|o| (o, format!("{}批示已确认落实", i.leader))),
    };
    if let Some((to_account, title)) = tell
        && Some(to_account) != c.account()
    {
        notify::send(
            &mut tx,
            to_account,
            &Outgoing { kind: "instruction", title: &title, body: &i.follow_up, link: &link },
            c.now,
        )
        .await?;
    }
    let ev = Event::new(
        match step {
            Step::Report => "research.instruction.report",
            Step::Confirm => "research.instruction.confirm",
            Step::Return => "research.instruction.return",
        },
        "research_instruction",
        id,
    )
    .summary(format!("{}批示落实：{} → {}", i.leader, i.state().label(), to.label()))
    .after(&serde_json::json!({ "text": text }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(to)
}

/// What the colour of a follow-up is computed from.
#[derive(sqlx::FromRow)]
struct ColourRow {
    id: i64,
    instructed_on: Date,
    due_on: Option<Date>,
    done_on: Option<Date>,
    state: String,
    colour: String,
    colour_reason: String,
}

/// Recomputes follow-up colours (all running ones when `ids` is none) inside
/// the caller's transaction; returns how many changed colour.
pub async fn refresh(tx: &mut Tx, ids: Option<&[i64]>, rules: &Rules, today: Date) -> DbResult<usize> {
    let mut sql = Sql::new(
        "select id, instructed_on, due_on, done_on, state, colour, colour_reason from research_instructions",
    );
    match ids {
        Some(ids) => sql.push(" where id in ").bind_list(ids.iter().copied()),
        None => sql.push(" where state in ('open', 'reported')"),
    };
    let rows: Vec<ColourRow> = tx.all(sql.build()).await?;
    let mut changed = 0;
    for ColourRow {
        id,
        instructed_on: on,
        due_on: due,
        done_on: done,
        state,
        colour,
        colour_reason: reason,
    } in rows
    {
        let (c, text) = match State::parse(&state) {
            Some(State::None) => (Colour::Blue, "无需专门落实".to_string()),
            Some(State::Done) => {
                let a = assess(&subject(on, due, done.or(Some(today))), rules, today);
                (a.colour, a.reason_text())
            }
            _ => {
                let a = assess(&subject(on, due, None), rules, today);
                (a.colour, a.reason_text())
            }
        };
        if c.code() != colour || text != reason {
            tx.exec(
                Query::new("update research_instructions set colour = $1, colour_reason = $2 where id = $3")
                    .bind(c.code())
                    .bind(text)
                    .bind(id),
            )
            .await?;
            changed += usize::from(c.code() != colour);
        }
    }
    Ok(changed)
}

fn subject(on: Date, due: Option<Date>, finished: Option<Date>) -> Subject<'static> {
    Subject { finished_on: finished, start: on, deadline: due, progress: None, milestones: &[] }
}

/// One row of the figures: instructions and distinct records instructed, per level.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LevelCount {
    /// Level code.
    pub level: String,
    /// Its label.
    pub label: &'static str,
    /// Instructions.
    pub instructions: i64,
    /// Distinct outputs, drafts and tasks instructed (篇).
    pub pieces: i64,
    /// Of which outputs.
    pub outputs: i64,
}

/// Counts by level for a year, inside the person's scope.
pub async fn counts(db: &Db, who: &Principal, year: i64) -> DbResult<Vec<LevelCount>> {
    let mut sql = Sql::new(
        "select i.level, count(*), count(distinct i.target_kind || ':' || cast(i.target_id as text)), \
         count(distinct case when i.target_kind = 'output' then i.target_id end) \
         from research_instructions i where i.year = ",
    );
    sql.bind(year);
    push_visible(&mut sql, &who.scope(Module::Research, Action::Read), who.account_id);
    sql.push(" group by i.level");
    let rows: Vec<(String, i64, i64, i64)> = db.all(sql.build()).await?;
    Ok(LEVELS
        .iter()
        .map(|(code, label)| {
            let r = rows.iter().find(|r| r.0 == *code);
            LevelCount {
                level: (*code).to_string(),
                label,
                instructions: r.map_or(0, |r| r.1),
                pieces: r.map_or(0, |r| r.2),
                outputs: r.map_or(0, |r| r.3),
            }
        })
        .collect())
}
