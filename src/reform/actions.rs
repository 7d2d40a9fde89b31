//! Reform task changes, shared by the pages, the API and the ledger import.
//! Each is one transaction: the change, its stage event when the stage moves,
//! the colour refreshed, and the audit record.

use super::colour;
use super::model::{MilestoneInput, TaskFields, TaskInput};
use super::stage::{EvidenceInput, Stage, check_back, check_evidence};
use super::store::{self, Task};
use crate::app::Caller;
use crate::attachments::actions::{Checked, Owner, save};
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Target};
use crate::db::{Query, Sql, Tx};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;

fn lead_target(t: &Task) -> Target<'_> {
    Target { unit_id: t.lead_unit_id, unit_path: &t.lead_unit_path, owner_id: t.created_by }
}

/// True when `action` on `module` reaches the task's lead unit or one of its cooperating units.
pub async fn reaches(c: &Caller<'_>, t: &Task, action: Action) -> AppResult<bool> {
    let scope = c.who.scope(Module::Reform, action);
    if scope.is_empty() {
        return Ok(false);
    }
    if scope.allows(lead_target(t)) {
        return Ok(true);
    }
    let units = store::task_units(&c.state.db, t.id).await?;
    Ok(units
        .iter()
        .any(|(id, _, path)| scope.allows(Target { unit_id: *id, unit_path: path, owner_id: None })))
}

/// Loads a task the caller may see.
pub async fn visible_task(c: &Caller<'_>, id: i64) -> AppResult<Task> {
    c.who.require(Module::Reform, Action::Read)?;
    let t = store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    if reaches(c, &t, Action::Read).await? { Ok(t) } else { Err(AppError::Forbidden) }
}

/// Loads a task the caller may manage (the reform office, within its scope).
pub async fn managed_task(c: &Caller<'_>, id: i64) -> AppResult<Task> {
    let t = store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    c.who.require_on(Module::Reform, Action::Approve, lead_target(&t))?;
    Ok(t)
}

async fn check_refs(c: &Caller<'_>, f: &TaskFields) -> AppResult<()> {
    let db = &c.state.db;
    let mut errors = FieldErrors::default();
    if !crate::dicts::store::is_enabled(db, "reform_source", &f.source).await? {
        errors.add("source", Msg::new("请选择有效的任务来源"));
    }
    if !f.field.is_empty() && !crate::dicts::store::is_enabled(db, "reform_field", &f.field).await? {
        errors.add("field", Msg::new("请选择有效的改革领域"));
    }
    if let Some(l) = f.leader_account_id {
        let n: i64 = db
            .scalar(Query::new("select count(*) from accounts where id = $1 and status = 'active'").bind(l))
            .await?;
        if n == 0 {
            errors.add("leader_account_id", Msg::new("包保领导账户不存在或已停用"));
        }
    }
    for u in &f.unit_ids {
        let n: i64 = db
            .scalar(Query::new("select count(*) from units where id = $1 and status = 'active'").bind(*u))
            .await?;
        if n == 0 {
            errors.add("unit_ids", Msg::new("配合单位不存在或已停用"));
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    crate::org::units::actions::check_placement(c, Module::Reform, f.lead_unit_id, "lead_unit_id").await?;
    let path: String =
        db.scalar(Query::new("select path from units where id = $1").bind(f.lead_unit_id)).await?;
    c.who.require_on(
        Module::Reform,
        Action::Approve,
        Target { unit_id: f.lead_unit_id, unit_path: &path, owner_id: None },
    )
}

/// Recomputes a task's colour inside a transaction.
pub async fn recolour(c: &Caller<'_>, tx: &mut Tx, id: i64) -> AppResult<()> {
    let rules = crate::deadline::settings::rules(&c.state.db, "reform").await?;
    colour::refresh(tx, Some(&[id]), &rules, c.today(), c.now).await?;
    Ok(())
}

/// Puts tasks' texts in the search index inside a transaction.
pub async fn index(c: &Caller<'_>, tx: &mut Tx, ids: &[i64]) -> AppResult<()> {
    let seg = crate::text::segmenter(&c.state.db).await?;
    crate::search::index::refresh(tx, &seg, crate::search::Kind::ReformTask, ids, c.now).await?;
    Ok(())
}

/// Adds a task to the list (at 改革立项).
pub async fn create(c: &Caller<'_>, input: &TaskInput) -> AppResult<i64> {
    c.who.require(Module::Reform, Action::Approve)?;
    let f = input.parse()?;
    check_refs(c, &f).await?;
    let mut tx = c.state.db.begin().await?;
    let id =
        store::insert(&mut tx, &f, None, Stage::Approval.code(), 0, Some(c.who.account_id), c.now).await?;
    let at = Stage::Approval.code();
    event(c, &mut tx, id, "create", (at, at), "{}", "新增任务").await?;
    recolour(c, &mut tx, id).await?;
    index(c, &mut tx, &[id]).await?;
    let ev = Event::new("reform.task_create", "reform_task", id)
        .summary(format!("新增改革任务“{}”", f.title))
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a task's defining fields.
pub async fn update(c: &Caller<'_>, id: i64, input: &TaskInput) -> AppResult<()> {
    let before = managed_task(c, id).await?;
    let f = input.parse()?;
    check_refs(c, &f).await?;
    let mut tx = c.state.db.begin().await?;
    store::update(&mut tx, id, &f, c.now).await?;
    event(c, &mut tx, id, "update", (&before.stage, &before.stage), "{}", "修改任务信息").await?;
    recolour(c, &mut tx, id).await?;
    index(c, &mut tx, &[id]).await?;
    let ev = Event::new("reform.task_update", "reform_task", id)
        .summary(format!("修改改革任务“{}”", before.title))
        .before(&before)
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a milestone.
pub async fn add_milestone(c: &Caller<'_>, id: i64, input: &MilestoneInput) -> AppResult<i64> {
    let t = managed_task(c, id).await?;
    let (name, due) = input.parse()?;
    let mut tx = c.state.db.begin().await?;
    let mid: i64 = tx
        .scalar(
            Query::new(
                "insert into reform_milestones (task_id, name, due_on) values ($1, $2, $3) returning id",
            )
            .bind(id)
            .bind(name.clone())
            .bind(due),
        )
        .await?;
    tx.exec(Query::new("update reform_tasks set updated_at = $1 where id = $2").bind(c.now).bind(id)).await?;
    event(
        c,
        &mut tx,
        id,
        "milestone",
        (&t.stage, &t.stage),
        "{}",
        &format!("增加里程碑“{name}”，计划{due}完成"),
    )
    .await?;
    recolour(c, &mut tx, id).await?;
    let ev = Event::new("reform.milestone_add", "reform_task", id)
        .summary(format!("为“{}”增加里程碑“{name}”（{due}）", t.title));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(mid)
}

/// Marks a milestone reached today.
pub async fn milestone_done(c: &Caller<'_>, id: i64, milestone: i64) -> AppResult<()> {
    let t = managed_task(c, id).await?;
    let today = c.today();
    let mut tx = c.state.db.begin().await?;
    let name: Option<(String,)> = tx
        .opt(
            Query::new("select name from reform_milestones where id = $1 and task_id = $2")
                .bind(milestone)
                .bind(id),
        )
        .await?;
    let name = name.map(|(n,)| n).unwrap_or_default();
    let n = tx
        .exec(
            Query::new("update reform_milestones set done_on = $1 where id = $2 and task_id = $3 and done_on is null")
                .bind(today)
                .bind(milestone)
                .bind(id),
        )
        .await?;
    if n == 0 {
        return Err(AppError::Conflict(Msg::new("里程碑不存在或已完成")));
    }
    tx.exec(Query::new("update reform_tasks set updated_at = $1 where id = $2").bind(c.now).bind(id)).await?;
    event(c, &mut tx, id, "milestone", (&t.stage, &t.stage), "{}", &format!("里程碑“{name}”完成")).await?;
    recolour(c, &mut tx, id).await?;
    let ev = Event::new("reform.milestone_done", "reform_task", id)
        .summary(format!("“{}”的里程碑“{name}”已完成", t.title));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes one timeline line for each of many tasks (an import): `(task,
/// kind, stage, reason)`, the stage unchanged, in statements of 500 rows.
pub async fn events(c: &Caller<'_>, tx: &mut Tx, lines: &[(i64, &str, String, &str)]) -> AppResult<()> {
    for chunk in lines.chunks(500) {
        let mut sql = Sql::new(
            "insert into reform_task_events (task_id, from_stage, to_stage, kind, evidence, reason, at, by_account, by_name) values ",
        );
        for (i, (id, kind, stage, reason)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind(*id)
                .push(", ")
                .bind(stage.clone())
                .push(", ")
                .bind(stage.clone());
            sql.push(", ").bind(*kind).push(", '{}', ").bind(*reason).push(", ").bind(c.now).push(", ");
            sql.bind(c.account()).push(", ").bind(c.who.display_name.clone()).push(")");
        }
        tx.exec(sql.build()).await?;
    }
    Ok(())
}

/// Writes a line of the task's timeline: `kind` is `create`, `update`,
/// `forward`, `back`, `import`, `milestone` or `status`; `reason` is the words
/// shown (for stage moves, the reason for a step back).
pub async fn event(
    c: &Caller<'_>,
    tx: &mut Tx,
    id: i64,
    kind: &str,
    (from, to): (&str, &str),
    evidence: &str,
    reason: &str,
) -> AppResult<()> {
    tx.exec(
        Query::new(
            "insert into reform_task_events (task_id, from_stage, to_stage, kind, evidence, reason, at, by_account, by_name) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(kind)
        .bind(evidence)
        .bind(reason)
        .bind(c.now)
        .bind(c.account())
        .bind(c.who.display_name.clone()),
    )
    .await?;
    Ok(())
}

/// Closes the current stage with its evidence and opens the next. The plan
/// stage's document comes either as an attachment already on the task or as
/// `file`, stored in the same transaction as the stage change.
pub async fn advance(
    c: &Caller<'_>,
    id: i64,
    input: &EvidenceInput,
    file: Option<&Checked>,
) -> AppResult<Stage> {
    let t = managed_task(c, id).await?;
    if t.status != "active" {
        return Err(AppError::Conflict(Msg::new("只有推进中的任务可以办理阶段")));
    }
    let stage =
        Stage::parse(&t.stage).ok_or_else(|| AppError::Internal(anyhow::anyhow!("bad stage {}", t.stage)))?;
    let mut input = input.clone();
    if file.is_some() {
        // Stands in for the document until it is stored below.
        input.attachment_id = Some(0);
    }
    let mut evidence = check_evidence(stage, &input).map_err(|(field, m)| FieldErrors::one(field, m))?;
    if let (super::stage::Evidence::Plan { attachment_id, .. }, None) = (&evidence, file) {
        let owned: i64 = c
            .state
            .db
            .scalar(
                Query::new("select count(*) from attachments where id = $1 and owner_type = 'reform_task' and owner_ref = $2")
                    .bind(*attachment_id)
                    .bind(id.to_string()),
            )
            .await?;
        if owned == 0 {
            return Err(FieldErrors::one("attachment", Msg::new("方案文件须上传到本任务")).into());
        }
    }
    let next = stage.next().ok_or_else(|| AppError::Conflict(Msg::new("任务已结项")))?;
    let mut tx = c.state.db.begin().await?;
    if let (super::stage::Evidence::Plan { attachment_id, .. }, Some(f)) = (&mut evidence, file) {
        *attachment_id =
            save(c, &mut tx, f, &Owner { kind: "reform_task".into(), id: id.to_string() }).await?;
    }
    let json = serde_json::to_string(&evidence).map_err(|e| AppError::Internal(e.into()))?;
    if next == Stage::Done {
        let finished = match &evidence {
            super::stage::Evidence::Acceptance { date, .. } => *date,
            _ => c.today(),
        };
        tx.exec(
            Query::new("update reform_tasks set stage = $1, status = 'done', progress = 100, finished_on = $2, updated_at = $3 where id = $4")
                .bind(next.code())
                .bind(finished)
                .bind(c.now)
                .bind(id),
        )
        .await?;
    } else {
        tx.exec(
            Query::new("update reform_tasks set stage = $1, updated_at = $2 where id = $3")
                .bind(next.code())
                .bind(c.now)
                .bind(id),
        )
        .await?;
    }
    event(c, &mut tx, id, "forward", (stage.code(), next.code()), &json, "").await?;
    recolour(c, &mut tx, id).await?;
    let ev = Event::new("reform.stage_advance", "reform_task", id)
        .summary(format!("“{}”完成{}，进入{}", t.title, stage.label(), next.label()))
        .before(&serde_json::json!({ "stage": stage.code() }))
        .after(&serde_json::json!({ "stage": next.code(), "evidence": evidence }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(next)
}

/// Steps back one stage, with a reason.
pub async fn back(c: &Caller<'_>, id: i64, reason: &str) -> AppResult<Stage> {
    let t = managed_task(c, id).await?;
    if !matches!(t.status.as_str(), "active" | "done") {
        return Err(AppError::Conflict(Msg::new("只有推进中或已结项的任务可以退回阶段")));
    }
    let stage =
        Stage::parse(&t.stage).ok_or_else(|| AppError::Internal(anyhow::anyhow!("bad stage {}", t.stage)))?;
    let (to, reason) = check_back(stage, reason).map_err(|(field, m)| FieldErrors::one(field, m))?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update reform_tasks set stage = $1, status = 'active', finished_on = null, updated_at = $2 where id = $3")
            .bind(to.code())
            .bind(c.now)
            .bind(id),
    )
    .await?;
    event(c, &mut tx, id, "back", (stage.code(), to.code()), "{}", &reason).await?;
    recolour(c, &mut tx, id).await?;
    let ev = Event::new("reform.stage_back", "reform_task", id)
        .summary(format!("“{}”由{}退回{}：{reason}", t.title, stage.label(), to.label()))
        .before(&serde_json::json!({ "stage": stage.code() }))
        .after(&serde_json::json!({ "stage": to.code(), "reason": reason }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(to)
}

/// Suspends, resumes or cancels a task (with a reason).
pub async fn set_status(c: &Caller<'_>, id: i64, status: &str, reason: &str) -> AppResult<()> {
    let t = managed_task(c, id).await?;
    let allowed = matches!(
        (t.status.as_str(), status),
        ("active", "suspended" | "cancelled") | ("suspended", "active" | "cancelled")
    );
    if !allowed {
        return Err(AppError::Conflict(Msg::new("当前状态不能办理此操作")));
    }
    let reason = crate::validate::required(reason, 500)
        .map_err(|_| FieldErrors::one("reason", Msg::new("请说明原因")))?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update reform_tasks set status = $1, updated_at = $2 where id = $3")
            .bind(status)
            .bind(c.now)
            .bind(id),
    )
    .await?;
    let verb = match status {
        "suspended" => "暂缓",
        "cancelled" => "撤销",
        _ => "恢复推进",
    };
    event(c, &mut tx, id, "status", (&t.stage, &t.stage), "{}", &format!("{verb}：{reason}")).await?;
    recolour(c, &mut tx, id).await?;
    let ev = Event::new("reform.task_status", "reform_task", id)
        .summary(format!("{verb}改革任务“{}”：{reason}", t.title))
        .before(&serde_json::json!({ "status": t.status }))
        .after(&serde_json::json!({ "status": status, "reason": reason }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}
