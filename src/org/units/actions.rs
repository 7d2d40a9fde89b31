//! Unit changes, shared by the pages and the API. Each is one transaction with
//! its audit record; each checks the data scope on every unit it touches.

use serde::Serialize;

use super::model::{self, UnitInput};
use super::store::{self, UNIT_REFERENCES, Unique, Unit};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Target};
use crate::db::{Query, Sql, Tx, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::id;

fn target(u: &Unit) -> Target<'_> {
    Target { unit_id: u.id, unit_path: &u.path, owner_id: u.created_by }
}

/// Loads a unit the caller may act on, or 404/403.
pub async fn reachable(c: &Caller<'_>, unit_id: i64, action: Action) -> AppResult<Unit> {
    let unit = store::get(&c.state.db, unit_id).await?.ok_or(AppError::NotFound)?;
    c.who.require_on(Module::Org, action, target(&unit))?;
    Ok(unit)
}

/// Checks that a record of `module` may be placed in `unit_id`: the unit exists,
/// is active, and the caller may write `module` there. Errors are reported on
/// the form field `field`. People, accounts and party branches all use it.
pub async fn check_placement(c: &Caller<'_>, module: Module, unit_id: i64, field: &str) -> AppResult<()> {
    let unit: Option<(String, String)> =
        c.state.db.opt(Query::new("select path, status from units where id = $1").bind(unit_id)).await?;
    let Some((path, status)) = unit else {
        return Err(FieldErrors::one(field, Msg::new("所在单位不存在")).into());
    };
    if status != "active" {
        return Err(FieldErrors::one(field, Msg::new("所在单位已停用")).into());
    }
    c.who.require_on(
        module,
        Action::Write,
        Target { unit_id, unit_path: &path, owner_id: Some(c.who.account_id) },
    )
}

async fn check_kind(c: &Caller<'_>, kind: &str) -> AppResult<()> {
    if crate::dicts::store::is_enabled(&c.state.db, "unit_kind", kind).await? {
        Ok(())
    } else {
        Err(FieldErrors::one("kind", Msg::new("请选择有效的机构类型")).into())
    }
}

fn duplicate_code(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e) {
        FieldErrors::one("code", Msg::new("该机构代码已被其他单位使用")).into()
    } else {
        e.into()
    }
}

/// Creates a unit under the parent named in the input.
pub async fn create(c: &Caller<'_>, input: &UnitInput) -> AppResult<i64> {
    c.who.require(Module::Org, Action::Write)?;
    let fields = input.parse();
    let parent_id = id(&input.parent_id).map_err(|m| FieldErrors::one("parent_id", m));
    let (fields, parent_id) = match (fields, parent_id) {
        (Ok(f), Ok(p)) => (f, p),
        (f, p) => {
            let mut errors = f.err().unwrap_or_default();
            if let Err(e) = p {
                errors.0.extend(e.0);
            }
            return Err(errors.into());
        }
    };
    check_kind(c, &fields.kind).await?;
    let parent = store::get(&c.state.db, parent_id)
        .await?
        .ok_or_else(|| FieldErrors::one("parent_id", Msg::new("上级单位不存在")))?;
    c.who.require_on(Module::Org, Action::Write, target(&parent))?;
    if parent.status != "active" {
        return Err(FieldErrors::one("parent_id", Msg::new("上级单位已停用")).into());
    }
    let mut tx = c.state.db.begin().await?;
    if store::sibling_has_name(&mut tx, Some(parent.id), &fields.name, None).await? {
        return Err(FieldErrors::one("name", Msg::new("同一上级单位下已有同名单位")).into());
    }
    let id = store::insert(
        &mut tx,
        Some((parent.id, &parent.path, parent.depth)),
        &fields,
        Some(c.who.account_id),
        c.now,
    )
    .await
    .map_err(duplicate_code)?;
    let ev = Event::new("unit.create", "unit", id)
        .summary(format!("在“{}”下新增单位“{}”", parent.name, fields.name))
        .after(&fields);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a unit's own fields.
pub async fn update(c: &Caller<'_>, unit_id: i64, input: &UnitInput) -> AppResult<()> {
    let unit = reachable(c, unit_id, Action::Write).await?;
    let fields = input.parse()?;
    check_kind(c, &fields.kind).await?;
    let mut tx = c.state.db.begin().await?;
    if store::sibling_has_name(&mut tx, unit.parent_id, &fields.name, Some(unit.id)).await? {
        return Err(FieldErrors::one("name", Msg::new("同一上级单位下已有同名单位")).into());
    }
    store::update(&mut tx, unit.id, &fields, c.now).await.map_err(duplicate_code)?;
    let ev = Event::new("unit.update", "unit", unit.id)
        .summary(format!("修改单位“{}”", unit.name))
        .before(&snapshot(&unit))
        .after(&fields);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Serialize)]
struct Snapshot<'a> {
    name: &'a str,
    short_name: &'a str,
    code: Option<&'a str>,
    kind: &'a str,
    sort_order: i64,
    note: &'a str,
    parent_id: Option<i64>,
    status: &'a str,
}

fn snapshot(u: &Unit) -> Snapshot<'_> {
    Snapshot {
        name: &u.name,
        short_name: &u.short_name,
        code: u.code.as_deref(),
        kind: &u.kind,
        sort_order: u.sort_order,
        note: &u.note,
        parent_id: u.parent_id,
        status: &u.status,
    }
}

/// Moves a unit (with everything below it) under another parent.
pub async fn move_to(c: &Caller<'_>, unit_id: i64, parent_raw: &str) -> AppResult<()> {
    let unit = reachable(c, unit_id, Action::Write).await?;
    let parent_id = id(parent_raw).map_err(|m| FieldErrors::one("parent_id", m))?;
    let parent = store::get(&c.state.db, parent_id)
        .await?
        .ok_or_else(|| FieldErrors::one("parent_id", Msg::new("目标上级单位不存在")))?;
    c.who.require_on(Module::Org, Action::Write, target(&parent))?;
    model::check_move(&unit.path, &parent.path, parent.status == "active")
        .map_err(|m| FieldErrors::one("parent_id", m))?;
    if unit.parent_id == Some(parent.id) {
        return Ok(());
    }
    let mut tx = c.state.db.begin().await?;
    if store::sibling_has_name(&mut tx, Some(parent.id), &unit.name, Some(unit.id)).await? {
        return Err(FieldErrors::one("parent_id", Msg::new("目标上级单位下已有同名单位")).into());
    }
    let moved = store::move_subtree(&mut tx, &unit, &parent, c.now).await?;
    let ev = Event::new("unit.move", "unit", unit.id)
        .summary(format!("将“{}”（含下级共{moved}个单位）调整到“{}”之下", unit.name, parent.name))
        .before(&serde_json::json!({ "parent_id": unit.parent_id, "path": unit.path }))
        .after(&serde_json::json!({ "parent_id": parent.id }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables a unit that has no active children and no active accounts.
pub async fn disable(c: &Caller<'_>, unit_id: i64) -> AppResult<()> {
    let unit = reachable(c, unit_id, Action::Write).await?;
    if unit.parent_id.is_none() {
        return Err(AppError::Conflict(Msg::new("根单位不能停用")));
    }
    if unit.status != "active" {
        return Err(AppError::Conflict(Msg::new("该单位当前不是正常状态")));
    }
    let usage = store::usage(&c.state.db, unit.id).await?;
    if usage.active_children > 0 {
        return Err(AppError::Conflict(
            Msg::new("该单位还有{n}个正常的下级单位，请先停用或调整下级单位").arg("n", usage.active_children),
        ));
    }
    if usage.active_accounts > 0 {
        return Err(AppError::Conflict(
            Msg::new("该单位还有{n}个启用的账户，请先停用或调整这些账户").arg("n", usage.active_accounts),
        ));
    }
    set_status(c, &unit, "disabled", "unit.disable", format!("停用单位“{}”", unit.name)).await
}

/// Re-enables a disabled unit whose parent is active.
pub async fn enable(c: &Caller<'_>, unit_id: i64) -> AppResult<()> {
    let unit = reachable(c, unit_id, Action::Write).await?;
    if unit.status != "disabled" {
        return Err(AppError::Conflict(Msg::new("只有已停用的单位可以启用")));
    }
    if let Some(pid) = unit.parent_id {
        let parent = store::get(&c.state.db, pid).await?.ok_or(AppError::NotFound)?;
        if parent.status != "active" {
            return Err(AppError::Conflict(Msg::new("上级单位已停用，请先启用上级单位")));
        }
    }
    set_status(c, &unit, "active", "unit.enable", format!("启用单位“{}”", unit.name)).await
}

async fn set_status(
    c: &Caller<'_>,
    unit: &Unit,
    status: &str,
    action: &'static str,
    summary: String,
) -> AppResult<()> {
    let mut tx = c.state.db.begin().await?;
    store::set_status(&mut tx, unit.id, status, None, c.now).await?;
    let ev = Event::new(action, "unit", unit.id)
        .summary(summary)
        .before(&serde_json::json!({ "status": unit.status }))
        .after(&serde_json::json!({ "status": status }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Merges `source` into `target`: its children move under the target, and
/// every record of the source (people, accounts, branches, attachments …)
/// passes to the target. The source stays, marked as merged, for history.
pub async fn merge(c: &Caller<'_>, source_id: i64, target_raw: &str) -> AppResult<()> {
    let source = reachable(c, source_id, Action::Write).await?;
    let target_id = id(target_raw).map_err(|m| FieldErrors::one("target_id", m))?;
    let dest = store::get(&c.state.db, target_id)
        .await?
        .ok_or_else(|| FieldErrors::one("target_id", Msg::new("目标单位不存在")))?;
    c.who.require_on(Module::Org, Action::Write, target(&dest))?;
    if source.parent_id.is_none() || source.status != "active" {
        return Err(AppError::Conflict(Msg::new("只有正常状态的非根单位可以合并")));
    }
    model::check_merge(&source.path, &dest.path, dest.status == "active")
        .map_err(|m| FieldErrors::one("target_id", m))?;
    let mut tx = c.state.db.begin().await?;
    let kids: Vec<(i64,)> =
        tx.all(Query::new("select id from units where parent_id = $1 order by id").bind(source.id)).await?;
    for (kid,) in &kids {
        let child = store::get_tx(&mut tx, *kid).await?.ok_or(AppError::NotFound)?;
        let dest_now = store::get_tx(&mut tx, dest.id).await?.ok_or(AppError::NotFound)?;
        store::move_subtree(&mut tx, &child, &dest_now, c.now).await?;
    }
    let moved_records = reassign(&mut tx, source.id, dest.id).await?;
    store::set_status(&mut tx, source.id, "merged", Some(dest.id), c.now).await?;
    let ev = Event::new("unit.merge", "unit", source.id)
        .summary(format!(
            "将“{}”并入“{}”：下级单位{}个、相关记录{}条随之转入",
            source.name,
            dest.name,
            kids.len(),
            moved_records
        ))
        .before(&snapshot(&source))
        .after(&serde_json::json!({ "merged_into": dest.id }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Points every unit reference from `from` to `to`; returns rows changed.
async fn reassign(tx: &mut Tx, from: i64, to: i64) -> AppResult<u64> {
    let mut total = 0;
    for (table, column, unique) in UNIT_REFERENCES {
        let keys: &[&str] = match unique {
            Unique::No | Unique::Alone => &[],
            Unique::With(keys) => keys,
        };
        if !matches!(unique, Unique::No) {
            // Where the target already has the row this one would become, drop this one.
            let mut sql = Sql::new("delete from ");
            sql.push(table).push(" where ").push(column).push(" = ").bind(from);
            sql.push(" and exists (select 1 from ")
                .push(table)
                .push(" x where x.")
                .push(column)
                .push(" = ")
                .bind(to);
            for k in keys {
                sql.push(" and x.").push(k).push(" = ").push(table).push(".").push(k);
            }
            sql.push(")");
            tx.exec(sql.build()).await?;
        }
        let mut sql = Sql::new("update ");
        sql.push(table)
            .push(" set ")
            .push(column)
            .push(" = ")
            .bind(to)
            .push(" where ")
            .push(column)
            .push(" = ")
            .bind(from);
        total += tx.exec(sql.build()).await?;
    }
    Ok(total)
}
