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

/// On SQLite an entry's id carries its kind in the low bits (`seq << 3 |
/// kind`), so a reader who may see everything counts hits by kind from the
/// full-text index alone, without looking up each match's row. Ids still grow
/// with the order entries were first written. `search.layout` is `2` once
/// every entry follows it (a fresh database, or after `search reindex`).
pub const KIND_BITS: i64 = 3;

/// The settings key recording the entry-id layout (see [`KIND_BITS`]).
pub const LAYOUT_KEY: &str = "search.layout";

/// Entries written per statement (8 values a row, well under either database's limit).
const PUT_ROWS: usize = 500;

/// Puts (or replaces) a record's entry.
pub async fn put(tx: &mut Tx, seg: &Segmenter, doc: &Doc, now: Ts) -> DbResult<()> {
    put_many(tx, seg, std::slice::from_ref(doc), now).await
}

/// Puts (or replaces) the entries of many records, a few statements for all.
pub async fn put_many(tx: &mut Tx, seg: &Segmenter, docs: &[Doc], now: Ts) -> DbResult<()> {
    for chunk in docs.chunks(PUT_ROWS) {
        let terms: Vec<(String, String)> =
            chunk.iter().map(|d| (seg.terms(&d.title), seg.terms(&d.body))).collect();
        let sqlite = tx.dialect() == Dialect::Sqlite;
        // dialect: SQLite keeps the words in a contentless FTS5 table beside
        // the row and gives new entries ids that carry their kind (one writer,
        // so the highest id is safe to build on); PostgreSQL keeps a weighted
        // tsvector on the row, and the title's words once more on their own
        // for the ranking's tiers.
        let next_seq = if sqlite {
            let last: i64 = tx.scalar(Query::new("select coalesce(max(id), 0) from search_docs")).await?;
            (last >> KIND_BITS) + 1
        } else {
            0
        };
        let mut sql = Sql::new("insert into search_docs (");
        sql.push(if sqlite { "id, " } else { "" });
        sql.push("kind, ref_id, unit_id, owner_id, year, updated_at");
        sql.push(if sqlite { ") values " } else { ", tsv, tsv_title) values " });
        for (i, (d, (title, body))) in chunk.iter().zip(&terms).enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            if sqlite {
                sql.bind(((next_seq + i as i64) << KIND_BITS) | d.kind.no()).push(", ");
            }
            sql.bind(d.kind.code()).push(", ").bind(d.ref_id).push(", ");
            sql.bind(d.unit_id).push(", ").bind(d.owner_id).push(", ").bind(d.year).push(", ").bind(now);
            if !sqlite {
                sql.push(", setweight(to_tsvector('simple', ").bind(title.as_str());
                sql.push("), 'A') || setweight(to_tsvector('simple', ").bind(body.as_str()).push("), 'B')");
                sql.push(", to_tsvector('simple', ").bind(title.as_str()).push(")");
            }
            sql.push(")");
        }
        sql.push(
            " on conflict (kind, ref_id) do update set unit_id = excluded.unit_id, owner_id = excluded.owner_id, \
             year = excluded.year, updated_at = excluded.updated_at",
        );
        if !sqlite {
            sql.push(", tsv = excluded.tsv, tsv_title = excluded.tsv_title");
        }
        sql.push(" returning id, kind, ref_id");
        let ids: Vec<(i64, String, i64)> = tx.all(sql.build()).await?;
        // The rows come back in no promised order: matched by record.
        let by_record: std::collections::HashMap<(&str, i64), i64> =
            ids.iter().map(|(id, k, r)| ((k.as_str(), *r), *id)).collect();
        let id_of = |d: &Doc| by_record.get(&(d.kind.code(), d.ref_id)).copied();
        let mut texts = Sql::new("insert into search_texts (id, title, body) values ");
        for (i, d) in chunk.iter().enumerate() {
            texts.push(if i == 0 { "(" } else { ", (" }).bind(id_of(d)).push(", ").bind(d.title.as_str());
            texts.push(", ").bind(d.body.as_str()).push(")");
        }
        texts.push(" on conflict (id) do update set title = excluded.title, body = excluded.body");
        tx.exec(texts.build()).await?;
        if sqlite {
            // An entry that kept its earlier id was updated: its old words go first.
            let proposed = |i: usize, d: &Doc| ((next_seq + i as i64) << KIND_BITS) | d.kind.no();
            let updated: Vec<i64> = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, d)| id_of(d).filter(|id| *id != proposed(i, d)))
                .collect();
            if !updated.is_empty() {
                let mut gone = Sql::new("delete from search_fts where rowid in ");
                gone.bind_list(updated);
                tx.exec(gone.build()).await?;
            }
            let mut fts = Sql::new("insert into search_fts (rowid, title, body) values ");
            for (i, (d, (title, body))) in chunk.iter().zip(&terms).enumerate() {
                fts.push(if i == 0 { "(" } else { ", (" }).bind(id_of(d)).push(", ").bind(title.as_str());
                fts.push(", ").bind(body.as_str()).push(")");
            }
            tx.exec(fts.build()).await?;
        }
    }
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

/// created_at, ref_id, unit_id, owner_id, year, title, body.
type SourceRow = (i64, i64, i64, Option<i64>, i64, String, String);

/// The text of records of `kind`, read for the index, with when each was
/// created: for the given ids or, with `None`, those after `after` in id order.
async fn sources(
    tx: &mut Tx,
    kind: Kind,
    ids: Option<&[i64]>,
    after: i64,
    limit: i64,
) -> DbResult<Vec<(i64, Doc)>> {
    let mut sql = Sql::new("select s.created_at, ");
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
    let rows: Vec<SourceRow> = tx.all(sql.build()).await?;
    Ok(rows
        .into_iter()
        .map(|(created_at, ref_id, unit_id, owner_id, year, title, body)| {
            (created_at, Doc { kind, ref_id, unit_id, owner_id, year, title, body })
        })
        .collect())
}

/// Re-reads records of `kind` from their own table and puts their entries
/// (in the caller's transaction).
pub async fn refresh(tx: &mut Tx, seg: &Segmenter, kind: Kind, ids: &[i64], now: Ts) -> DbResult<()> {
    for chunk in ids.chunks(500) {
        let docs: Vec<Doc> = sources(tx, kind, Some(chunk), 0, chunk.len() as i64)
            .await?
            .into_iter()
            .map(|(_, d)| d)
            .collect();
        put_many(tx, seg, &docs, now).await?;
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
        set_layout(&mut tx, "1").await?;
    }
    tx.exec(Query::new("delete from search_texts")).await?;
    tx.exec(Query::new("delete from search_docs")).await?;
    tx.commit().await?;
    // Entries get their ids in the order the records were created, all kinds
    // interleaved, so "newest first" in the ranking survives a rebuild (and a
    // copy between databases, which rebuilds): each kind is read in id order
    // and the five streams are merged by creation time.
    let mut streams: Vec<Stream> = Kind::ALL.iter().map(|k| Stream::new(*k)).collect();
    let (mut docs, mut bytes) = (0u64, 0u64);
    loop {
        let mut tx = db.begin().await?;
        let mut batch: Vec<Doc> = Vec::with_capacity(REINDEX_BATCH);
        while batch.len() < REINDEX_BATCH {
            for s in &mut streams {
                s.fill(&mut tx).await?;
            }
            let next = streams
                .iter_mut()
                .filter(|s| !s.buffer.is_empty())
                .min_by_key(|s| s.buffer.front().map(|(at, _)| *at));
            let Some(stream) = next else { break };
            batch.extend(stream.buffer.pop_front().map(|(_, d)| d));
        }
        if batch.is_empty() {
            break;
        }
        put_many(&mut tx, seg, &batch, now).await?;
        tx.commit().await?;
        bytes += batch.iter().map(|d| (d.title.len() + d.body.len()) as u64).sum::<u64>();
        docs += batch.len() as u64;
        progress(batch.len() as u64);
    }
    if db.dialect() == Dialect::Sqlite {
        // dialect: every entry now carries its kind in its id.
        let mut tx = db.begin().await?;
        set_layout(&mut tx, "2").await?;
        tx.commit().await?;
    }
    Ok((docs, bytes))
}

async fn set_layout(tx: &mut Tx, value: &str) -> DbResult<()> {
    tx.exec(
        Query::new("update settings set value = $1 where key = $2").bind(value.to_string()).bind(LAYOUT_KEY),
    )
    .await?;
    Ok(())
}

/// Does every SQLite entry carry its kind in its id ([`KIND_BITS`])?
pub async fn kind_in_id(db: &Db) -> DbResult<bool> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(false);
    }
    let v: Option<String> = db
        .opt::<(String,)>(Query::new("select value from settings where key = $1").bind(LAYOUT_KEY))
        .await?
        .map(|(v,)| v);
    Ok(v.as_deref() == Some("2"))
}

/// Entries written per transaction by a rebuild.
const REINDEX_BATCH: usize = 1000;

/// One kind's records in id order, read a thousand at a time, for the rebuild's merge.
struct Stream {
    kind: Kind,
    after: i64,
    done: bool,
    buffer: std::collections::VecDeque<(i64, Doc)>,
}

impl Stream {
    fn new(kind: Kind) -> Stream {
        Stream { kind, after: 0, done: false, buffer: std::collections::VecDeque::new() }
    }

    /// Reads the next thousand when the buffer ran dry.
    async fn fill(&mut self, tx: &mut Tx) -> DbResult<()> {
        if self.buffer.is_empty() && !self.done {
            let rows = sources(tx, self.kind, None, self.after, 1000).await?;
            match rows.last() {
                Some((_, last)) => self.after = last.ref_id,
                None => self.done = true,
            }
            self.buffer.extend(rows);
        }
        Ok(())
    }
}
