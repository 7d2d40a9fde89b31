//! Running a search: the match expression for each database, the data-scope
//! condition, one page of hits and the counts by kind.

use serde::{Deserialize, Serialize};

use super::matching::{Exprs, Tier};
use super::{Kind, snippet};
use crate::authz::{Action, Principal, Scope};
use crate::db::{Db, DbResult, Dialect, Sql};
use crate::text::Segmenter;

/// Hits per page.
pub const PAGE_SIZE: i64 = 20;

/// What the person asked for.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct SearchQuery {
    /// The words.
    pub q: String,
    /// One kind (`reform_task`, `draft` …), or empty for all.
    pub kind: String,
    /// A unit: its texts and those of the units below it.
    pub unit: String,
    /// A year.
    pub year: String,
    /// Page, from 1.
    pub page: String,
}

/// One hit.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Hit {
    /// Kind.
    pub kind: Kind,
    /// Kind in words.
    pub kind_label: &'static str,
    /// The record's id.
    pub id: i64,
    /// Where it opens.
    pub link: String,
    /// Title, HTML-escaped, query words in `<mark>`.
    pub title_html: String,
    /// A window of the text around the first hit, escaped and marked the same way.
    pub snippet_html: String,
    /// Year.
    pub year: i64,
    /// Unit name.
    pub unit: String,
}

/// A page of hits with the counts by kind.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Results {
    /// The query's words as searched.
    pub words: Vec<String>,
    /// This page's hits, best first.
    pub hits: Vec<Hit>,
    /// Hits of each kind the person may see (before the kind filter).
    pub counts: Vec<(Kind, i64)>,
    /// Hits under the current filter.
    pub total: i64,
    /// Page, from 1.
    pub page: i64,
}

/// The checked filter.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// One kind or all.
    pub kind: Option<Kind>,
    /// A unit's path (the unit and below).
    pub unit_path: Option<String>,
    /// A year.
    pub year: Option<i64>,
    /// Page, from 1.
    pub page: i64,
}

/// The scope condition over `d` (search_docs): each kind under its module's
/// read scope. Returns false when the person may read no kind at all.
fn push_scope(sql: &mut Sql, who: &Principal, kinds: &[Kind]) -> bool {
    let scopes: Vec<Scope> = kinds.iter().map(|k| who.scope(k.module(), Action::Read)).collect();
    if !kinds.is_empty() && scopes.iter().all(Scope::is_all) {
        // Everything of these kinds may be read: only the kinds themselves
        // narrow the match (none when all five are asked for), and no
        // condition has to be tested on each matching row.
        if kinds.len() < Kind::ALL.len() {
            sql.push(" and d.kind in ").bind_list(kinds.iter().map(|k| k.code()));
        }
        return true;
    }
    let mut any = false;
    sql.push(" and (1=0");
    for (kind, scope) in kinds.iter().zip(&scopes) {
        if scope.is_empty() {
            continue;
        }
        any = true;
        sql.push(" or (d.kind = ").bind(kind.code()).push(" and (");
        scope.filter(sql, "d.unit_id", Some("d.owner_id"));
        if *kind == Kind::ReformTask && !scope.is_all() {
            sql.push(" or exists (select 1 from reform_task_units x where x.task_id = d.ref_id and ");
            scope.filter(sql, "x.unit_id", None);
            sql.push(")");
        }
        sql.push("))");
    }
    sql.push(")");
    any
}

/// An SQLite entry's kind, from its id ([`super::index::KIND_BITS`]).
const KIND_OF_ROWID: &str = "(search_fts.rowid & 7)";
const _: () = assert!(super::index::KIND_BITS == 3, "KIND_OF_ROWID masks three bits");

/// How a query reads the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// FTS5, each match joined to its row (kind, unit, owner, year).
    Sqlite,
    /// FTS5 alone: the reader may see everything, no unit or year filter,
    /// and every entry's id carries its kind ([`super::index::KIND_BITS`]).
    SqliteIndexOnly,
    /// The GIN-indexed tsvectors on the rows.
    Postgres,
}

impl Path {
    /// The entry id in the select list.
    fn id(self) -> &'static str {
        match self {
            Path::Sqlite | Path::SqliteIndexOnly => "search_fts.rowid",
            Path::Postgres => "d.id",
        }
    }

    /// Pushes "this match is of `kind`".
    fn push_is_kind(self, sql: &mut Sql, kind: Kind) {
        match self {
            Path::SqliteIndexOnly => {
                sql.push(KIND_OF_ROWID).push(" = ").bind(kind.no());
            }
            Path::Sqlite | Path::Postgres => {
                sql.push("d.kind = ").bind(kind.code());
            }
        }
    }
}

/// The `from … where` shared by the page and the counts: every match, or
/// one tier of them.
fn push_from_where(
    sql: &mut Sql,
    path: Path,
    exprs: &Exprs,
    tier: Option<Tier>,
    who: &Principal,
    kinds: &[Kind],
    f: &Filter,
) -> bool {
    match path {
        // dialect: FTS5 alone, or driving the join; PostgreSQL matches the GIN-indexed tsvectors.
        Path::SqliteIndexOnly => {
            sql.push(" from search_fts where search_fts match ").bind(exprs.fts5(tier));
            if kinds.len() < Kind::ALL.len() {
                sql.push(" and ").push(KIND_OF_ROWID).push(" in ").bind_list(kinds.iter().map(|k| k.no()));
            }
            return true;
        }
        Path::Sqlite => {
            sql.push(
                " from search_fts join search_docs d on d.id = search_fts.rowid where search_fts match ",
            )
            .bind(exprs.fts5(tier));
        }
        Path::Postgres => {
            debug_assert!(tier.is_none(), "PostgreSQL tells the tiers apart on each row");
            sql.push(" from search_docs d where");
            exprs.push_postgres(sql);
        }
    }
    if let Some(y) = f.year {
        sql.push(" and d.year = ").bind(y);
    }
    if let Some(path) = &f.unit_path {
        let (lo, hi) = crate::authz::model::subtree_range(path);
        sql.push(" and d.unit_id in (select id from units where path >= ")
            .bind(lo)
            .push(" and path < ")
            .bind(hi)
            .push(")");
    }
    push_scope(sql, who, kinds)
}

/// Searches. An empty query gives no hits.
pub async fn search(db: &Db, seg: &Segmenter, who: &Principal, text: &str, f: &Filter) -> DbResult<Results> {
    let words = seg.query(text);
    let mut results = Results { page: f.page.max(1), ..Results::default() };
    if words.is_empty() {
        return Ok(results);
    }
    let dialect = db.dialect();
    let exprs = Exprs::new(dialect, &words);
    let sees_all = Kind::ALL.iter().all(|k| who.scope(k.module(), Action::Read).is_all());
    let path = match dialect {
        Dialect::Postgres => Path::Postgres,
        Dialect::Sqlite
            if sees_all
                && f.unit_path.is_none()
                && f.year.is_none()
                && super::index::kind_in_id(db).await? =>
        {
            Path::SqliteIndexOnly
        }
        Dialect::Sqlite => Path::Sqlite,
    };
    let mut marked: Vec<String> = Vec::new();
    for w in &words {
        marked.push(w.word.clone());
        marked.extend(w.parts.iter().cloned());
    }
    results.words = words.iter().map(|w| w.word.clone()).collect();

    let ranked = match path {
        Path::Postgres => match postgres_pass(db, &exprs, who, f, &mut results).await? {
            Some(ranked) => ranked,
            None => return Ok(results),
        },
        Path::Sqlite | Path::SqliteIndexOnly => {
            match tiers_in_turn(db, path, &exprs, who, f, words.len(), &mut results).await? {
                Some(ranked) => ranked,
                None => return Ok(results),
            }
        }
    };
    if ranked.is_empty() {
        return Ok(results);
    }
    let mut sql = Sql::new(
        "select d.id, d.kind, d.ref_id, t.title, t.body, d.year, \
         coalesce((select u.name from units u where u.id = d.unit_id), '') from search_docs d \
         join search_texts t on t.id = d.id where d.id in ",
    );
    sql.bind_list(ranked.iter().map(|(id,)| *id));
    let rows: Vec<(i64, String, i64, String, String, i64, String)> = db.all(sql.build()).await?;
    results.hits = ranked
        .iter()
        .filter_map(|(doc,)| rows.iter().find(|r| r.0 == *doc))
        .filter_map(|(_, kind, id, title, body, year, unit)| {
            let kind = Kind::parse(kind)?;
            Some(Hit {
                kind,
                kind_label: kind.label(),
                id: *id,
                link: kind.link(*id),
                title_html: snippet::mark(title, &marked),
                snippet_html: snippet::snippet(body, &marked),
                year: *year,
                unit: unit.clone(),
            })
        })
        .collect();
    Ok(results)
}

/// SQLite: the counts by kind, then the page tier after tier, each tier one
/// limited query in index order (FTS5 hands out its matches newest first).
/// None when there is nothing to show.
async fn tiers_in_turn(
    db: &Db,
    path: Path,
    exprs: &Exprs,
    who: &Principal,
    f: &Filter,
    words: usize,
    results: &mut Results,
) -> DbResult<Option<Vec<(i64,)>>> {
    // Counts by kind, under every filter but the kind: one row of filtered
    // counts (a `group by` would first sort every match by its kind).
    const _: () = assert!(Kind::ALL.len() == 5, "one count per kind below");
    let mut sql = Sql::new("select ");
    for (i, k) in Kind::ALL.iter().enumerate() {
        sql.push(if i == 0 { "count(*) filter (where " } else { ", count(*) filter (where " });
        path.push_is_kind(&mut sql, *k);
        sql.push(")");
    }
    if push_from_where(&mut sql, path, exprs, None, who, Kind::ALL, f) {
        let (a, b, c, d, e): (i64, i64, i64, i64, i64) = db.one(sql.build()).await?;
        results.counts = Kind::ALL.iter().copied().zip([a, b, c, d, e]).collect();
    }
    results.total = match f.kind {
        Some(k) => results.counts.iter().find(|(c, _)| *c == k).map_or(0, |(_, n)| *n),
        None => results.counts.iter().map(|(_, n)| n).sum(),
    };
    if results.total == 0 {
        return Ok(None);
    }
    let kinds: Vec<Kind> = f.kind.map_or_else(|| Kind::ALL.to_vec(), |k| vec![k]);
    // The page, tier after tier: ids only (a sort that carried texts would
    // move megabytes); the texts of the page's hits are read afterwards.
    let mut ranked: Vec<(i64,)> = Vec::new();
    let mut skip = (results.page - 1) * PAGE_SIZE;
    for tier in Tier::ALL {
        if ranked.len() as i64 >= PAGE_SIZE {
            break;
        }
        if tier == Tier::TitleSome && words < 2 {
            continue; // one word is in the title or it is not
        }
        if skip > 0 {
            // A later page: tiers wholly before it are counted, not read.
            let mut sql = Sql::new("select count(*)");
            push_from_where(&mut sql, path, exprs, Some(tier), who, &kinds, f);
            let n: i64 = db.scalar(sql.build()).await?;
            if n <= skip {
                skip -= n;
                continue;
            }
        }
        let mut sql = Sql::new("select ");
        sql.push(path.id());
        if !push_from_where(&mut sql, path, exprs, Some(tier), who, &kinds, f) {
            return Ok(None);
        }
        // FTS5 hands its matches out in rowid order: newest first without a sort.
        sql.push(" order by ").push(path.id()).push(" desc");
        sql.push(" limit ").int(PAGE_SIZE - ranked.len() as i64).push(" offset ").int(skip);
        skip = 0;
        ranked.extend(db.all::<(i64,)>(sql.build()).await?);
    }
    Ok(Some(ranked))
}

/// PostgreSQL: one pass over the matches gives the counts by kind and tier
/// and the page. A GIN index yields matches in no useful order, so every
/// tier's query visited every match's row again; here each row is visited
/// once, its tier told from the title's words on the row, and one grouping
/// gives each kind and tier its count and its newest ids, as many as the
/// page reaches (a materialised list of the matches, counted once and sorted
/// again for the page, cost an eighth more). None when there is nothing to
/// show.
async fn postgres_pass(
    db: &Db,
    exprs: &Exprs,
    who: &Principal,
    f: &Filter,
    results: &mut Results,
) -> DbResult<Option<Vec<(i64,)>>> {
    let skip = (results.page - 1) * PAGE_SIZE;
    let mut sql =
        Sql::new("select kind, tier, count(*), array_to_string((array_agg(id order by id desc))[1:");
    sql.int(skip + PAGE_SIZE).push("], ' ') from (select d.id, d.kind, ");
    exprs.push_postgres_tier(&mut sql);
    sql.push(" as tier");
    if !push_from_where(&mut sql, Path::Postgres, exprs, None, who, Kind::ALL, f) {
        return Ok(None);
    }
    sql.push(") m group by kind, tier");
    let groups: Vec<(String, i64, i64, String)> = db.all(sql.build()).await?;
    let count = |k: Kind| groups.iter().filter(|g| g.0 == k.code()).map(|g| g.2).sum::<i64>();
    results.counts = Kind::ALL.iter().map(|k| (*k, count(*k))).collect();
    results.total = match f.kind {
        Some(k) => count(k),
        None => results.counts.iter().map(|(_, n)| n).sum(),
    };
    // Each group's newest ids reach the page, so the page is among them.
    let mut page: Vec<(i64, i64)> = groups
        .iter()
        .filter(|g| f.kind.is_none_or(|k| g.0 == k.code()))
        .flat_map(|g| g.3.split(' ').filter_map(|id| id.parse().ok()).map(|id: i64| (g.1, id)))
        .collect();
    page.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    Ok(Some(page.into_iter().skip(skip as usize).take(PAGE_SIZE as usize).map(|(_, id)| (id,)).collect()))
}
