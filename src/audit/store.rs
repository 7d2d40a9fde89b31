//! Audit SQL: append inside the caller's transaction, verify, list.
//!
//! Appends serialise on the one `audit_head` row: `update … returning` takes its
//! row lock on PostgreSQL (SQLite has one writer anyway), so concurrent
//! transactions on several app nodes still form one unbroken chain. Append last
//! in a transaction, just before commit, to hold that lock briefly.

use serde::Serialize;

use super::model::{Break, Record, Verifier, chain_hash};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};

/// Who did something, and from where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The account, if one acted.
    pub id: Option<i64>,
    /// Its username (or what was typed at a failed sign-in; `system` for jobs).
    pub name: String,
    /// Client address.
    pub ip: String,
}

impl Actor {
    /// The platform itself (start-up, command line, scheduled jobs).
    pub fn system(what: &str) -> Actor {
        Actor { id: None, name: format!("system:{what}"), ip: String::new() }
    }
}

/// One thing that happened, before it gets its place in the chain.
#[derive(Clone, Debug, Default)]
pub struct Event {
    /// Action code, `module.verb` (`unit.create`).
    pub action: &'static str,
    /// Kind of object (`unit`, `account` …).
    pub object_type: &'static str,
    /// Its id.
    pub object_id: String,
    /// A sentence in Chinese.
    pub summary: String,
    /// State before (JSON).
    pub before: Option<String>,
    /// State after (JSON).
    pub after: Option<String>,
}

impl Event {
    /// An event about `object_type` `object_id`.
    pub fn new(action: &'static str, object_type: &'static str, object_id: impl ToString) -> Event {
        Event { action, object_type, object_id: object_id.to_string(), ..Event::default() }
    }

    /// Sets the sentence.
    pub fn summary(mut self, s: impl Into<String>) -> Event {
        self.summary = s.into();
        self
    }

    /// Records the state before the change.
    pub fn before<T: Serialize>(mut self, v: &T) -> Event {
        self.before = serde_json::to_string(v).ok();
        self
    }

    /// Records the state after the change.
    pub fn after<T: Serialize>(mut self, v: &T) -> Event {
        self.after = serde_json::to_string(v).ok();
        self
    }
}

const INSERT: &str = "insert into audit_events (seq, at, actor_id, actor_name, ip, action, object_type, \
     object_id, summary, before_data, after_data, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

fn record(seq: i64, at: Ts, actor: &Actor, ev: &Event, prev: &str) -> Record {
    let mut r = Record {
        seq,
        at,
        actor_id: actor.id,
        actor_name: actor.name.clone(),
        ip: actor.ip.clone(),
        action: ev.action.to_string(),
        object_type: ev.object_type.to_string(),
        object_id: ev.object_id.clone(),
        summary: ev.summary.clone(),
        before_data: ev.before.clone(),
        after_data: ev.after.clone(),
        hash: String::new(),
    };
    r.hash = chain_hash(prev, &r);
    r
}

/// Appends one event to the chain, inside the caller's transaction.
pub async fn append(tx: &mut Tx, at: Ts, actor: &Actor, ev: &Event) -> DbResult<i64> {
    let (seq, prev): (i64, String) =
        tx.one(Query::new("update audit_head set seq = seq + 1 where id = 1 returning seq, hash")).await?;
    let r = record(seq, at, actor, ev, &prev);
    insert(tx, &r).await?;
    tx.exec(Query::new("update audit_head set hash = $1 where id = 1").bind(&r.hash)).await?;
    Ok(seq)
}

async fn insert(tx: &mut Tx, r: &Record) -> DbResult<u64> {
    tx.exec(
        Query::new(INSERT)
            .bind(r.seq)
            .bind(r.at)
            .bind(r.actor_id)
            .bind(&r.actor_name)
            .bind(&r.ip)
            .bind(&r.action)
            .bind(&r.object_type)
            .bind(&r.object_id)
            .bind(&r.summary)
            .bind(r.before_data.clone())
            .bind(r.after_data.clone())
            .bind(&r.hash),
    )
    .await
}

/// Rows per multi-row insert in [`append_batch`] (12 columns, well under SQLite's variable limit).
const BATCH_ROWS: usize = 400;

/// Appends many events at once (bulk generation, imports), in the caller's transaction.
pub async fn append_batch(tx: &mut Tx, events: &[(Ts, Actor, Event)]) -> DbResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let n = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let (last, mut prev): (i64, String) = tx
        .one(Query::new("update audit_head set seq = seq + $1 where id = 1 returning seq, hash").bind(n))
        .await?;
    let first = last - n + 1;
    let mut records = Vec::with_capacity(events.len());
    for (i, (at, actor, ev)) in events.iter().enumerate() {
        let r = record(first + i as i64, *at, actor, ev, &prev);
        prev.clone_from(&r.hash);
        records.push(r);
    }
    for chunk in records.chunks(BATCH_ROWS) {
        let mut sql = Sql::new(
            "insert into audit_events (seq, at, actor_id, actor_name, ip, action, object_type, object_id, \
             summary, before_data, after_data, hash) values ",
        );
        for (i, r) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(r.seq).push(", ").bind(r.at).push(", ").bind(r.actor_id).push(", ");
            sql.bind(&r.actor_name).push(", ").bind(&r.ip).push(", ").bind(&r.action).push(", ");
            sql.bind(&r.object_type).push(", ").bind(&r.object_id).push(", ").bind(&r.summary).push(", ");
            sql.bind(r.before_data.clone()).push(", ").bind(r.after_data.clone()).push(", ").bind(&r.hash);
            sql.push(")");
        }
        tx.exec(sql.build()).await?;
    }
    tx.exec(Query::new("update audit_head set hash = $1 where id = 1").bind(&prev)).await?;
    Ok(())
}

/// The outcome of a full verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Records checked before stopping.
    pub checked: u64,
    /// The last sequence number the head records.
    pub head_seq: i64,
    /// The first break, if any.
    pub broken: Option<Break>,
}

/// Records read per round trip while verifying.
const VERIFY_PAGE: i64 = 20_000;

/// Walks the whole chain from the first record and compares its end with the head.
/// Reads in pages by sequence number, so each round trip to the database
/// brings thousands of records.
pub async fn verify(db: &Db, mut progress: impl FnMut(u64) + Send) -> anyhow::Result<Verification> {
    let (head_seq, head_hash): (i64, String) =
        db.one(Query::new("select seq, hash from audit_head where id = 1")).await?;
    let mut v = Verifier::default();
    let mut checked = 0u64;
    let mut after = i64::MIN;
    loop {
        let page: Vec<Record> = db
            .all(
                Query::new(
                    "select seq, at, actor_id, actor_name, ip, action, object_type, object_id, summary, \
                     before_data, after_data, hash from audit_events where seq > $1 order by seq limit $2",
                )
                .bind(after)
                .bind(VERIFY_PAGE),
            )
            .await?;
        let Some(last) = page.last().map(|r| r.seq) else { break };
        for r in &page {
            if let Err(b) = v.check(r) {
                return Ok(Verification { checked, head_seq, broken: Some(b) });
            }
            checked += 1;
        }
        progress(checked);
        after = last;
        if (page.len() as i64) < VERIFY_PAGE {
            break;
        }
    }
    let broken = v.finish(head_seq, &head_hash).err();
    Ok(Verification { checked, head_seq, broken })
}

/// How many records the chain holds (from the head, without counting rows).
pub async fn head_seq(db: &Db) -> DbResult<i64> {
    db.scalar(Query::new("select seq from audit_head where id = 1")).await
}
