//! Four-colour supervision for reform tasks (R4), on the shared engine.
//!
//! The colour lives on the task row (filterable and countable in SQL) with
//! the reason in words. It is recomputed inside the transaction of every change
//! to a task, and for every active task once a day. A change is kept in the
//! colour history; a task turning yellow notifies its lead unit, turning red
//! notifies its leader in charge.

use std::collections::HashMap;

use time::Date;

use super::store::ColourInput;
use crate::clock::Ts;
use crate::db::{DbResult, Query, Sql, Tx};
use crate::deadline::{Colour, Milestone, Rules, Subject, assess};
use crate::notify::{self, Outgoing};

/// A task whose colour changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The task.
    pub task_id: i64,
    /// Before.
    pub from: String,
    /// After.
    pub to: Colour,
}

const INPUT: &str = "select id, start_on, deadline, progress, finished_on, status, colour, colour_reason, lead_unit_id, \
     leader_account_id, title from reform_tasks";

/// Accounts of a unit that work on reform (any reform permission).
pub async fn reform_accounts(tx: &mut Tx, unit_id: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = tx
        .all(
            Query::new(
                "select distinct a.id from accounts a join account_roles ar on ar.account_id = a.id \
                 join role_permissions rp on rp.role_id = ar.role_id \
                 where a.unit_id = $1 and a.status = 'active' and rp.module = 'reform' order by a.id",
            )
            .bind(unit_id),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Recomputes the colour of the given tasks (all active ones when `ids` is none),
/// inside the caller's transaction; returns what changed.
pub async fn refresh(
    tx: &mut Tx,
    ids: Option<&[i64]>,
    rules: &Rules,
    today: Date,
    now: Ts,
) -> DbResult<Vec<Change>> {
    let mut sql = Sql::new(INPUT);
    match ids {
        Some(ids) => {
            sql.push(" where id in ").bind_list(ids.iter().copied());
        }
        None => {
            sql.push(" where status = 'active'");
        }
    }
    let tasks: Vec<ColourInput> = tx.all(sql.build()).await?;
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let mut msql =
        Sql::new("select task_id, name, due_on, done_on from reform_milestones where done_on is null");
    match ids {
        Some(ids) => {
            msql.push(" and task_id in ").bind_list(ids.iter().copied());
        }
        None => {
            msql.push(" and task_id in (select id from reform_tasks where status = 'active')");
        }
    }
    let rows: Vec<(i64, String, Date, Option<Date>)> = tx.all(msql.build()).await?;
    let mut by_task: HashMap<i64, Vec<(String, Date, Option<Date>)>> = HashMap::new();
    for (task, name, due, done) in rows {
        by_task.entry(task).or_default().push((name, due, done));
    }
    let mut changes = Vec::new();
    // Filled as the loop goes and written together after it: a run that turns
    // thousands of tasks (an import, the daily run) costs a few statements.
    let mut recoloured: Vec<(i64, &'static str, String)> = Vec::new();
    let mut history: Vec<(i64, &'static str, String)> = Vec::new();
    let mut notices: Vec<(i64, &'static str, String, String, String)> = Vec::new();
    let mut unit_accounts: HashMap<i64, Vec<i64>> = HashMap::new();
    for t in &tasks {
        let owned = by_task.remove(&t.id).unwrap_or_default();
        let milestones: Vec<Milestone<'_>> =
            owned.iter().map(|(name, due, done)| Milestone { name, due: *due, done_on: *done }).collect();
        let a = match t.status.as_str() {
            "active" | "done" => assess(
                &Subject {
                    finished_on: t.finished_on,
                    start: t.start_on,
                    deadline: t.deadline,
                    progress: Some(t.progress),
                    milestones: &milestones,
                },
                rules,
                today,
            ),
            // Suspended and cancelled tasks keep the colour they had.
            _ => continue,
        };
        let reason = a.reason_text();
        if a.colour.code() == t.colour && reason == t.colour_reason {
            continue;
        }
        recoloured.push((t.id, a.colour.code(), reason.clone()));
        if a.colour.code() == t.colour {
            continue;
        }
        history.push((t.id, a.colour.code(), reason.clone()));
        let before = Colour::parse(&t.colour).unwrap_or(Colour::Green);
        let link = format!("/reform/tasks/{}", t.id);
        let turned = |c: Colour| a.colour == c && before < c;
        if turned(Colour::Yellow) || turned(Colour::Red) {
            let (kind, title) = if turned(Colour::Red) {
                ("reform.red", format!("改革任务转为红色逾期：{}", t.title))
            } else {
                ("reform.yellow", format!("改革任务转为黄色预警：{}", t.title))
            };
            // Yellow goes to the lead unit; red to the leader in charge, or
            // the lead unit when no leader is named.
            let to: Vec<i64> = match t.leader_account_id {
                Some(leader) if turned(Colour::Red) => vec![leader],
                _ => match unit_accounts.get(&t.lead_unit_id) {
                    Some(found) => found.clone(),
                    None => {
                        let found = reform_accounts(tx, t.lead_unit_id).await?;
                        unit_accounts.insert(t.lead_unit_id, found.clone());
                        found
                    }
                },
            };
            for account in to {
                notices.push((account, kind, title.clone(), reason.clone(), link.clone()));
            }
        }
        changes.push(Change { task_id: t.id, from: t.colour.clone(), to: a.colour });
    }
    for chunk in recoloured.chunks(500) {
        let mut sql =
            Sql::new("update reform_tasks set colour = v.column2, colour_reason = v.column3, colour_at = ");
        sql.bind(now).push(" from (values ");
        for (i, (task, colour, reason)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" }).bind(*task).push(", ").bind(*colour).push(", ");
            sql.bind(reason.clone()).push(")");
        }
        sql.push(") as v where reform_tasks.id = v.column1");
        tx.exec(sql.build()).await?;
    }
    for chunk in history.chunks(500) {
        let mut sql = Sql::new("insert into reform_colour_history (task_id, colour, reason, at) values ");
        for (i, (task, colour, reason)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" }).bind(*task).push(", ").bind(*colour).push(", ");
            sql.bind(reason.clone()).push(", ").bind(now).push(")");
        }
        tx.exec(sql.build()).await?;
    }
    let outgoing: Vec<(i64, Outgoing<'_>)> = notices
        .iter()
        .map(|(account, kind, title, body, link)| (*account, Outgoing { kind, title, body, link }))
        .collect();
    notify::send_many(tx, &outgoing, now).await?;
    Ok(changes)
}
