//! People SQL.

use serde::{Deserialize, Serialize};
use time::Date;

use super::model::{MentoringFields, PersonFields, PostingFields};
use crate::authz::Scope;
use crate::authz::model::subtree_range;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::web::list::Paging;

/// A person as lists and pages show them.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Person {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: String,
    /// Date of birth.
    pub birth_date: Option<Date>,
    /// Unit.
    pub unit_id: i64,
    /// Unit name.
    pub unit_name: String,
    /// Unit path (for scope checks).
    pub unit_path: String,
    /// Position.
    pub position: String,
    /// Cadre level code.
    pub cadre_level: String,
    /// Cadre level label.
    pub cadre_label: String,
    /// Reserve cadre.
    pub reserve_cadre: bool,
    /// Party member.
    pub party_member: bool,
    /// Party branch.
    pub branch_id: Option<i64>,
    /// Branch name.
    pub branch_name: Option<String>,
    /// `active` or `left`.
    pub status: String,
    /// Remarks.
    pub note: String,
    /// Creating account.
    pub created_by: Option<i64>,
    /// Last change.
    pub updated_at: Ts,
}

const SELECT: &str = "select p.id, p.name, p.gender, p.birth_date, p.unit_id, u.name as unit_name, u.path as unit_path, \
     p.position, p.cadre_level, coalesce(d.label, '') as cadre_label, p.reserve_cadre, p.party_member, p.branch_id, \
     b.name as branch_name, p.status, p.note, p.created_by, p.updated_at \
     from persons p join units u on u.id = p.unit_id \
     left join party_branches b on b.id = p.branch_id \
     left join dict_items d on d.type_code = 'cadre_level' and d.code = p.cadre_level";

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct PersonFilter {
    /// Part of the name or position.
    pub q: String,
    /// Only this unit and below.
    pub under: String,
    /// Cadre level code.
    pub cadre_level: String,
    /// `yes` or `no`.
    pub party: String,
    /// `yes` for reserve cadres only.
    pub reserve: String,
    /// `active` (default), `left` or `all`.
    pub status: String,
    /// Paging and sorting.
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: Paging,
}

fn filter_where(sql: &mut Sql, scope: &Scope, f: &PersonFilter, under: Option<&str>) {
    sql.push(" where ");
    scope.filter(sql, "p.unit_id", Some("p.created_by"));
    let q = f.q.trim();
    if !q.is_empty() {
        sql.push(" and (p.name like ")
            .bind_contains(q)
            .push(" or p.position like ")
            .bind_contains(q)
            .push(")");
    }
    if let Some(path) = under {
        let (lo, hi) = subtree_range(path);
        sql.push(" and u.path >= ").bind(lo).push(" and u.path < ").bind(hi);
    }
    if !f.cadre_level.is_empty() {
        sql.push(" and p.cadre_level = ").bind(f.cadre_level.clone());
    }
    match f.party.as_str() {
        "yes" => {
            sql.push(" and p.party_member = ").bind(true);
        }
        "no" => {
            sql.push(" and p.party_member = ").bind(false);
        }
        _ => {}
    }
    if f.reserve == "yes" {
        sql.push(" and p.reserve_cadre = ").bind(true);
    }
    match f.status.as_str() {
        "all" => {}
        "left" => {
            sql.push(" and p.status = 'left'");
        }
        _ => {
            sql.push(" and p.status = 'active'");
        }
    }
}

async fn under_path(db: &Db, raw: &str) -> DbResult<Option<String>> {
    match raw.trim().parse::<i64>() {
        Ok(id) => Ok(db
            .opt::<(String,)>(Query::new("select path from units where id = $1").bind(id))
            .await?
            .map(|(p,)| p)),
        Err(_) => Ok(None),
    }
}

/// Sort keys.
pub const SORTS: &[(&str, &str)] = &[
    ("unit", "u.path, p.name"),
    ("name", "p.name"),
    ("level", "p.cadre_level"),
    ("updated", "p.updated_at"),
];

/// A page of people in scope and the total.
pub async fn list(db: &Db, scope: &Scope, f: &PersonFilter) -> DbResult<(Vec<Person>, i64)> {
    let under = under_path(db, &f.under).await?;
    let mut count = Sql::new("select count(*) from persons p join units u on u.id = p.unit_id");
    filter_where(&mut count, scope, f, under.as_deref());
    let total: i64 = db.scalar(count.build()).await?;
    let mut sql = Sql::new(SELECT);
    filter_where(&mut sql, scope, f, under.as_deref());
    f.paging.order_and_limit(&mut sql, SORTS, "p.id");
    Ok((db.all(sql.build()).await?, total))
}

/// Every person in scope matching the filter (exports).
pub async fn all_in_scope(db: &Db, scope: &Scope, f: &PersonFilter, limit: i64) -> DbResult<Vec<Person>> {
    let under = under_path(db, &f.under).await?;
    let mut sql = Sql::new(SELECT);
    filter_where(&mut sql, scope, f, under.as_deref());
    sql.push(" order by u.path, p.name, p.id limit ").int(limit);
    db.all(sql.build()).await
}

/// One person.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Person>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where p.id = ").bind(id);
    db.opt(sql.build()).await
}

/// People in scope for a picker: (id, "name（unit）").
pub async fn options(db: &Db, scope: &Scope, limit: i64) -> DbResult<Vec<(i64, String)>> {
    let mut sql =
        Sql::new("select p.id, p.name, u.name from persons p join units u on u.id = p.unit_id where ");
    scope.filter(&mut sql, "p.unit_id", Some("p.created_by"));
    sql.push(" and p.status = 'active' order by u.path, p.name limit ").int(limit);
    let rows: Vec<(i64, String, String)> = db.all(sql.build()).await?;
    Ok(rows.into_iter().map(|(id, n, u)| (id, format!("{n}（{u}）"))).collect())
}

fn bind_fields(q: Query, f: &PersonFields) -> Query {
    q.bind(&f.name)
        .bind(&f.gender)
        .bind(f.birth_date)
        .bind(f.unit_id)
        .bind(&f.position)
        .bind(&f.cadre_level)
        .bind(f.reserve_cadre)
        .bind(f.party_member)
        .bind(f.branch_id)
        .bind(&f.status)
        .bind(&f.note)
}

/// Inserts a person.
pub async fn insert(tx: &mut Tx, f: &PersonFields, by: i64, now: Ts) -> DbResult<i64> {
    let q = Query::new(
        "insert into persons (name, gender, birth_date, unit_id, position, cadre_level, reserve_cadre, party_member, \
         branch_id, status, note, created_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) returning id",
    );
    tx.scalar(bind_fields(q, f).bind(by).bind(now)).await
}

/// Updates a person.
pub async fn update(tx: &mut Tx, id: i64, f: &PersonFields, now: Ts) -> DbResult<u64> {
    let q = Query::new(
        "update persons set name = $1, gender = $2, birth_date = $3, unit_id = $4, position = $5, cadre_level = $6, \
         reserve_cadre = $7, party_member = $8, branch_id = $9, status = $10, note = $11, updated_at = $12 where id = $13",
    );
    tx.exec(bind_fields(q, f).bind(now).bind(id)).await
}

/// A mentoring pair for display.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Pair {
    /// Id.
    pub id: i64,
    /// Mentor.
    pub mentor_id: i64,
    /// Mentor's name.
    pub mentor_name: String,
    /// Mentee.
    pub mentee_id: i64,
    /// Mentee's name.
    pub mentee_name: String,
    /// Start.
    pub started_on: Date,
    /// End.
    pub ended_on: Option<Date>,
    /// Remarks.
    pub note: String,
}

/// Pairs a person is part of, as mentor or mentee.
pub async fn pairs(db: &Db, person_id: i64) -> DbResult<Vec<Pair>> {
    db.all(
        Query::new(
            "select m.id, m.mentor_id, a.name as mentor_name, m.mentee_id, b.name as mentee_name, m.started_on, \
             m.ended_on, m.note from mentoring_pairs m join persons a on a.id = m.mentor_id \
             join persons b on b.id = m.mentee_id where m.mentor_id = $1 or m.mentee_id = $1 \
             order by m.started_on desc, m.id desc",
        )
        .bind(person_id),
    )
    .await
}

/// Records a pair.
pub async fn insert_pair(tx: &mut Tx, mentor_id: i64, f: &MentoringFields, now: Ts) -> DbResult<i64> {
    tx.scalar(
        Query::new(
            "insert into mentoring_pairs (mentor_id, mentee_id, started_on, note, created_at) \
             values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(mentor_id)
        .bind(f.mentee_id)
        .bind(f.started_on)
        .bind(&f.note)
        .bind(now),
    )
    .await
}

/// A posting for display.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Posting {
    /// Id.
    pub id: i64,
    /// Kind code.
    pub kind: String,
    /// Kind label.
    pub kind_label: String,
    /// Home unit at the time.
    pub from_unit_name: Option<String>,
    /// Destination.
    pub to_unit_name: String,
    /// Start.
    pub started_on: Date,
    /// End.
    pub ended_on: Option<Date>,
    /// Remarks.
    pub note: String,
}

/// A person's postings, latest first.
pub async fn postings(db: &Db, person_id: i64) -> DbResult<Vec<Posting>> {
    db.all(
        Query::new(
            "select g.id, g.kind, coalesce(d.label, g.kind) as kind_label, f.name as from_unit_name, \
             t.name as to_unit_name, g.started_on, g.ended_on, g.note from postings g \
             left join units f on f.id = g.from_unit_id join units t on t.id = g.to_unit_id \
             left join dict_items d on d.type_code = 'posting_kind' and d.code = g.kind \
             where g.person_id = $1 order by g.started_on desc, g.id desc",
        )
        .bind(person_id),
    )
    .await
}

/// Records a posting.
pub async fn insert_posting(
    tx: &mut Tx,
    person_id: i64,
    from_unit: i64,
    f: &PostingFields,
    now: Ts,
) -> DbResult<i64> {
    tx.scalar(
        Query::new(
            "insert into postings (person_id, kind, from_unit_id, to_unit_id, started_on, ended_on, note, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(person_id)
        .bind(&f.kind)
        .bind(from_unit)
        .bind(f.to_unit_id)
        .bind(f.started_on)
        .bind(f.ended_on)
        .bind(&f.note)
        .bind(now),
    )
    .await
}

/// Party branches: (id, "name（unit）"), active only.
pub async fn branch_options(db: &Db) -> DbResult<Vec<(i64, String)>> {
    db.all(Query::new(
        "select b.id, b.name from party_branches b where b.status = 'active' order by b.name, b.id",
    ))
    .await
}
