//! The year's plan (Y1) and its topics (Y2): focus areas, topics with type,
//! level, leader, lead and member units, team and temporary party group, and
//! five milestones (开题 → 调研 → 初稿 → 评审 → 结题) coloured by the shared
//! deadline engine.
//!
//! One file: the focus areas are only the plan's headings, and the milestones
//! and colours are read and written with the topic they belong to.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Principal, Scope, Target};
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::deadline::{Colour, Milestone, Rules, Subject, assess};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::validate::{Check, date, id, optional, optional_id, required};

/// Topic types (课题类型).
pub const KINDS: &[(&str, &str)] = &[
    ("strategic", "战略性课题"),
    ("countermeasure", "对策性课题"),
    ("forward", "前瞻性课题"),
    ("tracking", "跟踪性课题"),
    ("case", "解剖式课题"),
    ("supervisory", "督查式课题"),
];

/// Topic levels.
pub const LEVELS: &[(&str, &str)] =
    &[("key", "重点课题（市领导领衔）"), ("special", "专项课题（县区部门承担）")];

/// The milestones every topic passes, in order.
pub const STAGES: &[(&str, &str)] =
    &[("opening", "开题"), ("survey", "调研"), ("draft", "初稿"), ("review", "评审"), ("closing", "结题")];

/// The colour rules' feature code.
pub const FEATURE: &str = "research";

/// A topic as lists and the detail page show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Topic {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Number (课题2026-007).
    pub code: String,
    /// Title.
    pub title: String,
    /// Type code.
    pub kind: String,
    /// Level code.
    pub level: String,
    /// Focus area.
    pub focus_id: Option<i64>,
    /// Its title.
    pub focus_title: Option<String>,
    /// The leading city leader (领衔领导).
    pub leader: String,
    /// Lead unit.
    pub lead_unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path.
    #[serde(skip)]
    pub unit_path: String,
    /// What it is about.
    pub summary: String,
    /// Temporary party group (临时党小组), if any.
    pub party_group: String,
    /// Start.
    pub start_on: Date,
    /// Due.
    pub due_on: Date,
    /// Finished.
    pub finished_on: Option<Date>,
    /// Current stage code.
    pub stage: String,
    /// Colour code.
    pub colour: String,
    /// Why.
    pub colour_reason: String,
    /// Created by.
    pub created_by: Option<i64>,
    /// Member units' names joined with “、”.
    pub members: String,
}

impl Topic {
    fn target(&self) -> Target<'_> {
        Target { unit_id: self.lead_unit_id, unit_path: &self.unit_path, owner_id: self.created_by }
    }
}

const SELECT: &str = "select t.id, t.year, t.code, t.title, t.kind, t.level, t.focus_id, f.title as focus_title, t.leader, \
     t.lead_unit_id, u.name as unit_name, u.path as unit_path, t.summary, t.party_group, t.start_on, t.due_on, \
     t.finished_on, t.stage, t.colour, t.colour_reason, t.created_by, \
     coalesce((select string_agg(mu.name, '、' order by mu.path) from research_topic_units m \
               join units mu on mu.id = m.unit_id where m.topic_id = t.id), '') as members \
     from research_topics t join units u on u.id = t.lead_unit_id left join research_focus f on f.id = t.focus_id";

/// Appends "the person may read the topic": lead unit or creator in scope, or a member unit in scope.
pub(crate) fn push_visible(sql: &mut Sql, scope: &Scope) {
    sql.push(" and (");
    scope.filter(sql, "t.lead_unit_id", Some("t.created_by"));
    if !scope.is_all() {
        sql.push(" or exists (select 1 from research_topic_units m where m.topic_id = t.id and ");
        scope.filter(sql, "m.unit_id", None);
        sql.push(")");
    }
    sql.push(")");
}

/// The list's filter.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Filter {
    /// Year (default this year).
    pub year: String,
    /// Colour code.
    pub colour: String,
    /// Level code.
    pub level: String,
    /// Focus area id.
    pub focus: String,
}

/// Topics of a year the person may see, by focus area and number.
pub async fn list(db: &Db, who: &Principal, year: i64, f: &Filter) -> DbResult<Vec<Topic>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where t.year = ").bind(year);
    if Colour::parse(&f.colour).is_some() {
        sql.push(" and t.colour = ").bind(f.colour.clone());
    }
    if LEVELS.iter().any(|(k, _)| *k == f.level) {
        sql.push(" and t.level = ").bind(f.level.clone());
    }
    if let Ok(focus) = f.focus.trim().parse::<i64>() {
        sql.push(" and t.focus_id = ").bind(focus);
    }
    push_visible(&mut sql, &who.scope(Module::Research, Action::Read));
    sql.push(" order by t.level, t.code limit 1000");
    db.all(sql.build()).await
}

/// Loads a topic the caller may see.
pub async fn visible(c: &Caller<'_>, id: i64) -> AppResult<Topic> {
    let scope = c.who.require(Module::Research, Action::Read)?;
    let mut sql = Sql::new(SELECT);
    sql.push(" where t.id = ").bind(id);
    let t: Topic = c.state.db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    if scope.allows(t.target()) || is_member_in_scope(&c.state.db, &scope, id).await? {
        Ok(t)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn is_member_in_scope(db: &Db, scope: &Scope, topic_id: i64) -> DbResult<bool> {
    let mut sql = Sql::new("select count(*) from research_topic_units m where m.topic_id = ");
    sql.bind(topic_id).push(" and ");
    scope.filter(&mut sql, "m.unit_id", None);
    Ok(db.scalar::<i64>(sql.build()).await? > 0)
}

/// Loads a topic the caller may change (Write on its lead unit).
pub async fn writable(c: &Caller<'_>, id: i64) -> AppResult<Topic> {
    let t = visible(c, id).await?;
    c.who.require_on(Module::Research, Action::Write, t.target())?;
    Ok(t)
}

/// One milestone row.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MilestoneRow {
    /// Stage code.
    pub stage: String,
    /// Due.
    pub due_on: Date,
    /// Reached.
    pub done_on: Option<Date>,
}

/// A topic's milestones in stage order.
pub async fn milestones(db: &Db, topic_id: i64) -> DbResult<Vec<MilestoneRow>> {
    let mut rows: Vec<MilestoneRow> = db
        .all(
            Query::new("select stage, due_on, done_on from research_milestones where topic_id = $1")
                .bind(topic_id),
        )
        .await?;
    rows.sort_by_key(|m| STAGES.iter().position(|(s, _)| *s == m.stage));
    Ok(rows)
}

/// A team member.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Member {
    /// Name.
    pub name: String,
    /// Role in the team (组长, 执笔人 …).
    pub role: String,
}

/// A topic's team.
pub async fn team(db: &Db, topic_id: i64) -> DbResult<Vec<Member>> {
    db.all(Query::new("select name, role from research_team where topic_id = $1 order by id").bind(topic_id))
        .await
}

/// A focus area.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Focus {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
}

/// The focus areas of a year.
pub async fn focus_areas(db: &Db, year: i64) -> DbResult<Vec<Focus>> {
    db.all(Query::new("select id, title from research_focus where year = $1 order by sort, id").bind(year))
        .await
}

/// Adds a focus area to a year's plan.
pub async fn add_focus(c: &Caller<'_>, year: i64, title: &str) -> AppResult<i64> {
    c.who.require(Module::Research, Action::Write)?;
    if !c.who.scope(Module::Research, Action::Write).is_all() {
        return Err(AppError::Forbidden);
    }
    let mut check = Check::default();
    let title = check.take("focus_title", required(title, 100));
    let title = check.finish(|| title)?;
    let mut tx = c.state.db.begin().await?;
    let sort: i64 = tx
        .scalar(
            Query::new("select coalesce(max(sort), 0) + 1 from research_focus where year = $1").bind(year),
        )
        .await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into research_focus (year, title, sort, created_by, created_at) values ($1, $2, $3, $4, $5) returning id",
            )
            .bind(year)
            .bind(title.as_str())
            .bind(sort)
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    let ev =
        Event::new("research.focus", "research_focus", id).summary(format!("{year}年度调研重点：{title}"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// A new topic as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TopicInput {
    /// Title.
    pub title: String,
    /// Type code.
    pub kind: String,
    /// Level code.
    pub level: String,
    /// Focus area id (optional).
    pub focus_id: String,
    /// Leading leader (required for key topics).
    pub leader: String,
    /// Lead unit id.
    pub lead_unit_id: String,
    /// Member unit ids.
    pub member_unit_ids: Vec<String>,
    /// Summary.
    pub summary: String,
    /// Temporary party group.
    pub party_group: String,
    /// Team, one “姓名 角色” per line.
    pub team: String,
    /// Start date.
    pub start_on: String,
    /// Due dates of 开题, 调研, 初稿, 评审, 结题 (结题 is the topic's deadline).
    pub opening_on: String,
    /// 调研.
    pub survey_on: String,
    /// 初稿.
    pub draft_on: String,
    /// 评审.
    pub review_on: String,
    /// 结题.
    pub closing_on: String,
}

impl TopicInput {
    fn stage_dates(&self) -> [(&'static str, &str); 5] {
        [
            ("opening_on", &self.opening_on),
            ("survey_on", &self.survey_on),
            ("draft_on", &self.draft_on),
            ("review_on", &self.review_on),
            ("closing_on", &self.closing_on),
        ]
    }
}

/// Opens a topic with its milestones, team and member units.
pub async fn create(c: &Caller<'_>, input: &TopicInput) -> AppResult<i64> {
    c.who.require(Module::Research, Action::Write)?;
    let db = &c.state.db;
    let mut check = Check::default();
    let title = check.take("title", required(&input.title, 200));
    let kind = check.take("kind", crate::validate::choice(KINDS, &input.kind, "请选择课题类型"));
    let level = check.take("level", crate::validate::choice(LEVELS, &input.level, "请选择课题级别"));
    let focus = check.take("focus_id", optional_id(&input.focus_id));
    let leader = check.take("leader", optional(&input.leader, 50));
    if level.as_deref() == Some("key") && leader.as_deref().is_some_and(str::is_empty) {
        check.fail("leader", Msg::new("重点课题应填写领衔的市领导"));
    }
    let unit = check.take("lead_unit_id", id(&input.lead_unit_id));
    let summary = check.take("summary", optional(&input.summary, 2000));
    let party_group = check.take("party_group", optional(&input.party_group, 100));
    let start = check.take("start_on", date(&input.start_on));
    let mut dues = Vec::new();
    for (field, raw) in input.stage_dates() {
        dues.push(check.take(field, date(raw)));
    }
    if let (Some(s), Some(Some(first))) = (start, dues.first())
        && first < &s
    {
        check.fail("opening_on", Msg::new("开题时间不能早于开始时间"));
    }
    for (i, pair) in dues.windows(2).enumerate() {
        if let (Some(a), Some(b)) = (pair[0], pair[1])
            && b < a
        {
            check.fail(input.stage_dates()[i + 1].0, Msg::new("应晚于上一个节点"));
        }
    }
    let mut members = Vec::new();
    for raw in input.member_unit_ids.iter().filter(|s| !s.trim().is_empty()) {
        if let Some(u) = check.take("member_unit_ids", id(raw)) {
            members.push(u);
        }
    }
    members.sort_unstable();
    members.dedup();
    let mut team = Vec::new();
    for line in input.team.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, role) = line.split_once([' ', '　', '\t']).unwrap_or((line, ""));
        if name.chars().count() > 30 || role.trim().chars().count() > 30 {
            check.fail("team", Msg::new("每行写一人：姓名 角色，各不超过30字"));
            break;
        }
        team.push((name.to_string(), role.trim().to_string()));
    }
    if let Some(Some(f)) = focus {
        let n: i64 =
            db.scalar(Query::new("select count(*) from research_focus where id = $1").bind(f)).await?;
        if n == 0 {
            check.fail("focus_id", Msg::new("调研重点不存在"));
        }
    }
    for u in &members {
        let n: i64 = db
            .scalar(Query::new("select count(*) from units where id = $1 and status = 'active'").bind(*u))
            .await?;
        if n == 0 {
            check.fail("member_unit_ids", Msg::new("参与单位不存在或已停用"));
        }
    }
    let (title, kind, level, focus, leader, unit, summary, party_group, start) = check
        .finish(|| Some((title?, kind?, level?, focus?, leader?, unit?, summary?, party_group?, start?)))?;
    let dues: Vec<Date> = dues.into_iter().flatten().collect();
    crate::org::units::actions::check_placement(c, Module::Research, unit, "lead_unit_id").await?;
    let year = i64::from(start.year());
    let due_on = dues[4];
    let mut tx = db.begin().await?;
    let pending = format!("pending-{}", crate::auth::session::random_token());
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into research_topics (year, code, title, kind, level, focus_id, leader, lead_unit_id, summary, \
                 party_group, start_on, due_on, created_by, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) returning id",
            )
            .bind(year)
            .bind(pending)
            .bind(title.as_str())
            .bind(kind.as_str())
            .bind(level.as_str())
            .bind(focus)
            .bind(leader.as_str())
            .bind(unit)
            .bind(summary.as_str())
            .bind(party_group.as_str())
            .bind(start)
            .bind(due_on)
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    let n: i64 = tx
        .scalar(
            Query::new("select count(*) from research_topics where year = $1 and id <= $2")
                .bind(year)
                .bind(id),
        )
        .await?;
    let code = format!("课题{year}-{n:03}");
    tx.exec(Query::new("update research_topics set code = $1 where id = $2").bind(code.as_str()).bind(id))
        .await?;
    for ((stage, _), due) in STAGES.iter().zip(&dues) {
        tx.exec(
            Query::new("insert into research_milestones (topic_id, stage, due_on) values ($1, $2, $3)")
                .bind(id)
                .bind(*stage)
                .bind(*due),
        )
        .await?;
    }
    for u in &members {
        tx.exec(
            Query::new("insert into research_topic_units (topic_id, unit_id) values ($1, $2)")
                .bind(id)
                .bind(*u),
        )
        .await?;
    }
    for (name, role) in &team {
        tx.exec(
            Query::new("insert into research_team (topic_id, name, role) values ($1, $2, $3)")
                .bind(id)
                .bind(name.as_str())
                .bind(role.as_str()),
        )
        .await?;
    }
    let rules = crate::deadline::settings::rules(db, FEATURE).await?;
    refresh(&mut tx, Some(&[id]), &rules, c.today()).await?;
    let ev = Event::new("research.topic.create", "research_topic", id)
        .summary(format!("立项课题{code}“{title}”"))
        .after(&serde_json::json!({ "kind": kind, "level": level, "leader": leader, "unit": unit, "members": members, "due_on": due_on.to_string() }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks a milestone reached (结题 finishes the topic).
pub async fn milestone_done(c: &Caller<'_>, topic_id: i64, stage: &str, done_on: &str) -> AppResult<()> {
    let t = writable(c, topic_id).await?;
    let Some(pos) = STAGES.iter().position(|(s, _)| *s == stage) else {
        return Err(AppError::BadRequest(Msg::new("未知的课题节点")));
    };
    let mut check = Check::default();
    let on = if done_on.trim().is_empty() { Some(c.today()) } else { check.take("done_on", date(done_on)) };
    let on = check.finish(|| on)?;
    if on > c.today() {
        return Err(AppError::BadRequest(Msg::new("完成日期不能晚于今天")));
    }
    let ms = milestones(&c.state.db, topic_id).await?;
    if let Some(before) = ms.iter().take(pos).find(|m| m.done_on.is_none()) {
        return Err(AppError::Conflict(
            Msg::new("请先完成“{stage}”节点").arg("stage", super::label_of(STAGES, &before.stage)),
        ));
    }
    if ms.get(pos).is_some_and(|m| m.done_on.is_some()) {
        return Err(AppError::Conflict(Msg::new("该节点已完成")));
    }
    let next = STAGES.get(pos + 1).map_or("closing", |(s, _)| *s);
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update research_milestones set done_on = $1 where topic_id = $2 and stage = $3")
            .bind(on)
            .bind(topic_id)
            .bind(stage),
    )
    .await?;
    let finished = (stage == "closing").then_some(on);
    tx.exec(
        Query::new("update research_topics set stage = $1, finished_on = $2, updated_at = $3 where id = $4")
            .bind(next)
            .bind(finished)
            .bind(c.now)
            .bind(topic_id),
    )
    .await?;
    let rules = crate::deadline::settings::rules(&c.state.db, FEATURE).await?;
    refresh(&mut tx, Some(&[topic_id]), &rules, c.today()).await?;
    let ev = Event::new("research.topic.milestone", "research_topic", topic_id).summary(format!(
        "{}完成“{}”节点（{on}）",
        t.code,
        super::label_of(STAGES, stage)
    ));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Recomputes the colour of the given topics (all unfinished ones when `ids`
/// is none) inside the caller's transaction; returns how many changed.
pub async fn refresh(tx: &mut Tx, ids: Option<&[i64]>, rules: &Rules, today: Date) -> DbResult<usize> {
    let mut sql =
        Sql::new("select id, start_on, due_on, finished_on, colour, colour_reason from research_topics");
    match ids {
        Some(ids) => sql.push(" where id in ").bind_list(ids.iter().copied()),
        None => sql.push(" where finished_on is null"),
    };
    let topics: Vec<(i64, Date, Date, Option<Date>, String, String)> = tx.all(sql.build()).await?;
    if topics.is_empty() {
        return Ok(0);
    }
    // Every milestone of those topics in one read, not one query per topic.
    let mut msql =
        Sql::new("select topic_id, stage, due_on, done_on from research_milestones where topic_id in ");
    match ids {
        Some(ids) => msql.bind_list(ids.iter().copied()),
        None => msql.push("(select id from research_topics where finished_on is null)"),
    };
    let rows: Vec<(i64, String, Date, Option<Date>)> = tx.all(msql.build()).await?;
    let mut by_topic: std::collections::HashMap<i64, Vec<Milestone<'_>>> = std::collections::HashMap::new();
    for (topic, stage, due, done) in &rows {
        by_topic.entry(*topic).or_default().push(Milestone {
            name: super::label_of(STAGES, stage),
            due: *due,
            done_on: *done,
        });
    }
    let mut changed = 0;
    for (id, start, due, finished, colour, reason) in topics {
        let named = by_topic.get(&id).map_or(&[][..], Vec::as_slice);
        let a = assess(
            &Subject { finished_on: finished, start, deadline: Some(due), progress: None, milestones: named },
            rules,
            today,
        );
        let text = a.reason_text();
        if a.colour.code() != colour || text != reason {
            tx.exec(
                Query::new("update research_topics set colour = $1, colour_reason = $2 where id = $3")
                    .bind(a.colour.code())
                    .bind(text)
                    .bind(id),
            )
            .await?;
            changed += usize::from(a.colour.code() != colour);
        }
    }
    Ok(changed)
}

/// Topics per colour for a year, inside the person's scope.
pub async fn colour_counts(db: &Db, who: &Principal, year: i64) -> DbResult<Vec<(String, i64)>> {
    let mut sql = Sql::new("select t.colour, count(*) from research_topics t where t.year = ");
    sql.bind(year);
    push_visible(&mut sql, &who.scope(Module::Research, Action::Read));
    sql.push(" group by t.colour");
    db.all(sql.build()).await
}
