//! Keeping the index current: every write of an indexed record calls one of
//! these inside its own transaction, so a record and its index entry never
//! disagree. `reindex` rebuilds the whole index (after a bulk load, a copy
//! between databases, or a change to the dictionary that should reach old
//! texts).

use super::Kind;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Dialect, Query, Sql, Tx};
use crate::text::Segmenter;

/// One record's text as the index holds it.
#[derive(Clone, Debug)]
pub struct Doc {
    /// What it is.
    pub kind: Kind,
    /// The record's id in its own table.
    pub ref_id: i64,
    /// The unit whose data scope it falls under.
    pub unit_id: i64,
    /// Who created it (for "own" scopes).
    pub owner_id: Option<i64>,
    /// Year, for the filter.
    pub year: i64,
    /// Title.
    pub title: String,
    /// Plain text.
    pub body: String,
}

/// Puts (or replaces) a record's entry.
pub async fn put(tx: &mut Tx, seg: &Segmenter, doc: &Doc, now: Ts) -> DbResult<()> {
    let title_terms = seg.terms(&doc.title);
    let body_terms = seg.terms(&doc.body);
    match tx.dialect() {
        // dialect: SQLite keeps the words in a contentless FTS5 table beside the row.
        Dialect::Sqlite => {
            let id: i64 = tx
                .scalar(
                    Query::new(
                        "insert into search_docs (kind, ref_id, unit_id, owner_id, year, updated_at) \
                         values ($1, $2, $3, $4, $5, $6) \
                         on conflict (kind, ref_id) do update set unit_id = excluded.unit_id, owner_id = excluded.owner_id, \
                         year = excluded.year, updated_at = excluded.updated_at \
                         returning id",
                    )
                    .bind(doc.kind.code())
                    .bind(doc.ref_id)
                    .bind(doc.unit_id)
                    .bind(doc.owner_id)
                    .bind(doc.year)
                    .bind(now),
                )
                .await?;
            put_text(tx, id, doc).await?;
            tx.exec(Query::new("delete from search_fts where rowid = $1").bind(id)).await?;
            tx.exec(
                Query::new("insert into search_fts (rowid, title, body) values ($1, $2, $3)")
                    .bind(id)
                    .bind(title_terms)
                    .bind(body_terms),
            )
            .await?;
        }
        // dialect: PostgreSQL keeps them as a weighted tsvector on the row.
        Dialect::Postgres => {
            let id: i64 = tx
                .scalar(
                    Query::new(
                        "insert into search_docs (kind, ref_id, unit_id, owner_id, year, updated_at, tsv) \
                         values ($1, $2, $3, $4, $5, $6, \
                         setweight(to_tsvector('simple', $7), 'A') || setweight(to_tsvector('simple', $8), 'B')) \
                         on conflict (kind, ref_id) do update set unit_id = excluded.unit_id, owner_id = excluded.owner_id, \
                         year = excluded.year, updated_at = excluded.updated_at, tsv = excluded.tsv \
                         returning id",
                    )
                    .bind(doc.kind.code())
                    .bind(doc.ref_id)
                    .bind(doc.unit_id)
                    .bind(doc.owner_id)
                    .bind(doc.year)
                    .bind(now)
                    .bind(title_terms)
                    .bind(body_terms),
                )
                .await?;
            put_text(tx, id, doc).await?;
        }
    }
    Ok(())
}

/// The plain title and text of an entry, for the snippets of a page of hits.
async fn put_text(tx: &mut Tx, id: i64, doc: &Doc) -> DbResult<()> {
    tx.exec(
        Query::new(
            "insert into search_texts (id, title, body) values ($1, $2, $3) \
             on conflict (id) do update set title = excluded.title, body = excluded.body",
        )
        .bind(id)
        .bind(doc.title.as_str())
        .bind(doc.body.as_str()),
    )
    .await?;
    Ok(())
}

/// Removes a record's entry.
pub async fn remove(tx: &mut Tx, kind: Kind, ref_id: i64) -> DbResult<()> {
    if tx.dialect() == Dialect::Sqlite {
        // dialect: the FTS5 row goes with the document row.
        tx.exec(
            Query::new("delete from search_fts where rowid in (select id from search_docs where kind = $1 and ref_id = $2)")
                .bind(kind.code())
                .bind(ref_id),
        )
        .await?;
    }
    tx.exec(
        Query::new("delete from search_texts where id in (select id from search_docs where kind = $1 and ref_id = $2)")
            .bind(kind.code())
            .bind(ref_id),
    )
    .await?;
    tx.exec(
        Query::new("delete from search_docs where kind = $1 and ref_id = $2").bind(kind.code()).bind(ref_id),
    )
    .await?;
    Ok(())
}

/// The text of records of `kind`, read for the index: (ref_id, unit, owner,
/// year, title, body), for the given ids or, with `None`, all of them.
async fn sources(tx: &mut Tx, kind: Kind, ids: Option<&[i64]>, after: i64, limit: i64) -> DbResult<Vec<Doc>> {
    let mut sql = Sql::new("select ");
    sql.push(kind.source_sql());
    match ids {
        Some(ids) => {
            sql.push(" and s.id in ").bind_list(ids.iter().copied());
        }
        None => {
            sql.push(" and s.id > ").bind(after);
        }
    }
    sql.push(" order by s.id limit ").int(limit);
    let rows: Vec<(i64, i64, Option<i64>, i64, String, String)> = tx.all(sql.build()).await?;
    Ok(rows
        .into_iter()
        .map(|(ref_id, unit_id, owner_id, year, title, body)| Doc {
            kind,
            ref_id,
            unit_id,
            owner_id,
            year,
            title,
            body,
        })
        .collect())
}

/// Re-reads records of `kind` from their own table and puts their entries
/// (in the caller's transaction).
pub async fn refresh(tx: &mut Tx, seg: &Segmenter, kind: Kind, ids: &[i64], now: Ts) -> DbResult<()> {
    for chunk in ids.chunks(500) {
        let docs = sources(tx, kind, Some(chunk), 0, chunk.len() as i64).await?;
        for d in &docs {
            put(tx, seg, d, now).await?;
        }
    }
    Ok(())
}

/// Rebuilds the whole index; returns how many entries and bytes of text it wrote.
pub async fn reindex(
    db: &Db,
    seg: &Segmenter,
    now: Ts,
    mut progress: impl FnMut(u64),
) -> DbResult<(u64, u64)> {
    let mut tx = db.begin().await?;
    if db.dialect() == Dialect::Sqlite {
        // dialect: a contentless FTS5 table is emptied with its 'delete-all' command.
        tx.exec(Query::new("insert into search_fts (search_fts) values ('delete-all')")).await?;
    }
    tx.exec(Query::new("delete from search_texts")).await?;
    tx.exec(Query::new("delete from search_docs")).await?;
    tx.commit().await?;
    let (mut docs, mut bytes) = (0u64, 0u64);
    for kind in Kind::ALL {
        let mut after = 0;
        loop {
            let mut tx = db.begin().await?;
            let batch = sources(&mut tx, *kind, None, after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = last.ref_id;
            for d in &batch {
                put(&mut tx, seg, d, now).await?;
                bytes += (d.title.len() + d.body.len()) as u64;
            }
            tx.commit().await?;
            docs += batch.len() as u64;
            progress(batch.len() as u64);
        }
    }
    Ok((docs, bytes))
}
