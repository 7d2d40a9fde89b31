//! Unit SQL. Paths are rewritten in one statement when a subtree moves.

use serde::{Deserialize, Serialize};

use super::model::{UnitFields, child_path};
use crate::authz::Scope;
use crate::authz::model::subtree_range;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::web::list::Paging;

/// Whether a unit column is part of a unique key.
#[derive(Clone, Copy, Debug)]
pub enum Unique {
    /// It is not.
    No,
    /// It is a unique key by itself (one row per unit).
    Alone,
    /// It is, together with these columns.
    With(&'static [&'static str]),
}

/// Every column that holds a unit id, outside `units` itself, with any unique
/// key it belongs to. Merging a unit reassigns them all (first dropping the
/// merged unit's rows that would collide with the target's: a contact point
/// merged into another keeps the target's registry entry); a test compares
/// this list with the schema's foreign keys, so a feature that adds one cannot
/// forget it.
pub const UNIT_REFERENCES: &[(&str, &str, Unique)] = &[
    ("party_branches", "unit_id", Unique::No),
    ("persons", "unit_id", Unique::No),
    ("postings", "from_unit_id", Unique::No),
    ("postings", "to_unit_id", Unique::No),
    ("accounts", "unit_id", Unique::No),
    ("account_scope_units", "unit_id", Unique::With(&["account_id"])),
    ("attachments", "unit_id", Unique::No),
    ("reform_tasks", "lead_unit_id", Unique::No),
    ("reform_task_units", "unit_id", Unique::With(&["task_id"])),
    ("reform_reports", "unit_id", Unique::No),
    ("reform_unit_scores", "unit_id", Unique::With(&["year", "kind"])),
    ("reform_indicator_entries", "unit_id", Unique::With(&["indicator_id"])),
    ("reform_inspection_units", "unit_id", Unique::With(&["inspection_id"])),
    ("reform_findings", "unit_id", Unique::No),
    ("rectifications", "unit_id", Unique::No),
    ("reform_notice_links", "unit_id", Unique::No),
    ("reform_cases", "unit_id", Unique::No),
    ("reform_pilots", "host_unit_id", Unique::No),
    ("drafting_tasks", "unit_id", Unique::No),
    ("search_docs", "unit_id", Unique::No),
    ("research_topics", "lead_unit_id", Unique::No),
    ("research_topic_units", "unit_id", Unique::With(&["topic_id"])),
    ("research_outputs", "unit_id", Unique::No),
    ("research_compilations", "unit_id", Unique::No),
    ("research_issues", "unit_id", Unique::No),
    ("research_instructions", "unit_id", Unique::No),
    ("research_rounds", "unit_id", Unique::No),
    ("liaison_points", "unit_id", Unique::Alone),
    ("liaison_cases", "point_id", Unique::No),
    ("liaison_cases", "area_id", Unique::No),
    ("liaison_cases", "handler_id", Unique::No),
    ("liaison_events", "unit_id", Unique::No),
];

/// A unit as lists and pages show it.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Unit {
    /// Id.
    pub id: i64,
    /// Parent id (none for the root).
    pub parent_id: Option<i64>,
    /// Parent's name.
    pub parent_name: Option<String>,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// Organisation code.
    pub code: Option<String>,
    /// Kind code.
    pub kind: String,
    /// Kind label from the dictionary.
    pub kind_label: String,
    /// Materialised path of ids.
    pub path: String,
    /// Depth from the root (root is 0).
    pub depth: i64,
    /// Display order among siblings.
    pub sort_order: i64,
    /// `active`, `disabled` or `merged`.
    pub status: String,
    /// The unit it was merged into.
    pub merged_into: Option<i64>,
    /// Remarks.
    pub note: String,
    /// Creating account.
    pub created_by: Option<i64>,
    /// Created.
    pub created_at: Ts,
    /// Last changed.
    pub updated_at: Ts,
    /// Number of direct children.
    pub children: i64,
}

const SELECT: &str = "select u.id, u.parent_id, p.name as parent_name, u.name, u.short_name, u.code, u.kind, \
     coalesce(d.label, u.kind) as kind_label, u.path, u.depth, u.sort_order, u.status, u.merged_into, u.note, \
     u.created_by, u.created_at, u.updated_at, (select count(*) from units c where c.parent_id = u.id) as children \
     from units u left join units p on p.id = u.parent_id \
     left join dict_items d on d.type_code = 'unit_kind' and d.code = u.kind";

/// One unit by id, in a transaction.
pub async fn get_tx(tx: &mut Tx, id: i64) -> DbResult<Option<Unit>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where u.id = ").bind(id);
    tx.opt(sql.build()).await
}

/// One unit by id.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Unit>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where u.id = ").bind(id);
    db.opt(sql.build()).await
}

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct UnitFilter {
    /// Part of the name, short name or code.
    pub q: String,
    /// Kind code.
    pub kind: String,
    /// `active` (default), `disabled`, `merged` or `all`.
    pub status: String,
    /// Only this unit and those below it.
    pub under: String,
    /// Paging and sorting.
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: Paging,
}

fn filter_where(sql: &mut Sql, scope: &Scope, f: &UnitFilter, under_path: Option<&str>) {
    sql.push(" where ");
    scope.filter(sql, "u.id", Some("u.created_by"));
    let q = f.q.trim();
    if !q.is_empty() {
        sql.push(" and (u.name like ").bind_contains(q);
        sql.push(" or u.short_name like ").bind_contains(q);
        sql.push(" or u.code like ").bind_contains(&q.to_uppercase());
        sql.push(")");
    }
    if !f.kind.is_empty() {
        sql.push(" and u.kind = ").bind(f.kind.clone());
    }
    match f.status.as_str() {
        "all" => {}
        "disabled" | "merged" => {
            sql.push(" and u.status = ").bind(f.status.clone());
        }
        _ => {
            sql.push(" and u.status = 'active'");
        }
    }
    if let Some(path) = under_path {
        let (lo, hi) = subtree_range(path);
        sql.push(" and u.path >= ").bind(lo).push(" and u.path < ").bind(hi);
    }
}

/// Sort keys offered on the list.
pub const SORTS: &[(&str, &str)] = &[
    ("path", "u.depth, u.sort_order"),
    ("name", "u.name"),
    ("code", "u.code"),
    ("kind", "u.kind"),
    ("updated", "u.updated_at"),
];

/// A page of units in scope, and how many match in all.
pub async fn list(db: &Db, scope: &Scope, f: &UnitFilter) -> DbResult<(Vec<Unit>, i64)> {
    let under_path = match f.under.trim().parse::<i64>() {
        Ok(id) => get(db, id).await?.map(|u| u.path),
        Err(_) => None,
    };
    let mut count = Sql::new("select count(*) from units u");
    filter_where(&mut count, scope, f, under_path.as_deref());
    let total: i64 = db.scalar(count.build()).await?;
    let mut sql = Sql::new(SELECT);
    filter_where(&mut sql, scope, f, under_path.as_deref());
    f.paging.order_and_limit(&mut sql, SORTS, "u.id");
    Ok((db.all(sql.build()).await?, total))
}

/// Every unit in scope matching the filter, in tree order (exports).
pub async fn all_in_scope(db: &Db, scope: &Scope, f: &UnitFilter, limit: i64) -> DbResult<Vec<Unit>> {
    let under_path = match f.under.trim().parse::<i64>() {
        Ok(id) => get(db, id).await?.map(|u| u.path),
        Err(_) => None,
    };
    let mut sql = Sql::new(SELECT);
    filter_where(&mut sql, scope, f, under_path.as_deref());
    sql.push(" order by u.path limit ").int(limit);
    db.all(sql.build()).await
}

/// Children of a unit (or the top of the visible tree when `parent` is none), in scope.
pub async fn children(db: &Db, scope: &Scope, parent: Option<i64>) -> DbResult<Vec<Unit>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where ");
    scope.filter(&mut sql, "u.id", Some("u.created_by"));
    sql.push(" and u.status <> 'merged'");
    match parent {
        Some(p) => {
            sql.push(" and u.parent_id = ").bind(p);
        }
        None => {
            // Roots of what the person can see: visible units whose parent they cannot see.
            sql.push(" and (u.parent_id is null or u.parent_id not in (select u.id from units u where ");
            scope.filter(&mut sql, "u.id", Some("u.created_by"));
            sql.push("))");
        }
    }
    sql.push(" order by u.sort_order, u.id limit 2000");
    db.all(sql.build()).await
}

/// Active units in scope for pickers: (id, indented name), in tree order.
pub async fn options(db: &Db, scope: &Scope) -> DbResult<Vec<(i64, String)>> {
    let mut sql = Sql::new("select u.id, u.name, u.depth from units u where ");
    scope.filter(&mut sql, "u.id", Some("u.created_by"));
    sql.push(" and u.status = 'active' order by u.path");
    let rows: Vec<(i64, String, i64)> = db.all(sql.build()).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, depth)| (id, format!("{}{}", "　".repeat(depth as usize), name)))
        .collect())
}

/// The chain of ancestors of a path, root first: (id, name).
pub async fn ancestors(db: &Db, path: &str) -> DbResult<Vec<(i64, String)>> {
    let ids: Vec<i64> = path.split('/').filter_map(|p| p.parse().ok()).collect();
    let mut sql = Sql::new("select id, name from units where id in ");
    sql.bind_list(ids.iter().copied());
    sql.push(" order by depth");
    db.all(sql.build()).await
}

/// Inserts a unit under `parent_path` (root when `None`); returns its id.
pub async fn insert(
    tx: &mut Tx,
    parent: Option<(i64, &str, i64)>,
    f: &UnitFields,
    by: Option<i64>,
    now: Ts,
) -> DbResult<i64> {
    let temp = format!("/pending-{}/", crate::auth::session::random_token());
    let (parent_id, depth) = match parent {
        Some((id, _, depth)) => (Some(id), depth + 1),
        None => (None, 0),
    };
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into units (parent_id, name, short_name, code, kind, path, depth, sort_order, status, note, \
                 created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $11, $11) \
                 returning id",
            )
            .bind(parent_id)
            .bind(&f.name)
            .bind(&f.short_name)
            .bind(f.code.clone())
            .bind(&f.kind)
            .bind(temp)
            .bind(depth)
            .bind(f.sort_order)
            .bind(&f.note)
            .bind(by)
            .bind(now),
        )
        .await?;
    let path = child_path(parent.map_or("/", |(_, p, _)| p), id);
    tx.exec(Query::new("update units set path = $1 where id = $2").bind(path).bind(id)).await?;
    super::directory::touched(tx, now).await?;
    Ok(id)
}

/// Updates a unit's own fields.
pub async fn update(tx: &mut Tx, id: i64, f: &UnitFields, now: Ts) -> DbResult<u64> {
    let n = tx.exec(
        Query::new(
            "update units set name = $1, short_name = $2, code = $3, kind = $4, sort_order = $5, note = $6, \
             updated_at = $7 where id = $8",
        )
        .bind(&f.name)
        .bind(&f.short_name)
        .bind(f.code.clone())
        .bind(&f.kind)
        .bind(f.sort_order)
        .bind(&f.note)
        .bind(now)
        .bind(id),
    )
    .await?;
    super::directory::touched(tx, now).await?;
    Ok(n)
}

/// Moves a unit and its subtree under a new parent, rewriting every path below it.
pub async fn move_subtree(tx: &mut Tx, unit: &Unit, parent: &Unit, now: Ts) -> DbResult<u64> {
    let new_path = child_path(&parent.path, unit.id);
    let delta = parent.depth + 1 - unit.depth;
    let (lo, hi) = subtree_range(&unit.path);
    let old_len = unit.path.chars().count() as i64;
    let n = tx
        .exec(
            Query::new(
                "update units set path = $1 || substr(path, cast($2 as integer)), depth = depth + $3, updated_at = $4 \
                 where path >= $5 and path < $6",
            )
            .bind(new_path)
            .bind(old_len + 1)
            .bind(delta)
            .bind(now)
            .bind(lo)
            .bind(hi),
        )
        .await?;
    tx.exec(Query::new("update units set parent_id = $1 where id = $2").bind(parent.id).bind(unit.id))
        .await?;
    super::directory::touched(tx, now).await?;
    Ok(n)
}

/// Sets a unit's status.
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: &str,
    merged_into: Option<i64>,
    now: Ts,
) -> DbResult<u64> {
    let n = tx
        .exec(
            Query::new("update units set status = $1, merged_into = $2, updated_at = $3 where id = $4")
                .bind(status)
                .bind(merged_into)
                .bind(now)
                .bind(id),
        )
        .await?;
    super::directory::touched(tx, now).await?;
    Ok(n)
}

/// Counts of what hangs off a unit (for the disable check and the detail page).
#[derive(Clone, Debug, Default, Serialize, sqlx::FromRow)]
pub struct Usage {
    /// Children not disabled or merged.
    pub active_children: i64,
    /// People in the unit.
    pub people: i64,
    /// Active accounts in the unit.
    pub active_accounts: i64,
}

/// What hangs off a unit.
pub async fn usage(db: &Db, id: i64) -> DbResult<Usage> {
    db.one(
        Query::new(
            "select (select count(*) from units where parent_id = $1 and status = 'active') as active_children, \
             (select count(*) from persons where unit_id = $1) as people, \
             (select count(*) from accounts where unit_id = $1 and status = 'active') as active_accounts",
        )
        .bind(id),
    )
    .await
}

/// True when a sibling under `parent` already has `name` (other than `except`).
pub async fn sibling_has_name(
    tx: &mut Tx,
    parent: Option<i64>,
    name: &str,
    except: Option<i64>,
) -> DbResult<bool> {
    let n: i64 = tx
        .scalar(
            Query::new(
                "select count(*) from units where coalesce(parent_id, 0) = coalesce($1, 0) and name = $2 \
                 and id <> $3 and status <> 'merged'",
            )
            .bind(parent)
            .bind(name)
            .bind(except.unwrap_or(0)),
        )
        .await?;
    Ok(n > 0)
}
