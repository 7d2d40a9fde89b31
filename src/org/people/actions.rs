//! People changes, shared by the pages and the API; each one transaction with
//! its audit record and a scope check on every unit involved.

use super::model::{MentoringInput, PersonInput, PostingInput};
use super::store::{self, Person};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Target};
use crate::db::Query;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;

fn target(p: &Person) -> Target<'_> {
    Target { unit_id: p.unit_id, unit_path: &p.unit_path, owner_id: p.created_by }
}

/// Loads a person the caller may act on, or 404/403.
pub async fn reachable(c: &Caller<'_>, id: i64, action: Action) -> AppResult<Person> {
    let p = store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    c.who.require_on(Module::People, action, target(&p))?;
    Ok(p)
}

/// Checks the unit, level and branch a person is placed in.
async fn check_refs(c: &Caller<'_>, unit_id: i64, level: &str, branch: Option<i64>) -> AppResult<()> {
    crate::org::units::actions::check_placement(c, Module::People, unit_id, "unit_id").await?;
    if !level.is_empty() && !crate::dicts::store::is_enabled(&c.state.db, "cadre_level", level).await? {
        return Err(FieldErrors::one("cadre_level", Msg::new("请选择有效的干部层级")).into());
    }
    if let Some(b) = branch {
        let n: i64 = c
            .state
            .db
            .scalar(
                Query::new("select count(*) from party_branches where id = $1 and status = 'active'").bind(b),
            )
            .await?;
        if n == 0 {
            return Err(FieldErrors::one("branch_id", Msg::new("党支部不存在或已撤销")).into());
        }
    }
    Ok(())
}

/// Adds a person.
pub async fn create(c: &Caller<'_>, input: &PersonInput) -> AppResult<i64> {
    c.who.require(Module::People, Action::Write)?;
    let f = input.parse()?;
    check_refs(c, f.unit_id, &f.cadre_level, f.branch_id).await?;
    let mut tx = c.state.db.begin().await?;
    let id = store::insert(&mut tx, &f, c.who.account_id, c.now).await?;
    let ev = Event::new("person.create", "person", id).summary(format!("新增人员“{}”", f.name)).after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a person.
pub async fn update(c: &Caller<'_>, id: i64, input: &PersonInput) -> AppResult<()> {
    let before = reachable(c, id, Action::Write).await?;
    let f = input.parse()?;
    check_refs(c, f.unit_id, &f.cadre_level, f.branch_id).await?;
    let mut tx = c.state.db.begin().await?;
    store::update(&mut tx, id, &f, c.now).await?;
    let ev = Event::new("person.update", "person", id)
        .summary(format!("修改人员“{}”", before.name))
        .before(&before)
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Pairs the person (mentor) with a mentee.
pub async fn add_pair(c: &Caller<'_>, mentor_id: i64, input: &MentoringInput) -> AppResult<i64> {
    let mentor = reachable(c, mentor_id, Action::Write).await?;
    let f = input.parse(mentor_id)?;
    let mentee = store::get(&c.state.db, f.mentee_id)
        .await?
        .ok_or_else(|| FieldErrors::one("mentee_id", Msg::new("人员不存在")))?;
    c.who.require_on(Module::People, Action::Write, target(&mentee))?;
    let mut tx = c.state.db.begin().await?;
    let id = store::insert_pair(&mut tx, mentor_id, &f, c.now).await?;
    let ev = Event::new("person.mentoring", "person", mentor_id)
        .summary(format!("“{}”与“{}”结对帮带", mentor.name, mentee.name))
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends a mentoring pair today.
pub async fn end_pair(c: &Caller<'_>, person_id: i64, pair_id: i64) -> AppResult<()> {
    let person = reachable(c, person_id, Action::Write).await?;
    let today = c.state.clock.today();
    let mut tx = c.state.db.begin().await?;
    let n = tx
        .exec(
            Query::new(
                "update mentoring_pairs set ended_on = $1 where id = $2 and ended_on is null \
                 and (mentor_id = $3 or mentee_id = $3)",
            )
            .bind(today)
            .bind(pair_id)
            .bind(person_id),
        )
        .await?;
    if n == 0 {
        return Err(AppError::Conflict(Msg::new("该结对已结束或不属于此人")));
    }
    let ev = Event::new("person.mentoring_end", "person", person_id)
        .summary(format!("结束“{}”的一项结对帮带", person.name));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a rotation, shadowing or secondment.
pub async fn add_posting(c: &Caller<'_>, person_id: i64, input: &PostingInput) -> AppResult<i64> {
    let person = reachable(c, person_id, Action::Write).await?;
    let f = input.parse()?;
    let dest: Option<(String,)> = c
        .state
        .db
        .opt(Query::new("select name from units where id = $1 and status = 'active'").bind(f.to_unit_id))
        .await?;
    let Some((dest_name,)) = dest else {
        return Err(FieldErrors::one("to_unit_id", Msg::new("交流单位不存在或已停用")).into());
    };
    let mut tx = c.state.db.begin().await?;
    let id = store::insert_posting(&mut tx, person_id, person.unit_id, &f, c.now).await?;
    let ev = Event::new("person.posting", "person", person_id)
        .summary(format!("登记“{}”到“{}”交流任职", person.name, dest_name))
        .after(&f);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// The people ledger as xlsx (audited); returns (file name, bytes).
pub async fn export(c: &Caller<'_>, f: &store::PersonFilter) -> AppResult<(String, Vec<u8>)> {
    use crate::export::{Cell, workbook};
    let scope = c.who.require(Module::People, Action::Export)?;
    let people = store::all_in_scope(&c.state.db, &scope, f, 100_000).await?;
    let yes = |b: bool| if b { "是" } else { "否" };
    let rows: Vec<Vec<Cell>> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                Cell::from(i as i64 + 1),
                p.name.as_str().into(),
                p.gender.as_str().into(),
                p.birth_date.map(|d| d.to_string()).into(),
                p.unit_name.as_str().into(),
                p.position.as_str().into(),
                p.cadre_label.as_str().into(),
                yes(p.reserve_cadre).into(),
                yes(p.party_member).into(),
                p.branch_name.as_deref().into(),
                if p.status == "active" { "在职" } else { "已离开" }.into(),
            ]
        })
        .collect();
    let bytes = workbook(
        "人员信息",
        &[
            "序号",
            "姓名",
            "性别",
            "出生日期",
            "所在单位",
            "职务",
            "干部层级",
            "后备干部",
            "中共党员",
            "所在党支部",
            "状态",
        ],
        &rows,
    )?;
    let mut tx = c.state.db.begin().await?;
    let ev = Event::new("export.people", "person", "").summary(format!("导出人员信息{}条", people.len()));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(("人员信息".to_string(), bytes))
}
