//! The contact-point registry (基层联系点, L1): each point is a unit of the
//! organisation tree (kind `contact_point`) with a registry row holding its
//! type, place, liaisons and status. Listed with the last 90 days' activity;
//! imported from and exported to xlsx (all or nothing, errors by row and
//! column); one entry edited. One file: list, import, export and edit share
//! the registry's fields and their checks.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Scope};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::error::{AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::org::units::model::UnitFields;
use crate::reform::ledger::{RowError, normalize_header, read_sheet};
use crate::validate::{Check, optional};

/// Point types (the `contact_point_type` dictionary holds the same codes).
pub const KINDS: &[(&str, &str)] = &[
    ("village", "村"),
    ("community", "社区"),
    ("enterprise", "企业"),
    ("park", "园区"),
    ("school", "学校"),
    ("hospital", "医院"),
    ("other", "其他"),
];

/// Registry statuses.
pub const STATUSES: &[(&str, &str)] = &[("active", "正常"), ("paused", "暂停")];

/// A contact point as the registry lists it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Point {
    /// The unit id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The unit above it.
    pub parent_name: String,
    /// Type code.
    pub kind: String,
    /// Place.
    pub place: String,
    /// Liaisons (names).
    pub liaisons: String,
    /// Phone.
    pub phone: String,
    /// `active` or `paused`.
    pub status: String,
    /// Submissions in the last 90 days.
    pub recent: i64,
    /// Last submission.
    pub last_at: Option<Ts>,
}

/// The registry's filter.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Filter {
    /// Type code.
    pub kind: String,
    /// `active` or `paused`.
    pub status: String,
    /// Words in the name.
    pub q: String,
    /// `silent`: no submission in the last 90 days.
    pub activity: String,
}

/// The contact points within `scope`, with their activity since `since`.
pub async fn list(db: &Db, scope: &Scope, f: &Filter, since: Ts) -> DbResult<Vec<Point>> {
    let mut sql = Sql::new(
        "select u.id, u.name, coalesce(pu.name, '') as parent_name, p.kind, p.place, p.liaisons, p.phone, p.status, \
         coalesce(a.n, 0) as recent, a.last_at from liaison_points p join units u on u.id = p.unit_id \
         left join units pu on pu.id = u.parent_id \
         left join (select point_id, count(*) as n, max(created_at) as last_at from liaison_cases where created_at >= ",
    );
    sql.bind(since).push(" group by point_id) a on a.point_id = u.id where u.status = 'active'");
    if KINDS.iter().any(|(k, _)| *k == f.kind) {
        sql.push(" and p.kind = ").bind(f.kind.clone());
    }
    if STATUSES.iter().any(|(k, _)| *k == f.status) {
        sql.push(" and p.status = ").bind(f.status.clone());
    }
    if !f.q.trim().is_empty() {
        sql.push(" and u.name like ").bind_contains(f.q.trim());
    }
    if f.activity == "silent" {
        sql.push(" and p.status = 'active' and a.n is null");
    }
    sql.push(" and ");
    scope.filter(&mut sql, "u.id", None);
    sql.push(" order by u.path limit 2000");
    db.all(sql.build()).await
}

/// The registry fields as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PointInput {
    /// Type code.
    pub kind: String,
    /// Place.
    pub place: String,
    /// Liaisons.
    pub liaisons: String,
    /// Phone.
    pub phone: String,
    /// `active` or `paused`.
    pub status: String,
    /// Note.
    pub note: String,
}

struct PointFields {
    kind: String,
    place: String,
    liaisons: String,
    phone: String,
    status: String,
    note: String,
}

fn parse(input: &PointInput) -> Result<PointFields, FieldErrors> {
    let mut check = Check::default();
    let kind = check.take("kind", crate::validate::choice(KINDS, &input.kind, "请选择联系点类型"));
    let place = check.take("place", optional(&input.place, 200));
    let liaisons = check.take("liaisons", optional(&input.liaisons, 200));
    let phone = check.take("phone", optional(&input.phone, 50));
    if phone.as_ref().is_some_and(|p| p.chars().any(|c| !(c.is_ascii_digit() || "-+ ，,、".contains(c)))) {
        check.fail("phone", Msg::new("电话只能包含数字和“-”"));
    }
    let status =
        if input.status.trim().is_empty() { "active".to_string() } else { input.status.trim().to_string() };
    if !STATUSES.iter().any(|(k, _)| *k == status) {
        check.fail("status", Msg::new("请选择状态"));
    }
    let note = check.take("note", optional(&input.note, 500));
    check.finish(|| {
        Some(PointFields {
            kind: kind?,
            place: place?,
            liaisons: liaisons?,
            phone: phone?,
            status,
            note: note?,
        })
    })
}

async fn write(tx: &mut Tx, unit_id: i64, f: &PointFields, now: Ts) -> DbResult<()> {
    tx.exec(
        Query::new(
            "insert into liaison_points (unit_id, kind, place, liaisons, phone, status, note, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (unit_id) do update set kind = $2, place = $3, \
             liaisons = $4, phone = $5, status = $6, note = $7, updated_at = $8",
        )
        .bind(unit_id)
        .bind(f.kind.as_str())
        .bind(f.place.as_str())
        .bind(f.liaisons.as_str())
        .bind(f.phone.as_str())
        .bind(f.status.as_str())
        .bind(f.note.as_str())
        .bind(now),
    )
    .await?;
    Ok(())
}

/// One registry entry and its note, for the edit form: (name, input).
pub async fn entry(c: &Caller<'_>, unit_id: i64) -> AppResult<(String, PointInput)> {
    let approve = c.who.require(Module::Liaison, Action::Approve)?;
    let row: Option<(String, String, PointInput)> = c
        .state
        .db
        .opt(
            Query::new(
                "select u.name, u.path, p.kind, p.place, p.liaisons, p.phone, p.status, p.note \
                 from liaison_points p join units u on u.id = p.unit_id where p.unit_id = $1",
            )
            .bind(unit_id),
        )
        .await?
        .map(
            |(name, path, kind, place, liaisons, phone, status, note): (
                String,
                String,
                String,
                String,
                String,
                String,
                String,
                String,
            )| { (name, path, PointInput { kind, place, liaisons, phone, status, note }) },
        );
    let Some((name, path, input)) = row else { return Err(crate::error::AppError::NotFound) };
    if !approve.allows(crate::authz::Target { unit_id, unit_path: &path, owner_id: None }) {
        return Err(crate::error::AppError::Forbidden);
    }
    Ok((name, input))
}

/// Saves one registry entry (the research office, within its approve scope); audited.
pub async fn update(c: &Caller<'_>, unit_id: i64, input: &PointInput) -> AppResult<()> {
    let (name, before) = entry(c, unit_id).await?;
    let fields = parse(input)?;
    let mut tx = c.state.db.begin().await?;
    write(&mut tx, unit_id, &fields, c.now).await?;
    let ev = Event::new("liaison.point.update", "liaison_points", unit_id)
        .summary(format!("修改联系点“{name}”的登记信息"))
        .before(&before)
        .after(input);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// The registry within `scope` as an xlsx workbook, and how many points it holds.
pub async fn export(db: &Db, scope: &Scope, since: Ts) -> anyhow::Result<(Vec<u8>, usize)> {
    use crate::export::Cell;
    let rows = list(db, scope, &Filter::default(), since).await?;
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|p| {
            vec![
                Cell::Text(p.name.clone()),
                Cell::Text(crate::research::label_of(KINDS, &p.kind).to_string()),
                Cell::Text(p.parent_name.clone()),
                Cell::Text(p.place.clone()),
                Cell::Text(p.liaisons.clone()),
                Cell::Text(p.phone.clone()),
                Cell::Text(crate::research::label_of(STATUSES, &p.status).to_string()),
                Cell::from(p.recent),
            ]
        })
        .collect();
    let bytes = crate::export::workbook(
        "联系点",
        &["联系点名称", "类型", "所属单位", "地点", "联络员", "联系电话", "状态", "近90天报送"],
        &data,
    )?;
    Ok((bytes, rows.len()))
}

/// Header names accepted for each import column.
const COLUMNS: &[(&str, &[&str])] = &[
    ("联系点名称", &["联系点名称", "联系点", "名称"]),
    ("类型", &["类型", "联系点类型"]),
    ("所属单位", &["所属单位", "上级单位", "所属乡镇街道", "所属部门"]),
    ("地点", &["地点", "地址", "位置"]),
    ("联络员", &["联络员", "联系人"]),
    ("联系电话", &["联系电话", "电话", "手机"]),
    ("状态", &["状态"]),
];

/// What a registry import did.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// Rows read.
    pub rows: usize,
    /// Units created as new contact points.
    pub created: usize,
    /// Existing points updated.
    pub updated: usize,
}

/// Imports the registry from xlsx: every row is checked before anything is written.
pub async fn import(c: &Caller<'_>, bytes: &[u8]) -> AppResult<Result<Imported, Vec<RowError>>> {
    c.who.require(Module::Liaison, Action::Approve)?;
    c.who.require(Module::Org, Action::Read)?;
    let sheet = match read_sheet(bytes) {
        Ok(s) => s,
        Err(e) => return Ok(Err(vec![e])),
    };
    let header = sheet.iter().take(10).enumerate().find_map(|(i, (_, cells))| {
        let mut cols: HashMap<&str, usize> = HashMap::new();
        for (j, cell) in cells.iter().enumerate() {
            if let Some((name, _)) =
                COLUMNS.iter().find(|(_, alts)| alts.contains(&normalize_header(cell).as_str()))
            {
                cols.entry(name).or_insert(j);
            }
        }
        cols.contains_key("联系点名称").then_some((i, cols))
    });
    let Some((header_at, cols)) = header else {
        return Ok(Err(vec![RowError {
            row: None,
            column: String::new(),
            message: "找不到表头：前十行中没有“联系点名称”列".into(),
        }]));
    };
    for need in ["类型", "所属单位"] {
        if !cols.contains_key(need) {
            return Ok(Err(vec![RowError {
                row: None,
                column: String::new(),
                message: format!("缺少“{need}”列"),
            }]));
        }
    }
    let db = &c.state.db;
    let units: Vec<(i64, String, String, i64, String, Option<i64>)> = db
        .all(Query::new("select id, name, path, depth, kind, parent_id from units where status = 'active'"))
        .await?;
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        by_name.entry(u.1.as_str()).or_default().push(i);
    }
    let write_scope = c.who.scope(Module::Org, Action::Write);
    let mut errors = Vec::new();
    let mut plans: Vec<(Option<i64>, usize, String, PointFields)> = Vec::new();
    let mut seen: HashMap<(usize, String), usize> = HashMap::new();
    for (row, cells) in sheet.iter().skip(header_at + 1) {
        let get = |name: &str| {
            cols.get(name).and_then(|j| cells.get(*j)).map(|s| s.trim().to_string()).unwrap_or_default()
        };
        let name = get("联系点名称");
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut fail = |column: &str, message: String| {
            errors.push(RowError { row: Some(*row), column: column.to_string(), message })
        };
        if name.is_empty() || name.chars().count() > 100 {
            fail("联系点名称", "名称必填，不超过100个字".into());
            continue;
        }
        let kind_label = get("类型");
        let Some((kind, _)) = KINDS.iter().find(|(k, l)| *l == kind_label || *k == kind_label) else {
            let all: Vec<&str> = KINDS.iter().map(|(_, l)| *l).collect();
            fail("类型", format!("类型应为：{}", all.join("、")));
            continue;
        };
        let parent_name = get("所属单位");
        let parents = by_name.get(parent_name.as_str()).cloned().unwrap_or_default();
        let parent = match parents.as_slice() {
            [] => {
                fail("所属单位", format!("找不到单位“{parent_name}”"));
                continue;
            }
            [one] => *one,
            _ => {
                fail("所属单位", format!("有多个单位名为“{parent_name}”，请在组织机构中区分后再导入"));
                continue;
            }
        };
        let status_label = get("状态");
        let status = match STATUSES.iter().find(|(k, l)| *l == status_label || *k == status_label) {
            Some((k, _)) => k.to_string(),
            None if status_label.is_empty() => "active".into(),
            None => {
                fail("状态", "状态应为“正常”或“暂停”".into());
                continue;
            }
        };
        let input = PointInput {
            kind: kind.to_string(),
            place: get("地点"),
            liaisons: get("联络员"),
            phone: get("联系电话"),
            status,
            note: String::new(),
        };
        let fields = match parse(&input) {
            Ok(f) => f,
            Err(e) => {
                for (field, m) in e.0 {
                    let column = match field.as_str() {
                        "place" => "地点",
                        "liaisons" => "联络员",
                        "phone" => "联系电话",
                        _ => "",
                    };
                    fail(column, m.to_string());
                }
                continue;
            }
        };
        if let Some(first) = seen.insert((parent, name.clone()), *row) {
            fail("联系点名称", format!("与第{first}行重复"));
            continue;
        }
        let existing = units.iter().find(|u| u.5 == Some(units[parent].0) && u.1 == name).map(|u| u.0);
        let p = &units[parent];
        if existing.is_none()
            && !write_scope.allows(crate::authz::Target { unit_id: p.0, unit_path: &p.2, owner_id: None })
        {
            fail("所属单位", format!("无权在“{parent_name}”下新增单位"));
            continue;
        }
        plans.push((existing, parent, name, fields));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    if plans.is_empty() {
        return Ok(Err(vec![RowError {
            row: None,
            column: String::new(),
            message: "表中没有联系点".into(),
        }]));
    }
    let mut out = Imported { rows: plans.len(), ..Imported::default() };
    let mut tx = db.begin().await?;
    for (existing, parent, name, fields) in &plans {
        let id = match existing {
            Some(id) => {
                out.updated += 1;
                *id
            }
            None => {
                let p = &units[*parent];
                let unit = UnitFields {
                    name: name.clone(),
                    short_name: String::new(),
                    code: None,
                    kind: "contact_point".into(),
                    sort_order: 0,
                    note: String::new(),
                };
                out.created += 1;
                crate::org::units::store::insert(&mut tx, Some((p.0, &p.2, p.3)), &unit, c.account(), c.now)
                    .await?
            }
        };
        write(&mut tx, id, fields, c.now).await?;
    }
    if out.created > 0 {
        crate::org::units::directory::touched(&mut tx, c.now).await?;
    }
    let ev = Event::new("liaison.point.import", "liaison_points", 0)
        .summary(format!("导入联系点{}个（新增{}，更新{}）", out.rows, out.created, out.updated));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(Ok(out))
}
