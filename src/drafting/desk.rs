//! Drafting tasks, their versions, the steps of the chain and publications:
//! reads and the actions the pages and the API share. Each action is one
//! transaction with its audit record and the search index entry.
//!
//! One file because every action starts from the same two reads (`visible`,
//! `parts`: who the person is to the task) and the same `Task` row; the pure
//! rules live in `chain`, `diff` and `figures`. Split by action (versions,
//! steps, publications) when the research outputs reuse versions.

use serde::{Deserialize, Serialize};
use time::Date;

use super::chain::{self, Parts, State, Step};
use crate::app::Caller;
use crate::attachments::actions::{Checked, Owner};
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Principal, Scope, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::search::{self, Kind as DocKind};
use crate::validate::{Check, date, id, optional, required};

/// Kinds of text the desk drafts.
pub const KINDS: &[(&str, &str)] = &[
    ("speech", "讲话稿"),
    ("report", "调研报告"),
    ("info", "信息专报"),
    ("summary", "工作总结"),
    ("brief", "汇报材料"),
    ("document", "文件文稿"),
    ("other", "其他"),
];

/// The label of a kind code.
pub fn kind_label(code: &str) -> &'static str {
    KINDS.iter().find(|(k, _)| *k == code).map_or("其他", |(_, l)| l)
}

/// Longest text kept for one version (characters).
const MAX_TEXT: usize = 200_000;

/// A drafting task as lists and the detail page show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Task {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Number (文稿2026-00012).
    pub code: String,
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// Who asked for it (a leader, an office).
    pub requester: String,
    /// The drafting unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path (for scopes).
    #[serde(skip)]
    pub unit_path: String,
    /// Hours allowed.
    pub due_hours: i64,
    /// Due at.
    pub due_at: Ts,
    /// State code.
    pub state: String,
    /// Reviewer.
    pub reviewer_id: i64,
    /// Reviewer's name.
    pub reviewer_name: String,
    /// Final checker.
    pub checker_id: i64,
    /// Final checker's name.
    pub checker_name: String,
    /// Versions so far.
    pub versions: i64,
    /// Issued at.
    pub issued_at: Option<Ts>,
    /// Created by.
    pub created_by: Option<i64>,
    /// Created at.
    pub created_at: Ts,
    /// Drafters' names, joined with “、”.
    pub drafters: String,
}

impl Task {
    /// The state.
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Drafting)
    }

    fn target(&self) -> Target<'_> {
        Target { unit_id: self.unit_id, unit_path: &self.unit_path, owner_id: self.created_by }
    }
}

const SELECT: &str = "select t.id, t.year, t.code, t.title, t.kind, t.requester, t.unit_id, u.name as unit_name, \
     u.path as unit_path, t.due_hours, t.due_at, t.state, t.reviewer_id, r.display_name as reviewer_name, \
     t.checker_id, k.display_name as checker_name, t.versions, t.issued_at, t.created_by, t.created_at, \
     coalesce((select string_agg(a.display_name, '、' order by a.id) from drafting_drafters d \
               join accounts a on a.id = d.account_id where d.task_id = t.id), '') as drafters \
     from drafting_tasks t join units u on u.id = t.unit_id join accounts r on r.id = t.reviewer_id \
     join accounts k on k.id = t.checker_id";

/// One task.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Task>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where t.id = ").bind(id);
    db.opt(sql.build()).await
}

/// The list's filter.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Filter {
    /// Year (default this year).
    pub year: String,
    /// State code.
    pub state: String,
    /// Kind code.
    pub kind: String,
    /// `mine`: tasks waiting for the person.
    pub mine: String,
}

/// Appends the condition "the person may see the task": the drafting read
/// scope on its unit or creator, or a named part in it.
fn push_visible(sql: &mut Sql, scope: &Scope, me: i64) {
    sql.push(" and (");
    scope.filter(sql, "t.unit_id", Some("t.created_by"));
    sql.push(" or t.reviewer_id = ").bind(me).push(" or t.checker_id = ").bind(me);
    sql.push(" or exists (select 1 from drafting_drafters d where d.task_id = t.id and d.account_id = ")
        .bind(me)
        .push("))");
}

/// Tasks of a year the person may see, newest first (at most 500).
pub async fn list(db: &Db, who: &Principal, year: i64, f: &Filter) -> DbResult<Vec<Task>> {
    let scope = who.scope(Module::Drafting, Action::Read);
    let me = who.account_id;
    let mut sql = Sql::new(SELECT);
    sql.push(" where t.year = ").bind(year);
    if State::parse(&f.state).is_some() {
        sql.push(" and t.state = ").bind(f.state.clone());
    }
    if KINDS.iter().any(|(k, _)| *k == f.kind) {
        sql.push(" and t.kind = ").bind(f.kind.clone());
    }
    if f.mine == "1" {
        sql.push(" and ((t.state = 'review' and t.reviewer_id = ").bind(me);
        sql.push(") or (t.state = 'check' and t.checker_id = ").bind(me);
        sql.push(") or (t.state in ('drafting', 'final') and exists (select 1 from drafting_drafters d where d.task_id = t.id and d.account_id = ").bind(me);
        sql.push(")))");
    }
    push_visible(&mut sql, &scope, me);
    sql.push(" order by t.created_at desc, t.id desc limit 500");
    db.all(sql.build()).await
}

/// What the person is to a task.
pub async fn parts(db: &Db, t: &Task, me: i64) -> DbResult<Parts> {
    let drafter: i64 = db
        .scalar(
            Query::new("select count(*) from drafting_drafters where task_id = $1 and account_id = $2")
                .bind(t.id)
                .bind(me),
        )
        .await?;
    Ok(Parts {
        drafter: drafter > 0 || t.created_by == Some(me),
        reviewer: t.reviewer_id == me,
        checker: t.checker_id == me,
    })
}

/// Loads a task the caller may see, with what the caller is to it.
pub async fn visible_with_parts(c: &Caller<'_>, id: i64) -> AppResult<(Task, Parts)> {
    c.who.require(Module::Drafting, Action::Read)?;
    let t = get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    let p = parts(&c.state.db, &t, c.who.account_id).await?;
    if c.who.scope(Module::Drafting, Action::Read).allows(t.target()) || p.drafter || p.reviewer || p.checker
    {
        Ok((t, p))
    } else {
        Err(AppError::Forbidden)
    }
}

/// Loads a task the caller may see.
pub async fn visible(c: &Caller<'_>, id: i64) -> AppResult<Task> {
    Ok(visible_with_parts(c, id).await?.0)
}

/// A new drafting task as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TaskInput {
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// Who asked for it.
    pub requester: String,
    /// Drafting unit id.
    pub unit_id: String,
    /// Hours allowed.
    pub due_hours: String,
    /// Drafter account ids.
    pub drafter_ids: Vec<String>,
    /// Reviewer account id.
    pub reviewer_id: String,
    /// Final checker account id.
    pub checker_id: String,
}

async fn active_account(db: &Db, id: i64) -> DbResult<bool> {
    let n: i64 = db
        .scalar(Query::new("select count(*) from accounts where id = $1 and status = 'active'").bind(id))
        .await?;
    Ok(n > 0)
}

/// Opens a drafting task.
pub async fn create(c: &Caller<'_>, input: &TaskInput) -> AppResult<i64> {
    c.who.require(Module::Drafting, Action::Write)?;
    let db = &c.state.db;
    let mut check = Check::default();
    let title = check.take("title", required(&input.title, 200));
    let kind = check.take("kind", crate::validate::choice(KINDS, &input.kind, "请选择文稿类型"));
    let requester = check.take("requester", optional(&input.requester, 100));
    let unit = check.take("unit_id", id(&input.unit_id));
    let hours = check.take(
        "due_hours",
        input
            .due_hours
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|h| (1..=2160).contains(h))
            .ok_or_else(|| Msg::new("时限应为1到2160小时")),
    );
    let reviewer = check.take("reviewer_id", id(&input.reviewer_id).map_err(|_| Msg::new("请选择审核人")));
    let checker = check.take("checker_id", id(&input.checker_id).map_err(|_| Msg::new("请选择把关人")));
    let mut drafters = Vec::new();
    for raw in input.drafter_ids.iter().filter(|s| !s.trim().is_empty()) {
        if let Some(d) = check.take("drafter_ids", id(raw)) {
            drafters.push(d);
        }
    }
    drafters.sort_unstable();
    drafters.dedup();
    if drafters.is_empty() {
        check.fail("drafter_ids", Msg::new("请至少指定一名起草人"));
    }
    for (field, acc) in [("reviewer_id", reviewer), ("checker_id", checker)] {
        if let Some(a) = acc
            && !active_account(db, a).await?
        {
            check.fail(field, Msg::new("账户不存在或已停用"));
        }
    }
    for d in &drafters {
        if !active_account(db, *d).await? {
            check.fail("drafter_ids", Msg::new("起草人账户不存在或已停用"));
        }
    }
    let (title, kind, requester, unit, hours, reviewer, checker) =
        check.finish(|| Some((title?, kind?, requester?, unit?, hours?, reviewer?, checker?)))?;
    crate::org::units::actions::check_placement(c, Module::Drafting, unit, "unit_id").await?;
    let year = i64::from(c.today().year());
    let due_at = Ts(c.now.0 + hours * 3_600_000);
    let mut tx = db.begin().await?;
    let pending = format!("pending-{}", crate::auth::session::random_token());
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into drafting_tasks (year, code, title, kind, requester, unit_id, due_hours, due_at, state, \
                 reviewer_id, checker_id, created_by, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, 'drafting', $9, $10, $11, $12, $12) returning id",
            )
            .bind(year)
            .bind(pending)
            .bind(title.as_str())
            .bind(kind.as_str())
            .bind(requester.as_str())
            .bind(unit)
            .bind(hours)
            .bind(due_at)
            .bind(reviewer)
            .bind(checker)
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    let code = format!("文稿{year}-{id:05}");
    tx.exec(Query::new("update drafting_tasks set code = $1 where id = $2").bind(code.as_str()).bind(id))
        .await?;
    for d in &drafters {
        tx.exec(
            Query::new("insert into drafting_drafters (task_id, account_id) values ($1, $2)")
                .bind(id)
                .bind(*d),
        )
        .await?;
    }
    index(c, &mut tx, id).await?;
    let ev = Event::new("drafting.create", "drafting_task", id)
        .summary(format!("新建起草任务{code}“{title}”，时限{hours}小时"))
        .after(&serde_json::json!({ "kind": kind, "unit": unit, "drafters": drafters, "reviewer": reviewer, "checker": checker }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

async fn index(c: &Caller<'_>, tx: &mut Tx, id: i64) -> AppResult<()> {
    let seg = crate::text::segmenter(&c.state.db).await?;
    search::index::refresh(tx, &seg, DocKind::Draft, &[id], c.now).await?;
    Ok(())
}

/// A version as the list on the detail page shows it (without its text).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Version {
    /// Id.
    pub id: i64,
    /// Number, from 1.
    pub no: i64,
    /// `upload` or `edit`.
    pub source: String,
    /// The uploaded file.
    pub attachment_id: Option<i64>,
    /// Note.
    pub note: String,
    /// Characters.
    pub chars: i64,
    /// By.
    pub author: String,
    /// At.
    pub created_at: Ts,
}

/// The versions of a task, newest first.
pub async fn versions(db: &Db, task_id: i64) -> DbResult<Vec<Version>> {
    db.all(
        Query::new(
            "select v.id, v.no, v.source, v.attachment_id, v.note, v.chars, coalesce(a.display_name, '') as author, v.created_at \
             from drafting_versions v left join accounts a on a.id = v.created_by where v.task_id = $1 order by v.no desc",
        )
        .bind(task_id),
    )
    .await
}

/// The text of one version.
pub async fn version_text(db: &Db, task_id: i64, no: i64) -> DbResult<Option<String>> {
    let row: Option<(String,)> = db
        .opt(
            Query::new("select body from drafting_versions where task_id = $1 and no = $2")
                .bind(task_id)
                .bind(no),
        )
        .await?;
    Ok(row.map(|(b,)| b))
}

/// A new version: typed text, or a file whose text is read.
#[derive(Debug, Default)]
pub struct VersionInput {
    /// Text typed or pasted in the page.
    pub text: String,
    /// A note ("按审核意见修改第三部分").
    pub note: String,
    /// An uploaded file (checked).
    pub file: Option<Checked>,
}

/// Adds a version (only while drafting, only by a drafter).
pub async fn add_version(c: &Caller<'_>, task_id: i64, input: VersionInput) -> AppResult<i64> {
    c.who.require(Module::Drafting, Action::Write)?;
    let (t, p) = visible_with_parts(c, task_id).await?;
    if !p.drafter {
        return Err(AppError::Forbidden);
    }
    if !chain::accepts_versions(t.state()) {
        return Err(AppError::Conflict(
            Msg::new("文稿{state}，不能再上传新稿").arg("state", t.state().label()),
        ));
    }
    let mut check = Check::default();
    let note = check.take("note", optional(&input.note, 200));
    let (body, source) = match &input.file {
        Some(f) => match &f.text {
            Some(text) => (text.clone(), "upload"),
            None => {
                check.fail(
                    "file",
                    Msg::new("只能读取 Word（.docx）文档的文字，请上传 docx 或直接在页面中录入"),
                );
                (String::new(), "upload")
            }
        },
        None => (input.text.replace("\r\n", "\n"), "edit"),
    };
    if body.trim().is_empty() {
        check.fail(if input.file.is_some() { "file" } else { "text" }, Msg::new("文稿内容不能为空"));
    }
    let chars = body.chars().count();
    if chars > MAX_TEXT {
        check.fail("text", Msg::new("文稿不能超过{n}字").arg("n", MAX_TEXT));
    }
    let note = check.finish(|| note)?;
    let mut tx = c.state.db.begin().await?;
    let no: i64 = tx
        .scalar(
            Query::new("select coalesce(max(no), 0) + 1 from drafting_versions where task_id = $1")
                .bind(task_id),
        )
        .await?;
    let attachment = match &input.file {
        Some(f) => Some(
            crate::attachments::actions::save(
                c,
                &mut tx,
                f,
                &Owner { kind: "drafting_task".into(), id: task_id.to_string() },
            )
            .await?,
        ),
        None => None,
    };
    tx.exec(
        Query::new(
            "insert into drafting_versions (task_id, no, body, source, attachment_id, note, chars, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(task_id)
        .bind(no)
        .bind(body)
        .bind(source)
        .bind(attachment)
        .bind(note)
        .bind(chars as i64)
        .bind(c.account())
        .bind(c.now),
    )
    .await?;
    tx.exec(
        Query::new("update drafting_tasks set versions = $1, updated_at = $2 where id = $3")
            .bind(no)
            .bind(c.now)
            .bind(task_id),
    )
    .await?;
    index(c, &mut tx, task_id).await?;
    let ev = Event::new("drafting.version", "drafting_task", task_id)
        .summary(format!("{}第{no}稿（{chars}字）", t.code))
        .after(&serde_json::json!({ "no": no, "source": source, "chars": chars }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(no)
}

/// Takes a step of the chain.
pub async fn step(c: &Caller<'_>, task_id: i64, step: &str, comment: &str) -> AppResult<State> {
    let (t, p) = visible_with_parts(c, task_id).await?;
    let step = Step::parse(step).ok_or_else(|| AppError::BadRequest(Msg::new("未知的操作")))?;
    let comment = comment.trim();
    if comment.chars().count() > 2000 {
        return Err(FieldErrors::one("comment", Msg::new("意见不能超过2000字")).into());
    }
    let from = t.state();
    let to = chain::next(from, step, p, t.versions, comment).map_err(|m| {
        if step == Step::Return && comment.is_empty() && (p.reviewer || p.checker) {
            AppError::from(FieldErrors::one("comment", m))
        } else {
            AppError::Conflict(m)
        }
    })?;
    let mut tx = c.state.db.begin().await?;
    // The state in the statement guards against two people acting at once.
    let issued_at = (to == State::Issued).then_some(c.now);
    let n = tx
        .exec(
            Query::new("update drafting_tasks set state = $1, issued_at = coalesce($2, issued_at), updated_at = $3 where id = $4 and state = $5")
                .bind(to.code())
                .bind(issued_at)
                .bind(c.now)
                .bind(task_id)
                .bind(from.code()),
        )
        .await?;
    if n == 0 {
        return Err(AppError::Conflict(Msg::new("文稿状态已被他人改变，请刷新后再试")));
    }
    tx.exec(
        Query::new(
            "insert into drafting_events (task_id, action, from_state, to_state, version_no, comment, by_id, at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(task_id)
        .bind(step.code())
        .bind(from.code())
        .bind(to.code())
        .bind(t.versions)
        .bind(comment)
        .bind(c.account())
        .bind(c.now),
    )
    .await?;
    notify_next(c, &mut tx, &t, to, comment).await?;
    let ev = Event::new("drafting.step", "drafting_task", task_id)
        .summary(format!(
            "{}：{} → {}{}",
            t.code,
            from.label(),
            to.label(),
            if comment.is_empty() { String::new() } else { format!("（{comment}）") }
        ))
        .after(&serde_json::json!({ "step": step.code(), "version": t.versions }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(to)
}

/// Tells the next person in the chain.
async fn notify_next(c: &Caller<'_>, tx: &mut Tx, t: &Task, to: State, comment: &str) -> AppResult<()> {
    use crate::notify::{self, Outgoing};
    let link = format!("/drafting/{}", t.id);
    let (who, title): (Vec<i64>, String) = match to {
        State::Review => (vec![t.reviewer_id], format!("待审核文稿：{}", t.title)),
        State::Check => (vec![t.checker_id], format!("待把关文稿：{}", t.title)),
        State::Drafting => {
            let ids: Vec<(i64,)> = tx
                .all(Query::new("select account_id from drafting_drafters where task_id = $1").bind(t.id))
                .await?;
            (ids.into_iter().map(|(i,)| i).collect(), format!("文稿被退回修改：{}", t.title))
        }
        State::Final => {
            let ids: Vec<(i64,)> = tx
                .all(Query::new("select account_id from drafting_drafters where task_id = $1").bind(t.id))
                .await?;
            (ids.into_iter().map(|(i,)| i).collect(), format!("文稿已定稿：{}", t.title))
        }
        State::Issued => (Vec::new(), String::new()),
    };
    for account in who {
        notify::send(
            tx,
            account,
            &Outgoing { kind: "drafting.step", title: &title, body: comment, link: &link },
            c.now,
        )
        .await?;
    }
    Ok(())
}

/// A step of a task's history.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HistoryRow {
    /// Step code.
    pub action: String,
    /// From state.
    pub from_state: String,
    /// To state.
    pub to_state: String,
    /// The version it concerned.
    pub version_no: Option<i64>,
    /// Comments.
    pub comment: String,
    /// By.
    pub by_name: String,
    /// At.
    pub at: Ts,
}

/// The history, oldest first.
pub async fn events(db: &Db, task_id: i64) -> DbResult<Vec<HistoryRow>> {
    db.all(
        Query::new(
            "select e.action, e.from_state, e.to_state, e.version_no, e.comment, coalesce(a.display_name, '') as by_name, e.at \
             from drafting_events e left join accounts a on a.id = e.by_id where e.task_id = $1 order by e.id",
        )
        .bind(task_id),
    )
    .await
}

/// Where an issued text was published.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Publication {
    /// Id.
    pub id: i64,
    /// Outlet (《某某日报》, a government site, an internal bulletin).
    pub outlet: String,
    /// Date.
    pub published_on: Date,
    /// Reach (转载、阅读量、发放范围).
    pub reach: String,
    /// Note.
    pub note: String,
}

/// A publication as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PublicationInput {
    /// Outlet.
    pub outlet: String,
    /// Date.
    pub published_on: String,
    /// Reach.
    pub reach: String,
    /// Note.
    pub note: String,
}

/// Publications of a task.
pub async fn publications(db: &Db, task_id: i64) -> DbResult<Vec<Publication>> {
    db.all(
        Query::new("select id, outlet, published_on, reach, note from drafting_publications where task_id = $1 order by published_on, id")
            .bind(task_id),
    )
    .await
}

/// Records a publication of an issued text.
pub async fn add_publication(c: &Caller<'_>, task_id: i64, input: &PublicationInput) -> AppResult<i64> {
    c.who.require(Module::Drafting, Action::Write)?;
    let t = visible(c, task_id).await?;
    if t.state() != State::Issued {
        return Err(AppError::Conflict(Msg::new("文稿印发后才能登记刊发情况")));
    }
    let mut check = Check::default();
    let outlet = check.take("outlet", required(&input.outlet, 100));
    let on = check.take("published_on", date(&input.published_on));
    let reach = check.take("reach", optional(&input.reach, 100));
    let note = check.take("note", optional(&input.note, 500));
    let (outlet, on, reach, note) = check.finish(|| Some((outlet?, on?, reach?, note?)))?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into drafting_publications (task_id, outlet, published_on, reach, note, created_by, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7) returning id",
            )
            .bind(task_id)
            .bind(outlet.as_str())
            .bind(on)
            .bind(reach)
            .bind(note)
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    let ev = Event::new("drafting.publication", "drafting_task", task_id)
        .summary(format!("{}刊发于{outlet}（{on}）", t.code));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}
