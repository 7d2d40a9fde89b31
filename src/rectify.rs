//! Rectification items (整改事项): something found wrong, owned by a unit, due
//! by a date, closed with evidence. Any feature can raise them — reform
//! inspection findings now, grassroots issues and supervision later — and
//! they all share this table, this colour logic (on the `deadline` engine) and
//! this list. Permissions follow the module of the source (reform for now):
//! Read to see, Write to close one's own unit's items with evidence, Approve
//! to raise and reopen.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::app::Caller;
use crate::attachments::actions::{Checked, Owner, save};
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Scope, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::deadline::{Colour, Rules, Subject, assess};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::notify::{self, Outgoing};
use crate::validate::{Check, date, optional_id, required};
use crate::web::list::Paging;

/// The module whose permissions govern items of a source type.
pub fn module_of(_source_type: &str) -> Module {
    Module::Reform
}

/// An item as lists show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Item {
    /// Id.
    pub id: i64,
    /// What raised it (`reform_finding`).
    pub source_type: String,
    /// Its id.
    pub source_id: i64,
    /// The responsible unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path.
    pub unit_path: String,
    /// The person in charge (account).
    pub owner_account_id: Option<i64>,
    /// Their name.
    pub owner_name: Option<String>,
    /// What is to be put right.
    pub description: String,
    /// By when.
    pub deadline: Date,
    /// `open` or `closed`.
    pub status: String,
    /// When it was closed.
    pub closed_on: Option<Date>,
    /// What shows it was put right.
    pub evidence: String,
    /// Colour code.
    pub colour: String,
    /// Why.
    pub colour_reason: String,
    /// Raised by.
    pub created_by: Option<i64>,
    /// Raised at.
    pub created_at: Ts,
}

const SELECT: &str = "select r.id, r.source_type, r.source_id, r.unit_id, u.name as unit_name, u.path as unit_path, \
     r.owner_account_id, o.display_name as owner_name, r.description, r.deadline, r.status, r.closed_on, r.evidence, \
     r.colour, r.colour_reason, r.created_by, r.created_at \
     from rectifications r join units u on u.id = r.unit_id left join accounts o on o.id = r.owner_account_id";

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ItemFilter {
    /// `open` (default), `closed` or `all`.
    pub status: String,
    /// Colour code.
    pub colour: String,
    /// Unit id.
    pub unit: String,
    /// Part of the description.
    pub q: String,
    /// Paging.
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: Paging,
}

fn filter_where(sql: &mut Sql, scope: &Scope, f: &ItemFilter, with_colour: bool) {
    sql.push(" where ");
    scope.filter(sql, "r.unit_id", Some("r.created_by"));
    match f.status.as_str() {
        "all" => {}
        "closed" => {
            sql.push(" and r.status = 'closed'");
        }
        _ => {
            sql.push(" and r.status = 'open'");
        }
    }
    if with_colour && !f.colour.trim().is_empty() {
        sql.push(" and r.colour = ").bind(f.colour.trim().to_string());
    }
    if let Ok(u) = f.unit.trim().parse::<i64>() {
        sql.push(" and r.unit_id = ").bind(u);
    }
    if !f.q.trim().is_empty() {
        sql.push(" and r.description like ").bind_contains(f.q.trim());
    }
}

/// Sort keys.
pub const SORTS: &[(&str, &str)] = &[("deadline", "r.deadline"), ("unit", "u.path")];

/// A page of items in scope and how many match.
pub async fn list(db: &Db, scope: &Scope, f: &ItemFilter) -> DbResult<(Vec<Item>, i64)> {
    let mut count = Sql::new("select count(*) from rectifications r");
    filter_where(&mut count, scope, f, true);
    let total: i64 = db.scalar(count.build()).await?;
    let mut sql = Sql::new(SELECT);
    filter_where(&mut sql, scope, f, true);
    f.paging.order_and_limit(&mut sql, SORTS, "r.deadline");
    Ok((db.all(sql.build()).await?, total))
}

/// Items per colour (ignoring the colour filter).
pub async fn colour_counts(db: &Db, scope: &Scope, f: &ItemFilter) -> DbResult<Vec<(String, i64)>> {
    let mut sql = Sql::new("select r.colour, count(*) from rectifications r");
    filter_where(&mut sql, scope, f, false);
    sql.push(" group by r.colour");
    db.all(sql.build()).await
}

/// Items raised by one source.
pub async fn for_source(db: &Db, source_type: &str, ids: &[i64]) -> DbResult<Vec<Item>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(SELECT);
    sql.push(" where r.source_type = ")
        .bind(source_type.to_string())
        .push(" and r.source_id in ")
        .bind_list(ids.iter().copied());
    sql.push(" order by r.id");
    db.all(sql.build()).await
}

/// One item.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Item>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where r.id = ").bind(id);
    db.opt(sql.build()).await
}

/// A new item as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ItemInput {
    /// What is to be put right.
    pub description: String,
    /// By when.
    pub deadline: String,
    /// The person in charge (account id, optional).
    pub owner_account_id: String,
}

/// A validated new item.
#[derive(Clone, Debug, Serialize)]
pub struct ItemFields {
    /// Description.
    pub description: String,
    /// Deadline.
    pub deadline: Date,
    /// Owner.
    pub owner_account_id: Option<i64>,
}

impl ItemInput {
    /// Parses the fields.
    pub fn parse(&self) -> Result<ItemFields, FieldErrors> {
        let mut c = Check::default();
        let description = c.take("description", required(&self.description, 1000));
        let deadline = c.take("deadline", date(&self.deadline));
        let owner = c.take("owner_account_id", optional_id(&self.owner_account_id));
        c.finish(|| {
            Some(ItemFields { description: description?, deadline: deadline?, owner_account_id: owner? })
        })
    }
}

/// Raises an item inside the caller's transaction (the source's action
/// checks permissions); notifies the owner or the unit's accounts.
pub async fn raise(
    c: &Caller<'_>,
    tx: &mut Tx,
    (source_type, source_id): (&str, i64),
    unit_id: i64,
    f: &ItemFields,
) -> AppResult<i64> {
    if let Some(owner) = f.owner_account_id {
        let n: i64 = tx
            .scalar(
                Query::new(
                    "select count(*) from accounts where id = $1 and unit_id = $2 and status = 'active'",
                )
                .bind(owner)
                .bind(unit_id),
            )
            .await?;
        if n == 0 {
            return Err(FieldErrors::one("owner_account_id", Msg::new("责任人须是责任单位的在用账户")).into());
        }
    }
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into rectifications (source_type, source_id, unit_id, owner_account_id, description, deadline, \
                 created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
            )
            .bind(source_type)
            .bind(source_id)
            .bind(unit_id)
            .bind(f.owner_account_id)
            .bind(&f.description)
            .bind(f.deadline)
            .bind(c.who.account_id)
            .bind(c.now),
        )
        .await?;
    let rules = crate::deadline::settings::rules(&c.state.db, "rectification").await?;
    refresh(tx, Some(&[id]), &rules, c.today()).await?;
    let to = match f.owner_account_id {
        Some(o) => vec![o],
        None => crate::reform::colour::reform_accounts(tx, unit_id).await?,
    };
    let title = format!("请按期完成整改：{}", f.description.chars().take(40).collect::<String>());
    let body = format!("整改时限：{}", f.deadline);
    for a in to {
        notify::send(
            tx,
            a,
            &Outgoing {
                kind: "rectify.raised",
                title: &title,
                body: &body,
                link: &format!("/reform/rectifications/{id}"),
            },
            c.now,
        )
        .await?;
    }
    Ok(id)
}

/// Loads an item the caller may see.
pub async fn visible(c: &Caller<'_>, id: i64) -> AppResult<Item> {
    let item = get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    let t = Target { unit_id: item.unit_id, unit_path: &item.unit_path, owner_id: item.created_by };
    c.who.require_on(module_of(&item.source_type), Action::Read, t)?;
    Ok(item)
}

/// The closure form.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CloseInput {
    /// What was done and what shows it.
    pub evidence: String,
    /// When it was put right (default today).
    pub closed_on: String,
}

/// Closes an item with its evidence (and any file), by its unit.
pub async fn close(c: &Caller<'_>, id: i64, input: &CloseInput, file: Option<&Checked>) -> AppResult<()> {
    let item = visible(c, id).await?;
    let t = Target { unit_id: item.unit_id, unit_path: &item.unit_path, owner_id: None };
    c.who.require_on(module_of(&item.source_type), Action::Write, t)?;
    if item.status != "open" {
        return Err(AppError::Conflict(Msg::new("该整改事项已销号")));
    }
    let mut check = Check::default();
    let evidence = check.take("evidence", required(&input.evidence, 2000));
    let closed_on = check.take(
        "closed_on",
        crate::validate::optional_date(&input.closed_on).map(|d| d.unwrap_or_else(|| c.today())),
    );
    if let Some(d) = closed_on
        && d > c.today()
    {
        check.fail("closed_on", Msg::new("销号日期不能晚于今天"));
    }
    let (evidence, closed_on) = check.finish(|| Some((evidence?, closed_on?)))?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update rectifications set status = 'closed', closed_on = $1, evidence = $2, updated_at = $3 where id = $4")
            .bind(closed_on)
            .bind(evidence.clone())
            .bind(c.now)
            .bind(id),
    )
    .await?;
    if let Some(f) = file {
        save(c, &mut tx, f, &Owner { kind: "rectification".into(), id: id.to_string() }).await?;
    }
    let rules = crate::deadline::settings::rules(&c.state.db, "rectification").await?;
    refresh(&mut tx, Some(&[id]), &rules, c.today()).await?;
    let ev = Event::new("rectify.close", "rectification", id)
        .summary(format!("{}整改事项销号：{evidence}", item.unit_name))
        .before(&serde_json::json!({ "status": "open" }))
        .after(&serde_json::json!({ "status": "closed", "closed_on": closed_on, "evidence": evidence }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Reopens a closed item whose evidence did not hold, with a reason.
pub async fn reopen(c: &Caller<'_>, id: i64, reason: &str) -> AppResult<()> {
    let item = visible(c, id).await?;
    let t = Target { unit_id: item.unit_id, unit_path: &item.unit_path, owner_id: item.created_by };
    c.who.require_on(module_of(&item.source_type), Action::Approve, t)?;
    if item.status != "closed" {
        return Err(AppError::Conflict(Msg::new("只有已销号的整改事项可以重新打开")));
    }
    let reason = required(reason, 500).map_err(|_| FieldErrors::one("reason", Msg::new("请说明原因")))?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new(
            "update rectifications set status = 'open', closed_on = null, updated_at = $1 where id = $2",
        )
        .bind(c.now)
        .bind(id),
    )
    .await?;
    let rules = crate::deadline::settings::rules(&c.state.db, "rectification").await?;
    refresh(&mut tx, Some(&[id]), &rules, c.today()).await?;
    let ev = Event::new("rectify.reopen", "rectification", id)
        .summary(format!("{}整改事项重新打开：{reason}", item.unit_name));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Recomputes colours of the given items (all open ones when `ids` is none);
/// returns how many changed.
pub async fn refresh(tx: &mut Tx, ids: Option<&[i64]>, rules: &Rules, today: Date) -> DbResult<usize> {
    let mut sql =
        Sql::new("select id, created_at, deadline, closed_on, colour, colour_reason from rectifications");
    match ids {
        Some(ids) => {
            sql.push(" where id in ").bind_list(ids.iter().copied());
        }
        None => {
            sql.push(" where status = 'open'");
        }
    }
    let rows: Vec<(i64, Ts, Date, Option<Date>, String, String)> = tx.all(sql.build()).await?;
    let mut changed = 0;
    for (id, created, deadline, closed_on, colour, reason) in rows {
        // Items report no progress, so the start only bounds the period; the UTC date will do.
        let start = created.to_offset(time::UtcOffset::UTC).date().min(deadline);
        let a = assess(
            &Subject {
                finished_on: closed_on,
                start,
                deadline: Some(deadline),
                progress: None,
                milestones: &[],
            },
            rules,
            today,
        );
        let text = a.reason_text();
        if a.colour.code() == colour && text == reason {
            continue;
        }
        tx.exec(
            Query::new("update rectifications set colour = $1, colour_reason = $2 where id = $3")
                .bind(a.colour.code())
                .bind(text)
                .bind(id),
        )
        .await?;
        if a.colour != Colour::parse(&colour).unwrap_or(Colour::Green) {
            changed += 1;
        }
    }
    Ok(changed)
}
