//! `zhengyan copy-db --from URL --to URL`: moves a deployment between
//! databases (normally SQLite → PostgreSQL when it outgrows one machine).
//!
//! The target is migrated, must be empty, and receives every table in
//! dependency order, in batches, with values decoded by the target column's
//! type. Identity sequences are moved past the copied ids. The copy is then
//! verified: the same row count in every table, and an intact audit chain.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use futures_util::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row};

use super::{Arg, Db, Dialect, Query, Sql};

/// Every table, parents before children. `tests/it/copydb.rs` checks this
/// list against the schema, so a new table cannot be forgotten.
pub const TABLES: &[(&str, &str)] = &[
    ("units", "depth, id"),
    ("dict_types", "code"),
    ("dict_items", "id"),
    ("settings", "key"),
    ("party_branches", "id"),
    ("persons", "id"),
    ("mentoring_pairs", "id"),
    ("postings", "id"),
    ("roles", "id"),
    ("role_permissions", "role_id, module, action"),
    ("accounts", "id"),
    ("account_roles", "account_id, role_id"),
    ("account_scope_units", "account_id, unit_id"),
    ("sessions", "id"),
    ("login_history", "id"),
    ("api_tokens", "id"),
    ("audit_events", "seq"),
    ("audit_head", "id"),
    ("blobs", "sha"),
    ("attachments", "id"),
    ("notifications", "id"),
    ("reform_tasks", "id"),
    ("reform_task_units", "task_id, unit_id"),
    ("reform_task_tags", "task_id, tag"),
    ("reform_milestones", "id"),
    ("reform_task_events", "id"),
    ("reform_reports", "id"),
    ("reform_colour_history", "id"),
    ("reform_reminders", "task_id, period, kind"),
    ("reform_star_criteria", "id"),
    ("reform_star_ratings", "id"),
    ("reform_unit_scores", "id"),
    ("reform_schemes", "id"),
    ("reform_indicators", "id"),
    ("reform_indicator_entries", "indicator_id, unit_id"),
    ("reform_inspections", "id"),
    ("reform_inspection_units", "inspection_id, unit_id"),
    ("reform_findings", "id"),
    ("rectifications", "id"),
    ("reform_notices", "id"),
    ("reform_notice_links", "id"),
    ("reform_cases", "id"),
    ("reform_case_submissions", "id"),
    ("reform_pilots", "id"),
    ("text_words", "word"),
    ("drafting_tasks", "id"),
    ("drafting_drafters", "task_id, account_id"),
    ("drafting_versions", "id"),
    ("drafting_events", "id"),
    ("drafting_publications", "id"),
    ("research_focus", "id"),
    ("research_topics", "id"),
    ("research_topic_units", "topic_id, unit_id"),
    ("research_team", "id"),
    ("research_milestones", "topic_id, stage"),
    ("research_outputs", "id"),
    ("research_compilations", "id"),
    ("research_compilation_items", "compilation_id, output_id"),
    ("research_issues", "id"),
    ("research_issue_articles", "issue_id, output_id"),
    ("research_instructions", "id"),
    ("research_followup_events", "id"),
    ("research_transformations", "id"),
    ("research_rounds", "id"),
    ("research_entries", "id"),
    ("research_scores", "entry_id, judge_id"),
    ("research_round_judges", "round_id, judge_id"),
    ("research_budgets", "id"),
    ("research_spending", "id"),
    ("liaison_points", "unit_id"),
    ("liaison_counters", "year"),
    ("liaison_cases", "id"),
    ("liaison_events", "id"),
    ("liaison_bands", "band, case_id"),
    ("liaison_lexicon", "id"),
    ("liaison_models", "id"),
];

/// Tables worked out from the others, rebuilt at the target instead of copied
/// (the search index: an FTS5 table and its shadows on SQLite, a tsvector
/// column on PostgreSQL; the loop's sums, kept by triggers as cases arrive).
pub const DERIVED: &[&str] = &[
    "liaison_tally",
    "search_docs",
    "search_texts",
    "search_fts",
    "search_fts_config",
    "search_fts_data",
    "search_fts_docsize",
    "search_fts_idx",
];

/// Columns that point back into their own table; copied as null, then set.
const SELF_REFERENCES: &[(&str, &str)] = &[
    ("units", "merged_into"),
    ("reform_reports", "supersedes_id"),
    ("liaison_cases", "dup_of"),
    ("liaison_cases", "merged_into"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ColType {
    Int,
    Real,
    Text,
    Bool,
    Date,
    Bytes,
}

fn col_type(declared: &str) -> ColType {
    let t = declared.to_lowercase();
    if t.contains("int") {
        ColType::Int
    } else if t.contains("bool") {
        ColType::Bool
    } else if t == "date" {
        ColType::Date
    } else if t.contains("double") || t.contains("real") || t.contains("numeric") {
        ColType::Real
    } else if t.contains("blob") || t.contains("bytea") {
        ColType::Bytes
    } else {
        ColType::Text
    }
}

async fn columns(db: &Db, table: &str) -> anyhow::Result<Vec<(String, ColType)>> {
    let rows: Vec<(String, String)> = match db.dialect() {
        // dialect: the catalogues differ.
        Dialect::Sqlite => {
            db.all(Query::new("select name, type from pragma_table_info($1) order by cid").bind(table))
                .await?
        }
        Dialect::Postgres => {
            db.all(
                Query::new(
                    "select column_name::text, data_type::text from information_schema.columns \
                     where table_schema = current_schema() and table_name = $1 order by ordinal_position",
                )
                .bind(table),
            )
            .await?
        }
    };
    Ok(rows.into_iter().map(|(n, t)| (n, col_type(&t))).collect())
}

macro_rules! decode_row {
    ($row:expr, $cols:expr) => {{
        let mut out = Vec::with_capacity($cols.len());
        for (i, (_, ty)) in $cols.iter().enumerate() {
            out.push(match ty {
                ColType::Int => Arg::Int($row.try_get::<Option<i64>, _>(i)?),
                ColType::Real => Arg::Real($row.try_get::<Option<f64>, _>(i)?),
                ColType::Text => Arg::Text($row.try_get::<Option<String>, _>(i)?),
                ColType::Bool => Arg::Bool($row.try_get::<Option<bool>, _>(i)?),
                ColType::Date => Arg::Date($row.try_get::<Option<time::Date>, _>(i)?),
                ColType::Bytes => Arg::Bytes($row.try_get::<Option<Vec<u8>>, _>(i)?),
            });
        }
        out
    }};
}

/// Reads every row of a table from the source, decoded by the target's column types.
async fn read_all(
    src: &Db,
    table: &'static str,
    order: &'static str,
    cols: &[(String, ColType)],
) -> anyhow::Result<Vec<Vec<Arg>>> {
    let mut q = Sql::new("select ");
    for (i, (n, _)) in cols.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.ident(n)?;
    }
    q.push(" from ").push(table).push(" order by ").push(order);
    let sql = q.build().sql().to_string();
    let mut rows = Vec::new();
    match src {
        Db::Sqlite { read, .. } => {
            let mut stream = sqlx::query(AssertSqlSafe(sql)).fetch(read);
            while let Some(r) = stream.try_next().await? {
                let r: SqliteRow = r;
                rows.push(decode_row!(r, cols));
            }
        }
        Db::Postgres(pool) => {
            let mut stream = sqlx::query(AssertSqlSafe(sql)).fetch(pool);
            while let Some(r) = stream.try_next().await? {
                let r: PgRow = r;
                rows.push(decode_row!(r, cols));
            }
        }
    }
    Ok(rows)
}

/// Rows per insert statement (kept under SQLite's bound-variable limit).
const BATCH_VALUES: usize = 3000;

async fn write_all(
    dst: &Db,
    table: &'static str,
    cols: &[(String, ColType)],
    rows: Vec<Vec<Arg>>,
    nulled: &[usize],
) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per = (BATCH_VALUES / cols.len().max(1)).max(1);
    let mut tx = dst.begin().await?;
    for chunk in rows.chunks(per) {
        let mut sql = Sql::new("insert into ");
        sql.push(table).push(" (");
        for (i, (n, _)) in cols.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.ident(n)?;
        }
        sql.push(") values ");
        for (r, row) in chunk.iter().enumerate() {
            sql.push(if r == 0 { "(" } else { ", (" });
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                if nulled.contains(&i) {
                    sql.bind(Arg::Int(None));
                } else {
                    sql.bind(v.clone());
                }
            }
            sql.push(")");
        }
        tx.exec(sql.build()).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn count(db: &Db, table: &'static str) -> anyhow::Result<i64> {
    let mut sql = Sql::new("select count(*) from ");
    sql.push(table);
    Ok(db.scalar(sql.build()).await?)
}

/// Copies every table from `from` to `to` and verifies the result.
pub async fn run(from: &str, to: &str, max_connections: u32) -> anyhow::Result<()> {
    let src = Db::connect(from, max_connections).await.context("cannot open the source database")?;
    let dst = Db::connect(to, max_connections).await.context("cannot open the target database")?;
    dst.migrate().await?;
    let copied = copy(&src, &dst).await?;
    for (table, n) in &copied {
        println!("  {table:<22} {n:>10}");
    }
    let v = crate::audit::store::verify(&dst, |_| {}).await?;
    if let Some(b) = v.broken {
        bail!("目标库审计链校验失败：{}", b.describe());
    }
    println!("复制完成：{} 张表行数一致，目标库审计链 {} 条完整", copied.len(), v.checked);
    Ok(())
}

/// Copies and checks row counts; returns (table, rows) for each table.
pub async fn copy(src: &Db, dst: &Db) -> anyhow::Result<Vec<(&'static str, i64)>> {
    for t in ["units", "accounts", "dict_items", "audit_events"] {
        if count(dst, t).await? > 0 {
            bail!("目标数据库不是空库（{t} 已有数据）：请使用新建的空库");
        }
    }
    // The migrations made the change counters and the search layout mark;
    // the source's take their place.
    dst.exec(Query::new(
        "delete from settings where key in ('authz.version', 'reform.version', 'dicts.version', 'text.version', \
         'search.layout')",
    ))
    .await?;
    let bar = indicatif::ProgressBar::new(TABLES.len() as u64);
    let mut result = Vec::new();
    let mut deferred: BTreeMap<(&str, &str), Vec<(Arg, Arg)>> = BTreeMap::new();
    for (table, order) in TABLES {
        bar.set_message(*table);
        let cols = columns(dst, table).await?;
        let rows = read_all(src, table, order, &cols).await?;
        let n = rows.len() as i64;
        if *table == "audit_head" {
            // The migration made the one head row; take the source's values.
            if let Some(row) = rows.into_iter().next() {
                let pos = |name: &str| cols.iter().position(|(c, _)| c == name).unwrap_or(0);
                let mut tx = dst.begin().await?;
                tx.exec(
                    Query::new("update audit_head set seq = $1, hash = $2 where id = 1")
                        .bind(row[pos("seq")].clone())
                        .bind(row[pos("hash")].clone()),
                )
                .await?;
                tx.commit().await?;
            }
        } else {
            let id = cols.iter().position(|(n, _)| n == "id");
            let mut nulled = Vec::new();
            for (t, column) in SELF_REFERENCES.iter().filter(|(t, _)| t == table) {
                let (Some(id), Some(col)) = (id, cols.iter().position(|(n, _)| n == column)) else {
                    continue;
                };
                let later: Vec<(Arg, Arg)> = rows
                    .iter()
                    .filter(|r| r[col] != Arg::Int(None))
                    .map(|r| (r[id].clone(), r[col].clone()))
                    .collect();
                deferred.insert((*t, *column), later);
                nulled.push(col);
            }
            write_all(dst, table, &cols, rows, &nulled).await?;
        }
        result.push((*table, n));
        bar.inc(1);
    }
    let mut tx = dst.begin().await?;
    for ((table, column), links) in deferred {
        for (id, to) in links {
            let mut sql = Sql::new("update ");
            sql.push(table).push(" set ").push(column).push(" = ").bind(to).push(" where id = ").bind(id);
            tx.exec(sql.build()).await?;
        }
    }
    tx.commit().await?;
    if dst.dialect() == Dialect::Postgres {
        for (table, _) in TABLES {
            let has_id = columns(dst, table).await?.iter().any(|(n, t)| n == "id" && *t == ColType::Int);
            if has_id && *table != "audit_head" {
                // dialect: identity sequences exist only on PostgreSQL.
                let mut sql = Sql::new("select setval(pg_get_serial_sequence(");
                sql.bind(*table)
                    .push(", 'id'), coalesce((select max(id) from ")
                    .push(table)
                    .push("), 0) + 1, false)");
                let mut tx = dst.begin().await?;
                tx.scalar::<i64>(sql.build()).await?;
                tx.commit().await?;
            }
        }
    }
    bar.finish_and_clear();
    let seg = crate::text::segmenter(dst).await?;
    crate::search::index::reindex(dst, &seg, crate::clock::Clock::system(time::UtcOffset::UTC).now(), |_| {})
        .await?;
    for (table, n) in &result {
        let at_target = count(dst, table).await?;
        if at_target != *n {
            bail!("{table}: {n} rows read but {at_target} at the target");
        }
    }
    if dst.dialect() == Dialect::Postgres {
        // dialect: PostgreSQL writes every case's band keys with the case; the
        // keys a SQLite source had not folded into its table yet are written now.
        let now = crate::clock::Clock::system(time::UtcOffset::UTC).now();
        crate::liaison::bands::fold_from_table(dst, now).await?;
        dst.exec(Query::new("delete from settings where key = $1").bind(crate::liaison::bands::FOLDED_KEY))
            .await?;
    }
    Ok(result)
}
